import {} from "../facts";
import { PolicyRule, cis, fromFindings, workloadCheck } from "../rule";

const SOCKETS = ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock"];

/** True when a host path is a container-engine socket or a directory that contains one. */
function exposesSocket(hostPath: string): boolean {
  const p = hostPath.replace(/\/+$/, "") || "/";
  if (p.endsWith("/docker.sock") || p.endsWith("/containerd.sock")) return true;
  return SOCKETS.some((s) => p === "/" || s === p || s.startsWith(p + "/"));
}

/** Containers and swarm services do not mount the Docker socket. */
export const ContainerDockerSocketNotMounted: PolicyRule = {
  id: "ContainerDockerSocketNotMounted",
  levels: { baseline: "warning", production: "error" },
  description: "Containers and swarm services do not mount the Docker (or containerd) socket, or a host directory that contains it.",
  why: "Whoever can talk to the Docker socket can start a privileged container with the host's root filesystem mounted: it is root on the host. On a swarm manager it also controls the whole swarm.",
  fix: "Remove the bind mount. A tool that must manage containers should go through an API proxy that allows only the calls it needs.",
  reference: cis("Ensure that the Docker socket is not mounted inside any containers"),
  swarm: { coverage: "checked", text: 'bind mounts in `task_spec.container_spec.mounts` (`type = "bind"`, `source`).' },
  check: workloadCheck((w) => {
    const findings: string[] = [];
    for (const hostPath of w.hostPaths()) {
      const text = hostPath;
      if (!text.includes("${")) {
        if (exposesSocket(text)) findings.push(`host path ${text} is mounted`);
        continue;
      }
      // `${var.source_dir}/src`: the literal tail decides; a path that ends in an expression cannot be checked.
      const tail = text.slice(text.lastIndexOf("}") + 1);
      if (tail === "") findings.push(`host path ${text} cannot be checked at synth time (it ends in a Terraform expression)`);
      else if (/(docker|containerd)\.sock\/?$/.test(tail)) findings.push(`host path ${text} is mounted`);
    }
    return fromFindings(findings);
  }),
};
