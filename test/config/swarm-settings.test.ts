import { ENVIRONMENTS } from "../../config/environments";
import { MAX_REPLICAS, replicasOf } from "../../config/common";
import { settingsProblems } from "../../config/settings";
import { clone, problems, put } from "./settings-helpers";

/** The environment-level `swarm` settings and the per-system `deployment` settings (config/common.ts, config/settings.ts). */

const SWARM = { endpointMode: "dnsrr", encryptOverlay: true, dataNodeLabel: "z3-infra.data" } as const;

const NO_SWARM = '"containers", unless the environment has swarm settings (swarm: endpointMode, encryptOverlay, dataNodeLabel)';
const ZFS_SYNC_REPLICAS = "app, proxy; replicas for the stateless services only: the database and the migration job run once";
const LABEL = `a node label key: letters, digits, '.', '-' and '_', starting with a letter (e.g. "z3-infra.data")`;

describe("shipped swarm settings", () => {
  test("every shipped environment validates", () => {
    expect(problems(ENVIRONMENTS)).toEqual([]);
    for (const env of Object.values(ENVIRONMENTS)) expect([env.name, settingsProblems(env)]).toEqual([env.name, []]);
  });
  test("staging has a dnsrr swarm without overlay encryption; dev and production have none", () => {
    expect(ENVIRONMENTS.staging.swarm).toEqual({ endpointMode: "dnsrr", encryptOverlay: false, dataNodeLabel: "z3-infra.data" });
    expect(ENVIRONMENTS.dev.swarm).toBeUndefined();
    expect(ENVIRONMENTS.production.swarm).toBeUndefined();
  });
  test("staging runs Jessy and ZFS Sync on the swarm and Z3 on containers; production runs everything on containers", () => {
    expect(ENVIRONMENTS.staging.jessy.deployment).toEqual({ target: "swarm", replicas: { api: 2 } });
    expect(ENVIRONMENTS.staging.zfsSync.deployment).toEqual({ target: "swarm", replicas: { app: 2, proxy: 2 } });
    expect(ENVIRONMENTS.staging.z3.deployment).toBeUndefined();
    for (const system of ["z3", "jessy", "zfsSync"] as const)
      expect([system, ENVIRONMENTS.production[system].deployment]).toEqual([system, undefined]);
  });
  test("replicasOf reads a service's replicas from swarm deployments only", () => {
    expect(replicasOf(ENVIRONMENTS.staging.zfsSync.deployment, "app")).toBe(2);
    expect(replicasOf(ENVIRONMENTS.staging.zfsSync.deployment, "postgres" as "app")).toBeUndefined();
    expect(replicasOf({ target: "swarm" }, "app")).toBeUndefined();
    expect(replicasOf({ target: "containers" }, "app")).toBeUndefined();
    expect(replicasOf(undefined, "app")).toBeUndefined();
  });
});

