import { COMPLIANT, PolicyRule, cis, containerCheck, nonCompliant } from "../rule";

/** Containers do not share the host's IPC namespace. */
export const ContainerHostIpcNamespaceNotShared: PolicyRule = {
  id: "ContainerHostIpcNamespaceNotShared",
  levels: { baseline: "warning", production: "error" },
  description: "Containers do not share the host's IPC namespace (`ipc_mode = \"host\"`).",
  why: "With the host's IPC namespace a container can read and write the shared memory and semaphores of host processes.",
  fix: "Remove `ipc_mode = \"host\"` (use `shareable`/`container:<name>` between containers if they really share memory).",
  reference: cis("Ensure that the host's IPC namespace is not shared"),
  check: containerCheck((c) => (c.ipcModeInput === "host" ? nonCompliant("ipc_mode is host") : COMPLIANT)),
};
