import { SWARM_GAPS, Unexpressible } from "../workload";
import { COMPLIANT, PolicyRule, cis, nonCompliant, runtimeWorkloadCheck, unexpressibleOnSwarm } from "../rule";

/** Containers set their CPU priority (`cpu_shares`); swarm services cannot (a recorded gap). */
export const ContainerCpuPrioritySet: PolicyRule = {
  id: "ContainerCpuPrioritySet",
  levels: { baseline: "warning", production: "error" },
  description:
    "Containers set their CPU priority (`cpu_shares`, the relative weight under contention); swarm services cannot set it: recorded as a gap.",
  why: "A CPU limit caps a container, but under contention every container gets the same default weight (1024): a busy batch job competes on equal terms with the service users wait for. An explicit weight makes the priority a reviewed decision.",
  fix: "Set the service's `resources.cpus`: `Service` derives `cpu_shares` from it (1024 per core), so priority follows the limit.",
  reference: cis("Ensure that CPU priority is set appropriately on containers"),
  ...unexpressibleOnSwarm(SWARM_GAPS.cpuShares, (w) => w.cpuShares()),
  check: runtimeWorkloadCheck((w) => {
    const shares = w.cpuShares();
    if (shares instanceof Unexpressible) return nonCompliant(shares.finding);
    return shares !== undefined && shares > 0 ? COMPLIANT : nonCompliant("cpu_shares is not set (Docker's default weight 1024)");
  }),
};
