import { isOneShot } from "../facts";
import { COMPLIANT, PolicyRule, cis, runtimeContainerCheck, nonCompliant } from "../rule";

/** Docker's `on-failure` retries at most this many times (the benchmark's recommendation). */
export const MAX_RESTART_RETRIES = 5;

/** Containers set a restart policy explicitly, and bounded. */
export const ContainerRestartPolicyBounded: PolicyRule = {
  id: "ContainerRestartPolicyBounded",
  levels: { baseline: "warning", production: "error" },
  description: `Containers set a restart policy explicitly: long-running ones \`unless-stopped\` or \`on-failure\` with 1 to ${MAX_RESTART_RETRIES} retries; one-shot ones \`no\` or bounded \`on-failure\`.`,
  why: "Docker's default `no` leaves a long-running service down after a crash or a host reboot. `always` also brings back a container an operator stopped on purpose whenever the daemon restarts, and `on-failure` without a retry count restarts a crashing container forever. `unless-stopped` is accepted (unlike the benchmark's strict `on-failure:5`): the daemon's exponential back-off bounds its restart rate and it respects a manual stop.",
  fix: `Set \`restart\` (the \`Service\` L2 sets \`unless-stopped\`, or \`no\` for one-shot services) and, with \`on-failure\`, \`max_retry_count\` between 1 and ${MAX_RESTART_RETRIES}.`,
  reference: cis("Ensure that the 'on-failure' container restart policy is set to '5'"),
  check: runtimeContainerCheck((c) => {
    const restart = c.restartInput;
    const retries = c.maxRetryCountInput;
    if (restart === "on-failure") {
      return retries !== undefined && retries >= 1 && retries <= MAX_RESTART_RETRIES
        ? COMPLIANT
        : nonCompliant(`restart is on-failure with max_retry_count ${retries ?? "unset"} (unbounded or above ${MAX_RESTART_RETRIES})`);
    }
    if (isOneShot(c)) {
      return restart === "no" ? COMPLIANT : nonCompliant(`one-shot container has restart ${JSON.stringify(restart ?? "(not set)")}`);
    }
    if (restart === undefined) return nonCompliant("restart is not set (Docker's default \"no\" leaves the service down after a crash or reboot)");
    if (restart === "unless-stopped") return COMPLIANT;
    if (restart === "always") return nonCompliant("restart is always (also restarts a container stopped on purpose when the daemon restarts)");
    return nonCompliant(`restart is ${JSON.stringify(restart)} for a long-running container`);
  }),
};
