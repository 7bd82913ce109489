import { SWARM_GAPS, Unexpressible } from "../workload";
import { COMPLIANT, PolicyRule, cis, nonCompliant, runtimeWorkloadCheck, unexpressibleOnSwarm } from "../rule";

/**
 * Containers limit the number of processes they can create. kreuzwerker/docker 4.6 still has no
 * `pids_limit`, so this is informational: it accepts the two partial substitutes the provider has.
 * A swarm service has neither (a recorded gap).
 */
export const ContainerPidsLimited: PolicyRule = {
  id: "ContainerPidsLimited",
  levels: { baseline: "info", production: "info" },
  description:
    "Containers limit how many processes they can create (a `nproc` ulimit, or a `cgroup_parent` whose pids controller sets a limit); swarm services cannot: recorded as a gap.",
  why: "A fork bomb in one container can exhaust the host's process table and take every service down. Docker's `--pids-limit` is the real control, but docker_container in kreuzwerker/docker 4.6 has no `pids_limit` attribute (its source carries a TODO), so this rule cannot be enforced and only reports at info level in every pack.",
  fix: 'Either set a `ulimit { name = "nproc" }` (weaker: RLIMIT_NPROC counts every process of that UID on the host, and root ignores it) or place the container under a `cgroup_parent` slice whose `pids.max` (systemd `TasksMax`) is set on the Docker host; or set a daemon-wide limit on the host (the only option for swarm services).',
  reference: cis("Ensure that the PIDs cgroup limit is used"),
  ...unexpressibleOnSwarm(SWARM_GAPS.pidsLimit, (w) => w.processLimits()),
  check: runtimeWorkloadCheck((w) => {
    const limits = w.processLimits();
    if (limits instanceof Unexpressible) return nonCompliant(limits.finding);
    if (limits.cgroupParent !== undefined) return COMPLIANT;
    if (limits.nproc !== undefined && limits.nproc > 0) return COMPLIANT;
    return nonCompliant("no pids limit (provider 4.6 has no pids_limit; no nproc ulimit or cgroup_parent either)");
  }),
};
