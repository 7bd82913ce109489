import { COMPLIANT, PolicyRule, runtimeWorkloadCheck, nonCompliant } from "../rule";

/** Containers and swarm services have a CPU limit. */
export const ContainerCpuLimited: PolicyRule = {
  id: "ContainerCpuLimited",
  levels: { baseline: "warning", production: "error" },
  description: "Containers and swarm services have a CPU limit (`cpus` or `cpu_quota`; on swarm `resources.limits.nano_cpus`).",
  why: "Without a limit one busy container can starve every other service on the host.",
  fix: "Set the service's `resources.cpus` (from the environment settings). On a container `Service` writes a CFS quota (Docker refuses `cpus` above the host's CPU count) and a `cpu-limit` label, because provider 4.6 declares `cpu_quota` updatable in place but never applies the change; on swarm it writes `nano_cpus`.",
  reference:
    "Docker documentation, Resource constraints: CPU (`--cpus`); the CIS recommendation on CPU priority is ContainerCpuPrioritySet",
  swarm: { coverage: "checked", text: "`task_spec.resources.limits.nano_cpus`." },
  check: runtimeWorkloadCheck((w) => {
    if (w.cpuLimitCores() !== undefined) return COMPLIANT;
    return nonCompliant(w.kind === "container" ? "neither cpus nor cpu_quota is set" : `${w.attributes.cpuLimit} is not set`);
  }),
};
