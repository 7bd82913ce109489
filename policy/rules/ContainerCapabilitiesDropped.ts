import { ALLOWED_CAPABILITY_ADDITIONS, normalizeCapability } from "../facts";
import { PolicyRule, cis, fromFindings, workloadCheck } from "../rule";

/** Containers and swarm services drop ALL capabilities and add back only capabilities from a short allow list. */
export const ContainerCapabilitiesDropped: PolicyRule = {
  id: "ContainerCapabilitiesDropped",
  levels: { baseline: "warning", production: "error" },
  description: `Containers and swarm services drop ALL Linux capabilities and add back only ${ALLOWED_CAPABILITY_ADDITIONS.join(", ")}.`,
  why: "Docker's default capability set includes NET_RAW, MKNOD, SYS_CHROOT and others most services never use; capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE are close to root on the host. So is DAC_READ_SEARCH: Docker's default seccomp profile allows `open_by_handle_at` to a container that has it, and that call opens any file of the host's filesystem by its handle (the \"Shocker\" escape); DAC_OVERRIDE reads files of any owner without it.",
  fix: 'Set `capabilities { drop = ["ALL"] }` on a container, `cap_drop = ["ALL"]` on a swarm service\'s container spec (the `Service` L2 always does), and list only the needed additions in the `Service` prop `capabilities`.',
  reference: cis("Ensure that Linux kernel capabilities are restricted within containers"),
  swarm: { coverage: "checked", text: "`task_spec.container_spec.cap_drop` and `cap_add`." },
  check: workloadCheck((w) => {
    const { drop, add } = w.capabilities();
    const findings: string[] = [];
    if (!drop.map(normalizeCapability).includes("ALL"))
      findings.push(`${w.attributes.capDrop} does not include ALL (got ${JSON.stringify(drop)})`);
    const extra = add.map(normalizeCapability).filter((cap) => !ALLOWED_CAPABILITY_ADDITIONS.includes(cap));
    if (extra.length > 0) findings.push(`${w.attributes.capAdd} has ${extra.join(", ")}, outside the allow list`);
    return fromFindings(findings);
  }),
};
