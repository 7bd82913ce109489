import { COMPLIANT, PolicyRule, cis, nonCompliant, workloadCheck } from "../rule";

/** Containers do not share the host's IPC namespace (swarm services cannot). */
export const ContainerHostIpcNamespaceNotShared: PolicyRule = {
  id: "ContainerHostIpcNamespaceNotShared",
  levels: { baseline: "warning", production: "error" },
  description: 'Containers do not share the host\'s IPC namespace (`ipc_mode = "host"`; swarm services cannot).',
  why: "With the host's IPC namespace a container can read and write the shared memory and semaphores of host processes.",
  fix: 'Remove `ipc_mode = "host"` (use `shareable`/`container:<name>` between containers if they really share memory).',
  reference: cis("Ensure that the host's IPC namespace is not shared"),
  swarm: {
    coverage: "by-construction",
    text: "a `docker_service` has no IPC mode (swarm tasks always get their own IPC namespace), so every swarm service complies.",
  },
  check: workloadCheck((w) => (w.ipcMode() === "host" ? nonCompliant("ipc_mode is host") : COMPLIANT)),
};
