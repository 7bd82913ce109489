/**
 * The one reader of `cdk.tf.json` (tools/model/synthesized-stack.ts), on small hand-made stacks for
 * the shapes the JSON takes, and on the app's own stacks: the stack pages (tools/stack-model.ts) and
 * `npm run verify` (tools/verify/expected-stack.ts) see the same services because both read through it.
 */
import * as fs from "fs";
import * as path from "path";
import { Testing } from "../../../lib/cdk";
import { buildApp } from "../../../app";
import { ENVIRONMENTS } from "../../../config/environments";
import { readSynthesizedStack } from "../../../tools/model/synthesized-stack";
import { readStack } from "../../../tools/stack-model";
import { expectedStack } from "../../../tools/verify/expected-stack";
import { Variables } from "../../../tools/verify/variable-values";

const labels = (l: Record<string, string>) => Object.entries(l).map(([label, value]) => ({ label, value }));

function fixture() {
  return {
    variable: {
      db_password: {
        type: "string",
        sensitive: true,
        validation: [{ condition: "${length(var.db_password) > 0}", error_message: "set it" }],
      },
      replicas: { type: "number", default: 2 },
    },
    locals: { config: "password=${var.db_password}" },
    resource: {
      docker_network: {
        backend: { name: "demo-backend", internal: true, options: { encrypted: "" }, driver: "overlay" },
        front: { name: "demo-front", attachable: true },
      },
      docker_volume: { data: { name: "demo-data", labels: { stateful: "true" }, lifecycle: { prevent_destroy: true } } },
      docker_secret: { password: { name: "demo-password", data: "${base64encode(local.config)}" } },
      terraform_data: { checks: { lifecycle: { precondition: [{ condition: "${var.replicas > 0}", error_message: "replicas" }] } } },
      docker_container: {
        files: {
          name: "demo-app-files",
          start: false,
          must_run: false,
          labels: labels({ role: "files-loader", service: "demo-app" }),
          upload: [
            { file: "/etc/app/plain.conf", content: "listen 0.0.0.0:8080" },
            { file: "/etc/app/b64.conf", content_base64: Buffer.from("db=demo-db:5432").toString("base64") },
            { file: "/etc/app/expr.conf", content_base64: "${base64encode(var.db_password)}" },
          ],
        },
        app: {
          name: "demo-app",
          count: "${var.replicas > 0 ? 1 : 0}",
          user: "1000:1000",
          labels: { role: "app" },
          networks_advanced: [{ name: "${docker_network.backend.name}", aliases: ["app"] }, { name: "literal-net" }],
          ports: [{ internal: 8080, external: 18080, ip: "127.0.0.1" }, { internal: "9090" }, { external: 1 }],
          volumes: [
            { volume_name: "demo-data", container_path: "/data", read_only: true },
            { host_path: "/etc/hosts", container_path: "/etc/hosts" },
          ],
          env: ["A=1"],
          healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:8080/health"] },
          depends_on: ["${docker_container.files[0]}", "docker_volume.data"],
        },
        job: { name: "demo-job", must_run: false, healthcheck: [{ test: ["NONE"] }] },
      },
      docker_service: {
        proxy: {
          name: "demo-proxy",
          labels: labels({ role: "proxy" }),
          mode: { replicated: { replicas: "${var.replicas}" } },
          endpoint_spec: { mode: "dnsrr", ports: [{ target_port: 443, published_port: 8443, publish_mode: "host" }, { target_port: 80 }] },
          update_config: { order: "start-first" },
          task_spec: {
            container_spec: {
              user: "101",
              labels: labels({ role: "backup" }),
              env: { MODE: "proxy" },
              mounts: [
                { type: "volume", source: "demo-data", target: "/data" },
                { type: "volume", target: "/cache" },
                { type: "tmpfs", target: "/tmp" },
              ],
              secrets: [{ secret_id: "${docker_secret.password.id}", file_name: "/run/secrets/pw", file_uid: "101", file_mode: 256 }],
              configs: [{ config_id: "${docker_config.missing.id}", file_name: "/etc/x", file_mode: "0440" }],
            },
            networks_advanced: [{ id: "${docker_network.backend.id}" }, { id: "${docker_network.gone.id}" }],
            placement: { constraints: ["node.labels.data==true"], max_replicas: 1 },
          },
        },
        global: { name: "demo-agent", mode: { global: true }, task_spec: { container_spec: {} } },
      },
    },
  };
}

