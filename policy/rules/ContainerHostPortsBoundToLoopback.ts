import { booleanInput, isLoopback, publishedPorts } from "../facts";
import { PolicyRule, cis, containerCheck, fromFindings } from "../rule";

/** Published ports listen on 127.0.0.1 unless the service declares them public. */
export const ContainerHostPortsBoundToLoopback: PolicyRule = {
  id: "ContainerHostPortsBoundToLoopback",
  levels: { baseline: "warning", production: "error" },
  description: "Published host ports are bound to loopback (127.0.0.1) unless the `Service` declares the port `public`.",
  why: "Docker publishes on every host interface by default and its iptables rules bypass host firewalls such as ufw, so an undeclared port is reachable from anywhere the host is.",
  fix: "Leave `public` unset on the `Service` port (bound to 127.0.0.1), or set `public: true` for a port that must be reachable (e.g. P2P). On a raw container set `ip = \"127.0.0.1\"`; never `publish_all_ports`.",
  reference: cis("Ensure that incoming container traffic is bound to a specific host interface"),
  check: containerCheck((c) => {
    const findings: string[] = [];
    if (booleanInput(c.publishAllPortsInput, "publish_all_ports") === true) findings.push("publish_all_ports is true");
    for (const p of publishedPorts(c)) {
      if (isLoopback(p.ip) || p.declaredPublic) continue;
      findings.push(`port ${p.hostPort ?? "(random)"}->${p.containerPort}/${p.protocol} is published on ${p.ip} without being declared public`);
    }
    return fromFindings(findings);
  }),
};
