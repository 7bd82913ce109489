import { isLoopback } from "../facts";
import { PORT_KIND_LABEL_PREFIX } from "../workload";
import { PolicyRule, cis, fromFindings, workloadCheck } from "../rule";

const PRIVATE_KINDS = new Set(["database", "rpc"]);

/** Database and RPC ports are never published beyond loopback. */
export const ContainerDatabaseAndRpcPortsNotPublic: PolicyRule = {
  id: "ContainerDatabaseAndRpcPortsNotPublic",
  levels: { baseline: "warning", production: "error" },
  description: "Database and RPC ports of containers and swarm services are never published beyond loopback, even when declared public.",
  why: "Database servers and node RPC interfaces (e.g. Zebra's JSON-RPC, wallet RPC) are administrative surfaces: exposed, they invite credential stuffing, data theft and fund loss. Other services reach them over the stack network by name.",
  fix: `Keep the port on 127.0.0.1 (drop \`public\`), or do not publish it at all (on swarm, where nothing binds loopback, only the second). A port's kind comes from \`Service\` \`ports[].kind\`; on a raw container or swarm service from a \`${PORT_KIND_LABEL_PREFIX}<containerPort>\` label, else well-known database ports (5432, 3306, 6379, 27017, …) count as database ports. gRPC, HTTP and P2P ports are not covered.`,
  reference: cis("Ensure that only needed ports are open on the container"),
  swarm: {
    coverage: "checked",
    text: "`endpoint_spec.ports` (`target_port` gives the kind); every swarm-published port binds every interface, so any database or RPC port there is a finding.",
  },
  check: workloadCheck((w) =>
    fromFindings(
      w
        .publishedPorts()
        .filter((p) => !isLoopback(p.ip) && p.kind !== undefined && PRIVATE_KINDS.has(p.kind))
        .map((p) => `${p.kind} port ${p.hostPort ?? "(random)"}->${p.containerPort}/${p.protocol} is published on ${p.where}`),
    ),
  ),
};
