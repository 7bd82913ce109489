import { isOneShot } from "../facts";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, cis, runtimeContainerCheck, nonCompliant } from "../rule";

/** Long-running containers define a health check. */
export const ContainerHealthCheckDefined: PolicyRule = {
  id: "ContainerHealthCheckDefined",
  levels: { baseline: "warning", production: "error" },
  description: "Long-running containers define a health check (one-shot containers are exempt).",
  why: "Without one Docker reports a hung process as running, monitoring cannot tell, and dependants cannot wait for readiness (`wait`).",
  fix: "Set the `Service` prop `healthCheck`. If the image has no way to probe itself (e.g. distroless, no shell), suppress this rule on the service with that reason.",
  reference: cis("Ensure that container health is checked at runtime"),
  check: runtimeContainerCheck((c) => {
    if (isOneShot(c)) return NOT_APPLICABLE;
    const test = c.healthcheckInput?.test ?? [];
    if (test.length === 0) return nonCompliant("no healthcheck");
    if (test[0] === "NONE") return nonCompliant("healthcheck test is NONE (disables the image's own check)");
    return COMPLIANT;
  }),
};
