import { COMPLIANT, NOT_APPLICABLE, PolicyRule, cis, runtimeWorkloadCheck, nonCompliant } from "../rule";

/** Long-running containers and swarm services define a health check. */
export const ContainerHealthCheckDefined: PolicyRule = {
  id: "ContainerHealthCheckDefined",
  levels: { baseline: "warning", production: "error" },
  description: "Long-running containers and swarm services define a health check (one-shot containers are exempt).",
  why: "Without one Docker reports a hung process as running, monitoring cannot tell, and dependants cannot wait for readiness (`wait`). On swarm, rolling updates and rollbacks wait for a task to turn healthy; without a check a task counts as ready the moment it starts.",
  fix: "Set the `Service` prop `healthCheck`. If the image has no way to probe itself (e.g. distroless, no shell), suppress this rule on the service with that reason.",
  reference: cis("Ensure that container health is checked at runtime"),
  swarm: {
    coverage: "checked",
    text: "`task_spec.container_spec.healthcheck`. Its `start_interval` cannot be expressed on swarm (provider 4.6, Engine API 1.45); this rule does not require it.",
  },
  check: runtimeWorkloadCheck((w) => {
    if (w.oneShot()) return NOT_APPLICABLE;
    const test = w.healthcheckTest();
    if (test.length === 0)
      return nonCompliant(w.kind === "container" ? "no healthcheck" : `no healthcheck (${w.attributes.healthcheck} is not set)`);
    if (test[0] === "NONE") return nonCompliant("healthcheck test is NONE (disables the image's own check)");
    return COMPLIANT;
  }),
};