describe("readSynthesizedStack", () => {
  const stack = readSynthesizedStack(fixture());
  const workload = (name: string) => stack.workloads.find((w) => w.name === name)!;

  test("containers in declaration order, then swarm services; loaders and one-shot jobs are told apart", () => {
    expect(stack.workloads.map((w) => [w.address, w.kind, w.started, w.mustRun])).toEqual([
      ["docker_container.files", "container", false, false],
      ["docker_container.app", "container", true, true],
      ["docker_container.job", "container", true, false],
      ["docker_service.proxy", "swarm", true, true],
      ["docker_service.global", "swarm", true, true],
    ]);
    expect(workload("demo-app").count).toBe("${var.replicas > 0 ? 1 : 0}");
    expect(workload("demo-job").count).toBeUndefined();
  });

  test("labels as a list of blocks or as a map; a swarm service's task labels apart from its own", () => {
    expect(workload("demo-app-files").labels).toEqual({ role: "files-loader", service: "demo-app" });
    expect(workload("demo-app").labels).toEqual({ role: "app" });
    expect(workload("demo-proxy").labels).toEqual({ role: "proxy" });
    expect(workload("demo-proxy").taskLabels).toEqual({ role: "backup" });
    expect(workload("demo-app").taskLabels).toEqual({});
  });

  test("networks: a reference is followed to the network's name; a literal stays; a reference to nothing has no name", () => {
    expect(workload("demo-app").networks).toEqual([
      { ref: "${docker_network.backend.name}", resource: "docker_network.backend", network: "demo-backend", aliases: ["app"] },
      { ref: "literal-net", resource: undefined, network: "literal-net", aliases: [] },
    ]);
    expect(workload("demo-proxy").networks.map((n) => [n.resource, n.network])).toEqual([
      ["docker_network.backend", "demo-backend"],
      ["docker_network.gone", undefined],
    ]);
  });

  test("ports: tcp by default, numbers from numeric strings, a port without an inside port is left out; swarm ports are ingress unless host", () => {
    expect(workload("demo-app").ports).toEqual([
      { protocol: "tcp", internal: 8080, external: 18080, ip: "127.0.0.1" },
      { protocol: "tcp", internal: 9090, external: undefined, ip: undefined },
    ]);
    expect(workload("demo-proxy").ports).toEqual([
      { protocol: "tcp", internal: 443, external: 8443, mode: "host" },
      { protocol: "tcp", internal: 80, external: undefined, mode: "ingress" },
    ]);
  });

  test("volume mounts only: a bind mount and a tmpfs are left out, a swarm mount without a source is an anonymous volume", () => {
    expect(workload("demo-app").mounts).toEqual([{ volume: "demo-data", path: "/data", readOnly: true }]);
    expect(workload("demo-proxy").mounts).toEqual([
      { volume: "demo-data", path: "/data", readOnly: false },
      { volume: undefined, path: "/cache", readOnly: false },
    ]);
  });

  test("uploads: content as is, literal base64 decoded, a base64 expression kept as text (no value is ever resolved)", () => {
    expect(workload("demo-app-files").uploads).toEqual([
      { file: "/etc/app/plain.conf", text: "listen 0.0.0.0:8080" },
      { file: "/etc/app/b64.conf", text: "db=demo-db:5432" },
      { file: "/etc/app/expr.conf", text: "${base64encode(var.db_password)}" },
    ]);
  });

  test("health checks as a block or a list; NONE is none; depends_on as addresses; env of containers and services", () => {
    expect(workload("demo-app").healthcheck).toEqual(["CMD", "curl", "-f", "http://localhost:8080/health"]);
    expect(workload("demo-job").healthcheck).toBeUndefined();
    expect(workload("demo-app").dependsOn).toEqual(["docker_container.files", "docker_volume.data"]);
    expect(workload("demo-app").env).toEqual(["A=1"]);
    expect(workload("demo-proxy").env).toEqual(["MODE=proxy"]);
    expect(workload("demo-app").user).toBe("1000:1000");
    expect(workload("demo-proxy").user).toBe("101");
  });

  test("swarm settings: replicas as an expression, global, placement, order, endpoint mode, secret and config files", () => {
    expect(workload("demo-proxy").swarm).toEqual({
      global: false,
      replicas: "${var.replicas}",
      constraints: ["node.labels.data==true"],
      maxPerNode: 1,
      order: "start-first",
      endpointMode: "dnsrr",
      files: [
        {
          type: "docker_secret",
          object: "docker_secret.password",
          file: "/run/secrets/pw",
          uid: "101",
          gid: "0",
          mode: 0o400,
          data: "${base64encode(local.config)}",
        },
        { type: "docker_config", object: "docker_config.missing", file: "/etc/x", uid: "0", gid: "0", mode: 0o440, data: "" },
      ],
    });
    expect(workload("demo-agent").swarm).toMatchObject({ global: true, replicas: 1, order: "stop-first", endpointMode: "vip", files: [] });
  });

  test("volumes, networks, variables, preconditions, locals and any resource by type and id", () => {
    expect(stack.volumes).toEqual([
      { address: "docker_volume.data", name: "demo-data", labels: { stateful: "true" }, preventDestroy: true },
    ]);
    expect(stack.networks).toEqual([
      {
        address: "docker_network.backend",
        name: "demo-backend",
        driver: "overlay",
        internal: true,
        attachable: false,
        options: { encrypted: "" },
      },
      { address: "docker_network.front", name: "demo-front", driver: undefined, internal: false, attachable: true, options: undefined },
    ]);
    expect(stack.variables).toEqual([
      {
        name: "db_password",
        default: undefined,
        sensitive: true,
        validations: [{ condition: "${length(var.db_password) > 0}", error_message: "set it" }],
      },
      { name: "replicas", default: 2, sensitive: false, validations: [] },
    ]);
    expect(stack.preconditions).toEqual([{ condition: "${var.replicas > 0}", error_message: "replicas" }]);
    expect(stack.locals).toEqual({ config: "password=${var.db_password}" });
    expect(stack.resource("docker_secret", "password")).toEqual({ name: "demo-password", data: "${base64encode(local.config)}" });
    expect(stack.resource("docker_secret", "nope")).toBeUndefined();
  });

  test("anything but an object reads as an empty stack", () => {
    for (const json of [null, [], "x", {}, { resource: [] }]) {
      const empty = readSynthesizedStack(json);
      expect([empty.workloads, empty.volumes, empty.networks, empty.variables, empty.preconditions]).toEqual([[], [], [], [], []]);
    }
  });
});

