import { ALLOWED_CAPABILITY_ADDITIONS, isUnresolved, normalizeCapability } from "../facts";
import { PolicyRule, cis, containerCheck, fromFindings } from "../rule";

/** Containers drop ALL capabilities and add back only capabilities from a short allow list. */
export const ContainerCapabilitiesDropped: PolicyRule = {
  id: "ContainerCapabilitiesDropped",
  levels: { baseline: "warning", production: "error" },
  description: `Containers drop ALL Linux capabilities and add back only ${ALLOWED_CAPABILITY_ADDITIONS.join(", ")}.`,
  why: "Docker's default capability set includes NET_RAW, MKNOD, SYS_CHROOT and others most services never use; capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE are close to root on the host.",
  fix: "Set `capabilities { drop = [\"ALL\"] }` (the `Service` L2 always does) and list only the needed additions in the `Service` prop `capabilities`.",
  reference: cis("Ensure that Linux kernel capabilities are restricted within containers"),
  check: containerCheck((c) => {
    const caps = c.capabilitiesInput;
    const drop = caps?.drop ?? [];
    const add = caps?.add ?? [];
    if ([...drop, ...add].some(isUnresolved)) throw new Error("capabilities contain a Terraform expression, which cannot be checked at synth time");
    const findings: string[] = [];
    if (!drop.map(normalizeCapability).includes("ALL")) findings.push(`capabilities.drop does not include ALL (got ${JSON.stringify(drop)})`);
    const extra = add.map(normalizeCapability).filter((cap) => !ALLOWED_CAPABILITY_ADDITIONS.includes(cap));
    if (extra.length > 0) findings.push(`capabilities.add has ${extra.join(", ")}, outside the allow list`);
    return fromFindings(findings);
  }),
};
