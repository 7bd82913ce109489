import { isRootUser } from "../../lib/user";
import { workloadOf } from "../workload";
import { COMPLIANT, PolicyRule, runtimeWorkloadCheck, nonCompliant } from "../rule";

/** Containers and swarm services run as a non-root user. */
export const ContainerRunsAsNonRoot: PolicyRule = {
  id: "ContainerRunsAsNonRoot",
  levels: { baseline: "warning", production: "error" },
  description: "Containers and swarm services run as a non-root user set explicitly (`user`).",
  why: "Root in a container is root on the host's kernel: with a kernel or runtime escape, or a writable host mount, it owns the host. An unset `user` means whatever the image says, which the plan cannot show.",
  fix: "Set `user` to a numeric `uid:gid` the image supports. When the image must start as root (an entrypoint that chowns its data and drops privileges), give the `Service` a `rootReason`, which is recorded as a suppression of this rule.",
  reference: 'CIS Docker Benchmark, Container Images and Build File: "Ensure that a user for the container has been created"',
  swarm: {
    coverage: "checked",
    text: "`task_spec.container_spec.user`; a `Service` rendered as a swarm service records its `rootReason` the same way.",
  },
  check: runtimeWorkloadCheck((w) => {
    const user = w.user();
    if (user === undefined)
      return nonCompliant(`${w.attributes.user} is not set (the image's user applies, which cannot be verified at synth time)`);
    return isRootUser(user) ? nonCompliant(`${w.attributes.user} is ${JSON.stringify(user)} (root)`) : COMPLIANT;
  }),
  impliedSuppression: (subject) => {
    const service = workloadOf(subject)?.service;
    if (!service?.runsAsRoot || !service.rootReason) return undefined;
    return { reason: service.rootReason, declaredAt: service.node.path, source: "Service.rootReason" };
  },
  impliedSuppressionDoc:
    "A `Service` that runs as root must state a `rootReason` (the L2 refuses to build without one); that reason is recorded as a suppression of this rule on its container or swarm service and listed in the policy report.",
};
