import { IConstruct } from "../../lib/cdk";
import { Volume as DockerVolume } from "../../lib/docker";
import { STATEFUL_LABEL, volumeOf } from "../facts";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";

function isStateful(node: DockerVolume): boolean {
  const l2 = volumeOf(node as IConstruct);
  if (l2) return l2.stateful;
  const labels = node.labelsInput;
  return Array.isArray(labels) && labels.some((l) => l.label === STATEFUL_LABEL && l.value === "true");
}

/** Stateful volumes cannot be destroyed by a plan. */
export const VolumeStatefulProtected: PolicyRule = {
  id: "VolumeStatefulProtected",
  levels: { baseline: "info", production: "error" },
  description: "Stateful volumes (`Volume` prop `stateful`, or the `stateful=true` label) carry Terraform's `prevent_destroy`.",
  why: "Replacing or destroying a docker_volume deletes its data: a renamed construct or a changed driver option would wipe chain state, a wallet or a database with one `apply`.",
  fix: "Set the `Volume` prop `preventDestroy` (the stacks derive it from the environment setting `protectData`, true in production).",
  reference: "Design: stateful resources keep their address and are protected (Terraform `lifecycle.prevent_destroy`)",
  swarm: {
    coverage: "checked",
    text: "the same `docker_volume` resources on both targets (on swarm, created on the data node that runs the services mounting them). A per-node volume is anonymous on swarm (a mount without `source`, removed with its task) and cannot be stateful.",
  },
  check: (node) => {
    if (!(node instanceof DockerVolume) || !isStateful(node)) return NOT_APPLICABLE;
    return node.lifecycle?.preventDestroy === true ? COMPLIANT : nonCompliant("stateful volume without prevent_destroy");
  },
};
