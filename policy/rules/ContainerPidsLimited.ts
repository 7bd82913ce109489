import { isUnresolved, listInput } from "../facts";
import { COMPLIANT, PolicyRule, cis, runtimeContainerCheck, nonCompliant } from "../rule";

/**
 * Containers limit the number of processes they can create. kreuzwerker/docker 4.6 still has no
 * `pids_limit`, so this is informational: it accepts the two partial substitutes the provider has.
 */
export const ContainerPidsLimited: PolicyRule = {
  id: "ContainerPidsLimited",
  levels: { baseline: "info", production: "info" },
  description: "Containers limit how many processes they can create (a `nproc` ulimit, or a `cgroup_parent` whose pids controller sets a limit).",
  why: "A fork bomb in one container can exhaust the host's process table and take every service down. Docker's `--pids-limit` is the real control, but docker_container in kreuzwerker/docker 4.6 has no `pids_limit` attribute (its source carries a TODO), so this rule cannot be enforced and only reports at info level in every pack.",
  fix: "Either set a `ulimit { name = \"nproc\" }` (weaker: RLIMIT_NPROC counts every process of that UID on the host, and root ignores it) or place the container under a `cgroup_parent` slice whose `pids.max` (systemd `TasksMax`) is set on the Docker host; or set a daemon-wide limit on the host.",
  reference: cis("Ensure that the PIDs cgroup limit is used"),
  check: runtimeContainerCheck((c) => {
    const parent = c.cgroupParentInput;
    if (parent !== undefined && parent !== "") return COMPLIANT;
    const ulimits = listInput(c.ulimitInput, "ulimit");
    const nproc = ulimits.find((u) => u.name === "nproc");
    if (nproc && isUnresolved(nproc.hard)) throw new Error("the nproc ulimit is a Terraform expression, which cannot be checked at synth time");
    if (nproc && nproc.hard > 0) return COMPLIANT;
    return nonCompliant("no pids limit (provider 4.6 has no pids_limit; no nproc ulimit or cgroup_parent either)");
  }),
};
