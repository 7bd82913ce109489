import { COMPLIANT, PolicyRule, cis, runtimeWorkloadCheck, nonCompliant } from "../rule";

/** Containers and swarm services have a memory limit. */
export const ContainerMemoryLimited: PolicyRule = {
  id: "ContainerMemoryLimited",
  levels: { baseline: "warning", production: "error" },
  description: "Containers and swarm services have a memory limit (`memory`; on swarm `resources.limits.memory_bytes`).",
  why: "Without a limit one leaking or attacked container can exhaust the host's memory and get other services killed by the kernel's OOM killer.",
  fix: "Set the service's `resources.memoryMiB` (from the environment settings).",
  reference: cis("Ensure that the memory usage for containers is limited"),
  swarm: { coverage: "checked", text: "`task_spec.resources.limits.memory_bytes`." },
  check: runtimeWorkloadCheck((w) => (w.memoryLimitBytes() !== undefined ? COMPLIANT : nonCompliant(`${w.attributes.memory} is not set`))),
};
