import { STATEFUL_LABEL, volumeOf } from "../facts";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";
import { Subject, block } from "../subject";

/** Stateful by its `Volume` L2, or by the label (a volume created without the L2, or an override). */
function isStateful(subject: Subject): boolean {
  const labels = subject.attrs.labels;
  const labelled =
    Array.isArray(labels) && labels.some((l: { label?: unknown; value?: unknown }) => l?.label === STATEFUL_LABEL && l.value === "true");
  const l2 = subject.construct ? volumeOf(subject.construct) : undefined;
  return labelled || l2?.stateful === true;
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
  check: (subject) => {
    if (subject.type !== "docker_volume" || !isStateful(subject)) return NOT_APPLICABLE;
    return block(subject.attrs.lifecycle, "lifecycle")?.prevent_destroy === true
      ? COMPLIANT
      : nonCompliant("stateful volume without prevent_destroy");
  },
};
