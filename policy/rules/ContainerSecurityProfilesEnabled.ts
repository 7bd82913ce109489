import { PolicyRule, cis, fromFindings, workloadCheck } from "../rule";

const DISABLED = /^(seccomp[:=]unconfined|apparmor[:=]unconfined|label[:=]disable)$/i;

/** Containers and swarm services keep the default seccomp, AppArmor and SELinux confinement. */
export const ContainerSecurityProfilesEnabled: PolicyRule = {
  id: "ContainerSecurityProfilesEnabled",
  levels: { baseline: "warning", production: "error" },
  description: "Containers and swarm services keep Docker's default seccomp, AppArmor and SELinux confinement.",
  why: "The default seccomp profile blocks about 44 dangerous system calls (kernel module loading, `mount`, `kexec`…); `unconfined` removes that layer and AppArmor's.",
  fix: "Remove `seccomp=unconfined`, `apparmor=unconfined` and `label=disable` from `security_opts` (on a swarm service, `privileges.se_linux_context.disable`), or, on a container, supply a custom profile that allows only the extra calls needed.",
  reference: `${cis("Ensure that the default seccomp profile is not Disabled")}; ${cis("Ensure that, if applicable, an AppArmor Profile is enabled")}`,
  swarm: {
    coverage: "checked",
    text: "SELinux through `task_spec.container_spec.privileges.se_linux_context.disable` (swarm's `label=disable`). A `docker_service` in provider 4.6 has no seccomp or AppArmor option, so its tasks always run under the daemon's default profiles: they cannot be turned off (compliant by construction), and a custom profile cannot be given either.",
  },
  check: workloadCheck((w) =>
    fromFindings(
      w
        .securityOpts()
        .filter((o) => DISABLED.test(o))
        .map((o) => `${w.attributes.securityOpts} has ${o}`),
    ),
  ),
};
