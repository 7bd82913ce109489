import { Construct, Testing } from "../../lib/cdk";
import { ContainerImage, FileText, Secret, Service } from "../../lib";
import { buildApp } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { scratchStack, synthJson, TfJson } from "../helpers";

/**
 * Addresses of earlier releases (lib/earlier-addresses.ts): `moved` blocks only for what the shipped
 * stacks had deployed at those addresses, none for anything new.
 */

type Moved = { from: string; to: string }[];
const movedOf = (json: TfJson): Moved => (json as unknown as { moved?: Moved }).moved ?? [];

/** A service with files in two directories, at `<scope path>/<id>`. */
function serviceWithFiles(scopeId: string | undefined, id: string) {
  const s = scratchStack();
  const scope = scopeId === undefined ? s.stack : new Construct(s.stack, scopeId);
  const secret = new Secret(s.stack, "Token", { variableName: "app_token", description: "token" });
  new Service(scope, id, {
    name: "app",
    image: s.image,
    user: "1000:1000",
    networks: [{ network: s.network }],
    secretFiles: [secret.file("/run/secrets/token")],
    configFiles: [{ containerPath: "/etc/app/app.toml", content: FileText.of("x = 1") }],
  });
  return synthJson(s.stack);
}

describe("files volumes of earlier releases' counter addresses", () => {
  test("a new service emits no moved block (there is nothing to move)", () => {
    const json = serviceWithFiles(undefined, "App");
    expect(Object.keys(json.resource.docker_volume).sort()).toEqual(["app_files_etc_app", "app_files_run_secrets"]);
    expect(movedOf(json)).toEqual([]);
  });
  test("a service an earlier release deployed moves each files volume from its counter address, in sorted order", () => {
    expect(movedOf(serviceWithFiles("Z3", "Grafana"))).toEqual([
      { from: "docker_volume.z3_grafana_files", to: "docker_volume.z3_grafana_files_etc_app" },
      { from: "docker_volume.z3_grafana_files2", to: "docker_volume.z3_grafana_files_run_secrets" },
    ]);
  });
});

describe("images", () => {
  test("a new image has a readable address and no moved block", () => {
    const { stack } = scratchStack();
    new ContainerImage(stack, "Extra", { reference: "example/extra:1.0" });
    const json = synthJson(stack);
    expect(Object.keys(json.resource.docker_image).sort()).toEqual(["extra", "image"]);
    expect(movedOf(json)).toEqual([]);
  });
  test("an image an earlier release deployed moves from its hashed address", () => {
    const { stack } = scratchStack();
    new ContainerImage(new Construct(stack, "Z3"), "AlertmanagerImage", { reference: "prom/alertmanager:v0.28.1" });
    const json = synthJson(stack);
    expect(json.resource.docker_image.z3_alertmanager_image).toMatchObject({ name: "prom/alertmanager:v0.28.1" });
    expect(movedOf(json)).toEqual([{ from: "docker_image.Z3_AlertmanagerImage_FCC8AAAB", to: "docker_image.z3_alertmanager_image" }]);
  });
});

describe("the shipped stacks", () => {
  const built = buildApp(Testing.app(), ENVIRONMENTS);
  const stacks = new Map(built.map((s) => [s.node.id, synthJson(s)] as const));
  const volumeMoves = (id: string) =>
    movedOf(stacks.get(id)!)
      .filter((m) => m.from.startsWith("docker_volume."))
      .map((m) => `${m.from.slice("docker_volume.".length)} -> ${m.to.slice("docker_volume.".length)}`);

  // The moves the stacks had before the shim became internal: unchanged.
  test.each([
    ["jessy-dev", []],
    ["jessy-staging", []],
    ["jessy-production", ["jessy_api_files -> jessy_api_files_run_secrets"]],
    [
      "zcash-dev",
      [
        "z3_zebra_files -> z3_zebra_files_home_zebra_config",
        "z3_zaino_files -> z3_zaino_files_etc_zaino",
        "z3_zallet_files -> z3_zallet_files_etc_zallet",
      ],
    ],
    [
      "zcash-production",
      [
        "z3_zaino_files -> z3_zaino_files_etc_zaino",
        "z3_zallet_files -> z3_zallet_files_etc_zallet",
        "z3_alertmanager_files -> z3_alertmanager_files_etc_alertmanager",
        "z3_prometheus_files -> z3_prometheus_files_etc_prometheus",
        "z3_grafana_files -> z3_grafana_files_etc_grafana_provisioning_datasources",
        "z3_grafana_files2 -> z3_grafana_files_run_secrets",
      ],
    ],
    ["zfs-sync-dev", ["zfs_sync_app_files -> zfs_sync_app_files_app_config"]],
    ["zfs-sync-staging", ["zfs_sync_migrate_files -> zfs_sync_migrate_files_app_config"]],
    [
      "zfs-sync-production",
      [
        "zfs_sync_postgres_files -> zfs_sync_postgres_files_run_secrets",
        "zfs_sync_migrate_files -> zfs_sync_migrate_files_app_config",
        "zfs_sync_app_files -> zfs_sync_app_files_app_config",
        "zfs_sync_proxy_files -> zfs_sync_proxy_files_etc_nginx_zfs_sync",
        "zfs_sync_proxy_files2 -> zfs_sync_proxy_files_run_secrets",
      ],
    ],
  ])("%s moves files volumes from exactly these counter addresses", (id, moves) => expect(volumeMoves(id)).toEqual(moves));

  test("no backup runner files volume moves (no earlier release had a runner)", () => {
    for (const [id, json] of stacks) expect([id, movedOf(json).filter((m) => /backup_runner/.test(m.from + m.to))]).toEqual([id, []]);
  });

  test("every image has a readable address and moves from the hashed one of its construct path", () => {
    for (const stack of built) {
      const json = stacks.get(stack.node.id)!;
      const images = stack.node.findAll().filter((c): c is ContainerImage => c instanceof ContainerImage);
      expect(images.length).toBeGreaterThan(0);
      expect(Object.keys(json.resource.docker_image).length).toBe(images.length);
      for (const image of images) {
        const address = `docker_image.${image.resource.friendlyUniqueId}`;
        // `Z3/AlertmanagerImage` was `Z3_AlertmanagerImage_<8 hex digits>`.
        const hashed = image.node.scopes
          .slice(2)
          .map((c) => c.node.id)
          .join("_");
        expect([stack.node.id, address]).toEqual([stack.node.id, expect.stringMatching(/^docker_image\.[a-z0-9_]+$/)]);
        expect([stack.node.id, movedOf(json).filter((m) => m.to === address)]).toEqual([
          stack.node.id,
          [{ from: expect.stringMatching(new RegExp(`^docker_image\\.${hashed}_[0-9A-F]{8}$`)), to: address }],
        ]);
      }
    }
  });
});
