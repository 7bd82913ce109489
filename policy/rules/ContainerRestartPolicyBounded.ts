import { COMPLIANT, PolicyRule, cis, runtimeWorkloadCheck, nonCompliant } from "../rule";

/** Docker's `on-failure` retries at most this many times (the benchmark's recommendation). */
export const MAX_RESTART_RETRIES = 5;

/** Long-running: the container's `unless-stopped`, or swarm's `any` (it stops only when the service is scaled down or removed). */
const LONG_RUNNING = new Set(["unless-stopped", "any"]);
/** One-shot: never restarted (`no` on a container, `none` on swarm). */
const NEVER = new Set(["no", "none"]);

/** Containers and swarm services set a restart policy explicitly, and bounded. */
export const ContainerRestartPolicyBounded: PolicyRule = {
  id: "ContainerRestartPolicyBounded",
  levels: { baseline: "warning", production: "error" },
  description: `Containers and swarm services set a restart policy explicitly: long-running ones \`unless-stopped\` (swarm: \`any\`) or \`on-failure\` with 1 to ${MAX_RESTART_RETRIES} retries; one-shot ones \`no\` (swarm: \`none\`) or bounded \`on-failure\`.`,
  why: "Docker's default `no` leaves a long-running service down after a crash or a host reboot. `always` also brings back a container an operator stopped on purpose whenever the daemon restarts, and `on-failure` without a retry count restarts a crashing container forever. `unless-stopped` is accepted (unlike the benchmark's strict `on-failure:5`): the daemon's exponential back-off bounds its restart rate and it respects a manual stop. Swarm's `any` is its equivalent: restarts are paced by `restart_policy.delay` and a service is stopped by scaling it down, which swarm respects.",
  fix: `Set \`restart\` (the \`Service\` L2 sets \`unless-stopped\`, or \`no\` for one-shot services) and, with \`on-failure\`, \`max_retry_count\` between 1 and ${MAX_RESTART_RETRIES}. On swarm set \`task_spec.restart_policy\` (the L2 sets \`any\`, or \`on-failure\` with \`max_attempts\`).`,
  reference: cis("Ensure that the 'on-failure' container restart policy is set to '5'"),
  swarm: { coverage: "checked", text: "`task_spec.restart_policy.condition` and `max_attempts` (0 is unlimited)." },
  check: runtimeWorkloadCheck((w) => {
    const { condition, maxRetries } = w.restartPolicy();
    const { restart, maxRetries: retriesAttribute } = w.attributes;
    if (condition === "on-failure") {
      return maxRetries !== undefined && maxRetries >= 1 && maxRetries <= MAX_RESTART_RETRIES
        ? COMPLIANT
        : nonCompliant(
            `${restart} is on-failure with ${retriesAttribute} ${maxRetries ?? "unset"} (unbounded or above ${MAX_RESTART_RETRIES})`,
          );
    }
    if (w.oneShot()) {
      return condition !== undefined && NEVER.has(condition)
        ? COMPLIANT
        : nonCompliant(`one-shot ${w.noun} has ${restart} ${JSON.stringify(condition ?? "(not set)")}`);
    }
    if (condition === undefined) {
      return nonCompliant(
        w.kind === "container"
          ? `${restart} is not set (Docker's default "no" leaves the service down after a crash or reboot)`
          : `${restart} is not set (swarm's default applies, which the plan does not show)`,
      );
    }
    if (LONG_RUNNING.has(condition)) return COMPLIANT;
    if (condition === "always")
      return nonCompliant(`${restart} is always (also restarts a container stopped on purpose when the daemon restarts)`);
    return nonCompliant(`${restart} is ${JSON.stringify(condition)} for a long-running ${w.noun}`);
  }),
};
