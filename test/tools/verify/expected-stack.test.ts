/**
 * What verify expects of the app's own stacks (tools/verify/expected-stack.ts, on the reader
 * tools/model/synthesized-stack.ts) and the connections it models (tools/verify/links.ts).
 */
import { Testing } from "../../../lib/cdk";
import { buildApp } from "../../../app";
import { ENVIRONMENTS } from "../../../config/environments";
import { expectedStack, healthCheckPorts, listenAddressPorts } from "../../../tools/verify/expected-stack";
import { addressing, modelledLinks } from "../../../tools/verify/links";
import { Variables } from "../../../tools/verify/variable-values";

const synthesized: Record<string, { variable?: Record<string, { default?: unknown }> }> = Object.fromEntries(
  buildApp(Testing.app(), ENVIRONMENTS).map((s) => [s.node.id, JSON.parse(Testing.synth(s))]),
);

describe("reading the stacks", () => {
  const model = (stack: string, cli: Record<string, string> = {}) => {
    const config = synthesized[stack];
    return expectedStack(stack, config, new Variables(config.variable ?? {}, cli, {}));
  };
  const links = (stack: string) =>
    modelledLinks(model(stack)).map((l) => `${l.from.name} → ${l.alias}:${l.ports.join(",")} [${l.reasons.join("; ")}]`);

  test("the connections users expect: the API reaches its database, Zaino reaches Zebra, jessy-api reaches jessy-core", () => {
    // The backup runner dumps the database (pg_dump host and port are arguments of its script, not an address verify reads).
    expect(links("zfs-sync-production")).toEqual([
      "zfs-sync-production-backup → postgres: [depends_on]",
      "zfs-sync-production-app → postgres:5432 [depends_on; addressed as postgres:5432]",
      "zfs-sync-production-proxy → zfs-sync:8000 [depends_on; addressed as zfs-sync:8000]",
    ]);
    expect(links("zfs-sync-staging")).toEqual([
      "zfs-sync-staging-app → postgres:5432 [depends_on; addressed as postgres:5432]",
      "zfs-sync-staging-proxy → zfs-sync:8000 [depends_on; addressed as zfs-sync:8000]",
    ]);
    expect(links("zcash-staging")).toContain("z3-testnet-zaino → zebra:8080,9999,18232,18233 [depends_on; addressed as zebra:18232]");
    expect(links("zcash-staging")).toContain("z3-testnet-prometheus → zebra:8080,9999,18232,18233 [addressed as zebra:9999]");
    expect(links("jessy-dev")).toEqual(["jessy-dev-api → jessy-core:8080 [depends_on; addressed as jessy-core:8080]"]);
    expect(links("jessy-staging")).toEqual(["jessy-staging-api → jessy-core:8080 [depends_on; addressed as jessy-core:8080]"]);
  });

  test("services, one-shot jobs and loaders; count from the variables", () => {
    const m = model("zfs-sync-production");
    // Production requires backups: the runner is always deployed, a container.
    expect(m.services.map((s) => `${s.kind} ${s.name}`)).toEqual([
      "container zfs-sync-production-backup",
      "container zfs-sync-production-app",
      "container zfs-sync-production-postgres",
      "container zfs-sync-production-proxy",
    ]);
    expect(m.oneShots.map((j) => j.name)).toEqual(["zfs-sync-production-migrate"]);
    expect(m.services.find((s) => s.name.endsWith("proxy"))!.ports).toEqual([
      { protocol: "tcp", internal: 8443, external: 443, ip: "0.0.0.0" },
    ]);
    const swarm = model("jessy-staging");
    // The backup runner stays a container on the swarm (it reads the data node's volumes), one per stack.
    expect(swarm.services.map((s) => `${s.kind} ${s.name} ×${s.replicas}`)).toEqual([
      "container jessy-staging-backup ×undefined",
      "swarm jessy-staging-api ×2",
      "swarm jessy-staging-core ×1",
    ]);
    expect(swarm.services.find((s) => s.name === "jessy-staging-api")!.networks).toEqual([
      { network: "jessy-staging-network", aliases: ["jessy-api", "jessy-staging-api"] },
    ]);
    expect(model("zcash-staging").services.find((s) => s.name === "z3-testnet-zaino")!.deployed).toBe(true);
    expect(model("zcash-staging", { z3_consumers_enabled: "false" }).services.find((s) => s.name === "z3-testnet-zaino")!.deployed).toBe(
      false,
    );
  });

  test("no secret value is ever resolved: the configuration text keeps the variable references", () => {
    const app = model("zfs-sync-staging").services.find((s) => s.name === "zfs-sync-staging-app")!;
    // zfs_sync.yaml's URL, which Terraform writes as a quoted string (lib/terraform-json-string.ts).
    expect(app.text).toContain(
      'jsonencode(join("", ["postgresql://zfssync:", urlencode(var.postgres_password), "@postgres:5432/zfssync"]))',
    );
  });

  test("ports from health checks and listen addresses; addressing of an alias", () => {
    expect(healthCheckPorts(["CMD-SHELL", "bash -c 'echo > /dev/tcp/127.0.0.1/8137'"])).toEqual([8137]);
    expect(healthCheckPorts(["CMD", "curl", "-f", "http://localhost:8000/api/v1/health"])).toEqual([8000]);
    expect(healthCheckPorts(["CMD-SHELL", "pg_isready -U zfssync -d zfssync -h 127.0.0.1"])).toEqual([]);
    expect(
      listenAddressPorts('ZEBRA_METRICS__ENDPOINT_ADDR=0.0.0.0:9999\nbind = ["0.0.0.0:28232"]\nlisten [::]:8080;\n10.0.0.0:1'),
    ).toEqual([9999, 28232, 8080]);
    expect(addressing('database_url: "postgresql://u:${var.p}@postgres:5432/db"', "postgres")).toEqual({ ports: [5432], addressed: true });
    expect(addressing("RUST_SERVICE_URL=http://jessy-core:8080", "jessy-core")).toEqual({ ports: [8080], addressed: true });
    expect(addressing('/home/zebra/.cache/zebra and up{job="zebra"}', "zebra")).toEqual({ ports: [], addressed: false });
    expect(addressing("url: http://prometheus", "prometheus")).toEqual({ ports: [], addressed: true });
    expect(addressing("z3-testnet-zebra:18232", "zebra")).toEqual({ ports: [], addressed: false });
  });
});