describe("the stack pages and verify read the same stack", () => {
  const synthesized = (() => {
    return Object.fromEntries(buildApp(Testing.app(), ENVIRONMENTS).map((s) => [s.node.id, JSON.parse(Testing.synth(s))]));
  })();

  test.each(Object.keys(synthesized))("%s: every long-running service and one-shot job on the page is one verify checks", (name) => {
    const json = synthesized[name];
    const page = readStack(json);
    // Every conditional service deployed: the backup runner needs its repository, Jessy's test jobs their profile.
    const values = Object.fromEntries(Object.keys(json.variable ?? {}).map((v) => [v, "x"]));
    const everything = { ...values, jessy_test_profile: "true", backup_repository: "s3:demo" };
    const verify = expectedStack(name, json, new Variables(json.variable, everything, {}));
    expect([...verify.services, ...verify.oneShots].map((s) => s.address).sort()).toEqual(page.services.map((s) => s.address).sort());
    expect(verify.oneShots.map((s) => s.address).sort()).toEqual(
      page.services
        .filter((s) => s.oneShot)
        .map((s) => s.address)
        .sort(),
    );
  });

  test("no other tool walks the stack's resources: only the reader indexes `resource` by a docker_* type", () => {
    const tools = path.resolve(__dirname, "..", "..", "..", "tools");
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const walkers = files(tools)
      .filter((f) => f.endsWith(".ts"))
      .filter((f) => /\bresources?\??\.\s*(docker_|terraform_data)|\bresources?\[/.test(fs.readFileSync(f, "utf8")))
      .map((f) => path.relative(tools, f));
    expect(walkers).toEqual(["model/synthesized-stack.ts"]);
  });
});
