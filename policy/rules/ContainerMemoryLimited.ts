import { isUnresolved } from "../facts";
import { COMPLIANT, PolicyRule, cis, runtimeContainerCheck, nonCompliant } from "../rule";

/** Containers have a memory limit. */
export const ContainerMemoryLimited: PolicyRule = {
  id: "ContainerMemoryLimited",
  levels: { baseline: "warning", production: "error" },
  description: "Containers have a memory limit (`memory`).",
  why: "Without a limit one leaking or attacked container can exhaust the host's memory and get other services killed by the kernel's OOM killer.",
  fix: "Set the service's `resources.memoryMiB` (from the environment settings).",
  reference: cis("Ensure that the memory usage for containers is limited"),
  check: runtimeContainerCheck((c) => {
    const memory = c.memoryInput;
    if (isUnresolved(memory)) throw new Error("memory is a Terraform expression, which cannot be checked at synth time");
    return memory !== undefined && memory > 0 ? COMPLIANT : nonCompliant("memory is not set");
  }),
};
