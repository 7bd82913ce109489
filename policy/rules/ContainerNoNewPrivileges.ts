import { isUnresolved } from "../facts";
import { COMPLIANT, PolicyRule, cis, containerCheck, nonCompliant } from "../rule";

const NO_NEW_PRIVILEGES = /^no-new-privileges([:=]true)?$/;

/** Containers run with `no-new-privileges`. */
export const ContainerNoNewPrivileges: PolicyRule = {
  id: "ContainerNoNewPrivileges",
  levels: { baseline: "warning", production: "error" },
  description: "Containers run with the `no-new-privileges` security option.",
  why: "Without it a setuid or setcap binary inside the container can raise the privileges of the process that runs it.",
  fix: "Add `no-new-privileges:true` to `security_opts` (the `Service` L2 does unless `allowPrivilegeEscalation` is true).",
  reference: cis("Ensure that the container is restricted from acquiring additional privileges"),
  check: containerCheck((c) => {
    const opts = c.securityOptsInput ?? [];
    if (opts.some(isUnresolved)) throw new Error("security_opts contain a Terraform expression, which cannot be checked at synth time");
    return opts.some((o) => NO_NEW_PRIVILEGES.test(o.trim())) ? COMPLIANT : nonCompliant(`security_opts has no no-new-privileges (got ${JSON.stringify(opts)})`);
  }),
};
