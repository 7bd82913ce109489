import { isUnresolved } from "../facts";
import { COMPLIANT, PolicyRule, runtimeContainerCheck, nonCompliant } from "../rule";

/** Containers have a CPU limit. */
export const ContainerCpuLimited: PolicyRule = {
  id: "ContainerCpuLimited",
  levels: { baseline: "warning", production: "error" },
  description: "Containers have a CPU limit (`cpus`, or `cpu_quota`).",
  why: "Without a limit one busy container can starve every other service on the host.",
  fix: "Set the service's `resources.cpus` (from the environment settings). `Service` writes a CFS quota (Docker refuses `cpus` above the host's CPU count) and a `cpu-limit` label, because provider 4.6 declares `cpu_quota` updatable in place but never applies the change.",
  reference: "Docker documentation, Resource constraints: CPU (`--cpus`); the CIS recommendation on CPU priority is ContainerCpuPrioritySet",
  check: runtimeContainerCheck((c) => {
    const cpus = c.cpusInput;
    const quota = c.cpuQuotaInput;
    if (isUnresolved(cpus) || isUnresolved(quota)) throw new Error("the CPU limit is a Terraform expression, which cannot be checked at synth time");
    if (cpus !== undefined && Number(cpus) > 0) return COMPLIANT;
    if (quota !== undefined && quota > 0) return COMPLIANT;
    return nonCompliant("neither cpus nor cpu_quota is set");
  }),
};