describe("swarm settings validation", () => {
  test("fails when a system targets swarm but the environment has no swarm settings", () => {
    const all = clone();
    all.production.zfsSync.deployment = { target: "swarm" };
    expect(problems(all)).toEqual([`[production] zfsSync.deployment.target: got "swarm"; allowed: ${NO_SWARM}`]);
  });
  test("fails for every system that targets swarm when the swarm settings are removed", () => {
    const all = clone();
    delete all.staging.swarm;
    expect(problems(all)).toEqual([
      `[staging] jessy.deployment.target: got "swarm"; allowed: ${NO_SWARM}`,
      `[staging] zfsSync.deployment.target: got "swarm"; allowed: ${NO_SWARM}`,
    ]);
  });
  test("fails when a Z3 swarm deployment has no swarm to run on", () => {
    const all = clone();
    all.dev.z3.deployment = { target: "swarm" };
    expect(problems(all)).toEqual([`[dev] z3.deployment.target: got "swarm"; allowed: ${NO_SWARM}`]);
  });
  test("fails when production's swarm does not encrypt overlay traffic", () => {
    const all = clone();
    all.production.swarm = { ...SWARM, encryptOverlay: false };
    expect(problems(all)).toEqual([
      "[production] swarm.encryptOverlay: got false; allowed: true in the production environment (overlay traffic between nodes carries database and RPC traffic)",
    ]);
  });
  test("production may have an encrypted swarm", () => {
    const all = clone();
    all.production.swarm = SWARM;
    all.production.zfsSync.deployment = { target: "swarm", replicas: { app: 2 } };
    expect(problems(all)).toEqual([]);
  });
  test("fails when replicas are given for a service that is not replicable (ZFS Sync's database)", () => {
    const all = clone();
    all.staging.zfsSync.deployment = { target: "swarm", replicas: { app: 2, postgres: 2 } as never };
    expect(problems(all)).toEqual([
      `[staging] zfsSync.deployment.replicas.postgres: got 2; allowed: no key \`postgres\` (keys of zfsSync.deployment.replicas: ${ZFS_SYNC_REPLICAS})`,
    ]);
  });
  test("fails when replicas are given for the migration job", () => {
    const all = clone();
    all.staging.zfsSync.deployment = { target: "swarm", replicas: { migrate: 2 } as never };
    expect(problems(all)).toEqual([
      `[staging] zfsSync.deployment.replicas.migrate: got 2; allowed: no key \`migrate\` (keys of zfsSync.deployment.replicas: ${ZFS_SYNC_REPLICAS})`,
    ]);
  });
  test("fails when replicas are given for Zebra (it owns the chain volume)", () => {
    const all = clone();
    all.staging.z3.deployment = { target: "swarm", replicas: { zebra: 2 } as never };
    expect(problems(all)).toEqual([
      "[staging] z3.deployment.replicas.zebra: got 2; allowed: no key `zebra` (keys of z3.deployment.replicas: rpcRouter; replicas for the stateless services only: every other Z3 service owns a node-local volume)",
    ]);
  });
  test("fails when replicas are given for jessy-core (the mmap volume's single writer)", () => {
    const all = clone();
    all.staging.jessy.deployment = { target: "swarm", replicas: { api: 2, core: 2 } as never };
    expect(problems(all)).toEqual([
      "[staging] jessy.deployment.replicas.core: got 2; allowed: no key `core` (keys of jessy.deployment.replicas: api; replicas for the stateless services only: jessy-api only reads jessy-core's volume; jessy-core is its single writer)",
    ]);
  });
  test.each([0, MAX_REPLICAS + 1, 1.5, -1])("fails when replicas is %p", (replicas) => {
    const all = clone();
    all.staging.zfsSync.deployment = { target: "swarm", replicas: { app: replicas } };
    expect(problems(all)).toEqual([`[staging] zfsSync.deployment.replicas.app: got ${replicas}; allowed: an integer from 1 to 32`]);
  });
  test("fails for each out-of-range replica count at once", () => {
    const all = clone();
    all.staging.zfsSync.deployment = { target: "swarm", replicas: { app: 0, proxy: 33 } };
    expect(problems(all)).toEqual([
      "[staging] zfsSync.deployment.replicas.app: got 0; allowed: an integer from 1 to 32",
      "[staging] zfsSync.deployment.replicas.proxy: got 33; allowed: an integer from 1 to 32",
    ]);
  });
  test("1 and 32 replicas are allowed", () => {
    const all = clone();
    all.staging.zfsSync.deployment = { target: "swarm", replicas: { app: 1, proxy: MAX_REPLICAS } };
    expect(problems(all)).toEqual([]);
  });
  test("fails when the ZFS Sync app has 2 replicas on SQLite (one writer per file)", () => {
    const all = clone();
    all.dev.swarm = { ...SWARM, encryptOverlay: false };
    all.dev.zfsSync.deployment = { target: "swarm", replicas: { app: 2 } };
    expect(problems(all)).toEqual([
      '[dev] zfsSync.deployment.replicas.app: got 2; allowed: 1 with database.kind "sqlite" (a SQLite file has one writer); choose "postgres" for more',
    ]);
  });
  test("the ZFS Sync app on SQLite may run on the swarm with one replica", () => {
    const all = clone();
    all.dev.swarm = { ...SWARM, encryptOverlay: false };
    all.dev.zfsSync.deployment = { target: "swarm", replicas: { app: 1 } };
    expect(problems(all)).toEqual([]);
  });
  test("fails when Jessy targets the swarm with a source checkout (built images exist on one node only)", () => {
    const all = clone();
    all.staging.jessy.source = { path: "/srv/jessy", target: "production" };
    expect(problems(all)).toEqual([
      '[staging] jessy.source: got {"path":"/srv/jessy","target":"production"}; allowed: unset with deployment.target "swarm" (an image Terraform builds exists on one node only; swarm nodes run pulled images)',
    ]);
  });
  test.each(["1bad", "data==true", "node labels", "", "-data", "a".repeat(64)])("fails when the data node label is %p", (label) => {
    const all = clone();
    all.staging.swarm = { ...all.staging.swarm!, dataNodeLabel: label };
    expect(problems(all)).toEqual([`[staging] swarm.dataNodeLabel: got ${JSON.stringify(label)}; allowed: ${LABEL}`]);
  });
  test.each(["z3-infra.data", "storage", "a", "data_node-1.x"])("accepts the data node label %p", (label) => {
    const all = clone();
    all.staging.swarm = { ...all.staging.swarm!, dataNodeLabel: label };
    expect(problems(all)).toEqual([]);
  });
  test("fails when the endpoint mode is unknown", () => {
    const all = clone();
    put(all.staging.swarm!, { endpointMode: "ingress" });
    expect(problems(all)).toEqual(['[staging] swarm.endpointMode: got "ingress"; allowed: one of "vip", "dnsrr"']);
  });
  test("fails when encryptOverlay is not a boolean", () => {
    const all = clone();
    put(all.staging.swarm!, { encryptOverlay: "yes" });
    expect(problems(all)).toEqual(['[staging] swarm.encryptOverlay: got "yes"; allowed: true or false']);
  });
  test("fails when the deployment target is unknown", () => {
    const all = clone();
    put(all.staging.zfsSync, { deployment: { target: "kubernetes" } });
    expect(problems(all)).toEqual([
      '[staging] zfsSync.deployment.target: got "kubernetes"; allowed: one of {target: "containers"}, {target: "swarm", replicas?}',
    ]);
  });
  test("lists every environment's swarm problems at once", () => {
    const all = clone();
    all.production.swarm = { ...SWARM, encryptOverlay: false };
    all.staging.swarm = { ...all.staging.swarm!, dataNodeLabel: "bad label" };
    all.dev.zfsSync.deployment = { target: "swarm" };
    expect(problems(all)).toEqual([
      `[dev] zfsSync.deployment.target: got "swarm"; allowed: ${NO_SWARM}`,
      `[staging] swarm.dataNodeLabel: got "bad label"; allowed: ${LABEL}`,
      "[production] swarm.encryptOverlay: got false; allowed: true in the production environment (overlay traffic between nodes carries database and RPC traffic)",
    ]);
  });
});
