import { COMPLIANT, PolicyRule, cis, nonCompliant, workloadCheck } from "../rule";

/** Containers do not share the host's PID namespace (swarm services cannot). */
export const ContainerHostPidNamespaceNotShared: PolicyRule = {
  id: "ContainerHostPidNamespaceNotShared",
  levels: { baseline: "warning", production: "error" },
  description: 'Containers do not share the host\'s process namespace (`pid_mode = "host"`; swarm services cannot).',
  why: "With the host's PID namespace a container sees every host process and, with enough privileges, can signal or trace them.",
  fix: 'Remove `pid_mode = "host"`.',
  reference: cis("Ensure that the host's process namespace is not shared"),
  swarm: {
    coverage: "by-construction",
    text: "a `docker_service` has no PID mode (swarm tasks always get their own PID namespace), so every swarm service complies.",
  },
  check: workloadCheck((w) => (w.pidMode() === "host" ? nonCompliant("pid_mode is host") : COMPLIANT)),
};
