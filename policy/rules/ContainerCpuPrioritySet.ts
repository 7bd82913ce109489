import { isUnresolved } from "../facts";
import { COMPLIANT, PolicyRule, cis, runtimeContainerCheck, nonCompliant } from "../rule";

/** Containers set their CPU priority (`cpu_shares`). */
export const ContainerCpuPrioritySet: PolicyRule = {
  id: "ContainerCpuPrioritySet",
  levels: { baseline: "warning", production: "error" },
  description: "Containers set their CPU priority (`cpu_shares`, the relative weight under contention).",
  why: "A CPU limit caps a container, but under contention every container gets the same default weight (1024): a busy batch job competes on equal terms with the service users wait for. An explicit weight makes the priority a reviewed decision.",
  fix: "Set the service's `resources.cpus`: `Service` derives `cpu_shares` from it (1024 per core), so priority follows the limit.",
  reference: cis("Ensure that CPU priority is set appropriately on containers"),
  check: runtimeContainerCheck((c) => {
    const shares = c.cpuSharesInput;
    if (isUnresolved(shares)) throw new Error("cpu_shares is a Terraform expression, which cannot be checked at synth time");
    return shares !== undefined && shares > 0 ? COMPLIANT : nonCompliant("cpu_shares is not set (Docker's default weight 1024)");
  }),
};
