import { isLoopback } from "../facts";
import { PolicyRule, cis, fromFindings, workloadCheck } from "../rule";

/** Published ports listen on 127.0.0.1 unless the service declares them public. */
export const ContainerHostPortsBoundToLoopback: PolicyRule = {
  id: "ContainerHostPortsBoundToLoopback",
  levels: { baseline: "warning", production: "error" },
  description:
    "Published host ports of containers and swarm services are bound to loopback (127.0.0.1) unless the `Service` declares the port `public`; a swarm service publishes only ports declared public.",
  why: "Docker publishes on every host interface by default and its iptables rules bypass host firewalls such as ufw, so an undeclared port is reachable from anywhere the host is. Swarm cannot bind a port to loopback at all: host-mode ports bind every interface of the node running the task, ingress ports every interface of every node.",
  fix: 'Leave `public` unset on the `Service` port (bound to 127.0.0.1 on a container, not published on swarm, where it is reached over the service\'s networks), or set `public: true` for a port that must be reachable (e.g. P2P). On a raw container set `ip = "127.0.0.1"`; never `publish_all_ports`.',
  reference: cis("Ensure that incoming container traffic is bound to a specific host interface"),
  swarm: {
    coverage: "checked",
    text: "`endpoint_spec.ports`: every published port binds every interface (`publish_mode` host or ingress), so each must be declared `public` on the `Service`.",
  },
  check: workloadCheck((w) => {
    const findings: string[] = [];
    if (w.publishAllPorts()) findings.push("publish_all_ports is true");
    for (const p of w.publishedPorts()) {
      if (isLoopback(p.ip) || p.declaredPublic) continue;
      findings.push(
        `port ${p.hostPort ?? "(random)"}->${p.containerPort}/${p.protocol} is published on ${p.where} without being declared public`,
      );
    }
    return fromFindings(findings);
  }),
};
