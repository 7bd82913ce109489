import { isUnresolved } from "../facts";
import { COMPLIANT, PolicyRule, cis, runtimeContainerCheck, nonCompliant } from "../rule";

/** Containers have a CPU limit. */
export const ContainerCpuLimited: PolicyRule = {
  id: "ContainerCpuLimited",
  levels: { baseline: "warning", production: "error" },
  description: "Containers have a CPU limit (`cpus`, or `cpu_quota`).",
  why: "Without a limit one busy container can starve every other service on the host.",
  fix: "Set the service's `resources.cpus` (from the environment settings). Prefer `cpus` (what `Service` writes): provider 4.6 declares `cpu_quota` updatable in place but never applies the change.",
  reference: cis("Ensure that CPU priority is set appropriately on containers"),
  check: runtimeContainerCheck((c) => {
    const cpus = c.cpusInput;
    if (cpus !== undefined && (isUnresolved(cpus) || Number(cpus) > 0)) return COMPLIANT;
    const quota = c.cpuQuotaInput;
    if (quota !== undefined && (isUnresolved(quota) || quota > 0)) return COMPLIANT;
    return nonCompliant("neither cpus nor cpu_quota is set");
  }),
};
