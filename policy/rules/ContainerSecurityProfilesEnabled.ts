import { isUnresolved } from "../facts";
import { PolicyRule, cis, containerCheck, fromFindings } from "../rule";

const DISABLED = /^(seccomp[:=]unconfined|apparmor[:=]unconfined|label[:=]disable)$/i;

/** Containers keep the default seccomp, AppArmor and SELinux confinement. */
export const ContainerSecurityProfilesEnabled: PolicyRule = {
  id: "ContainerSecurityProfilesEnabled",
  levels: { baseline: "warning", production: "error" },
  description: "Containers keep Docker's default seccomp, AppArmor and SELinux confinement.",
  why: "The default seccomp profile blocks about 44 dangerous system calls (kernel module loading, `mount`, `kexec`…); `unconfined` removes that layer and AppArmor's.",
  fix: "Remove `seccomp=unconfined`, `apparmor=unconfined` and `label=disable` from `security_opts`, or supply a custom profile that allows only the extra calls needed.",
  reference: `${cis("Ensure that the default seccomp profile is not Disabled")}; ${cis("Ensure that, if applicable, an AppArmor Profile is enabled")}`,
  check: containerCheck((c) => {
    const opts = c.securityOptsInput ?? [];
    if (opts.some(isUnresolved)) throw new Error("security_opts contain a Terraform expression, which cannot be checked at synth time");
    return fromFindings(opts.filter((o) => DISABLED.test(o.trim())).map((o) => `security_opts has ${o}`));
  }),
};
