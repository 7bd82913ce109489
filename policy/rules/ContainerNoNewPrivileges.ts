import { SWARM_GAPS, Unexpressible } from "../workload";
import { COMPLIANT, PolicyRule, cis, nonCompliant, unexpressibleOnSwarm, workloadCheck } from "../rule";

/** Containers run with `no-new-privileges`; swarm services cannot (a recorded gap). */
export const ContainerNoNewPrivileges: PolicyRule = {
  id: "ContainerNoNewPrivileges",
  levels: { baseline: "warning", production: "error" },
  description: "Containers run with the `no-new-privileges` security option (swarm services cannot set it: recorded as a gap).",
  why: "Without it a setuid or setcap binary inside the container can raise the privileges of the process that runs it.",
  fix: 'Add `no-new-privileges:true` to `security_opts` (the `Service` L2 does unless `allowPrivilegeEscalation` is true). On swarm, set `"no-new-privileges": true` in every node\'s daemon.json.',
  reference: cis("Ensure that the container is restricted from acquiring additional privileges"),
  ...unexpressibleOnSwarm(SWARM_GAPS.noNewPrivileges, (w) => w.noNewPrivileges()),
  check: workloadCheck((w) => {
    const set = w.noNewPrivileges();
    if (set instanceof Unexpressible) return nonCompliant(set.finding);
    return set
      ? COMPLIANT
      : nonCompliant(`${w.attributes.securityOpts} has no no-new-privileges (got ${JSON.stringify(w.securityOpts())})`);
  }),
};
