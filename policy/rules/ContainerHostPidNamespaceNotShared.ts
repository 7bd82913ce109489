import { COMPLIANT, PolicyRule, cis, containerCheck, nonCompliant } from "../rule";

/** Containers do not share the host's PID namespace. */
export const ContainerHostPidNamespaceNotShared: PolicyRule = {
  id: "ContainerHostPidNamespaceNotShared",
  levels: { baseline: "warning", production: "error" },
  description: "Containers do not share the host's process namespace (`pid_mode = \"host\"`).",
  why: "With the host's PID namespace a container sees every host process and, with enough privileges, can signal or trace them.",
  fix: "Remove `pid_mode = \"host\"`.",
  reference: cis("Ensure that the host's process namespace is not shared"),
  check: containerCheck((c) => (c.pidModeInput === "host" ? nonCompliant("pid_mode is host") : COMPLIANT)),
};
