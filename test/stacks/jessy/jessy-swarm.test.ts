import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { settingsProblems } from "../../../config/settings";
import { JessyStack } from "../../../stacks/jessy/jessy-stack";
import { container, lengthCheck, onContainers, swarmService, synthJson, TfJson } from "../../helpers";
import type { DockerService, TfLabel } from "../../tf-json";

/** jessy-staging as shipped: jessy-core and jessy-api as swarm services on the data node, the mmap init a container. */
const staging: TfJson = synthJson(new JessyStack(Testing.app(), ENVIRONMENTS.staging));
const MIB = 1024 * 1024;
const DATA_NODE = "node.labels.z3-infra.data==true";

const core = swarmService(staging, "jessy_core");
const api = swarmService(staging, "jessy_api");
const spec = (svc: DockerService) => svc.task_spec.container_spec;
const labels = (list: TfLabel[] | undefined) => Object.fromEntries((list ?? []).map((l) => [l.label, l.value]));
const mounts = (svc: DockerService) =>
  Object.fromEntries(
    spec(svc).mounts.map((m) => [
      m.target,
      m.type === "tmpfs" ? `tmpfs:${m.tmpfs_options.size_bytes}` : `${m.source ?? "(anonymous)"}:${m.read_only ? "ro" : "rw"}`,
    ]),
  );

describe("jessy-staging on the swarm", () => {
  test("synthesizes with construct validations run", () => {
    // A failed validation throws; with them run, synthesis gives the same stack the other tests read.
    expect(JSON.parse(Testing.synth(new JessyStack(Testing.app(), ENVIRONMENTS.staging), true))).toEqual(staging);
  });
  test("the same settings on the containers target are valid too (the containers tests render them)", () => {
    expect(settingsProblems(onContainers(ENVIRONMENTS.staging, "jessy"))).toEqual([]);
  });
  test("core and api are swarm services; of Jessy's the mmap init is the only container, with no files loader; the backup runner stays a container", () => {
    expect(Object.keys(staging.resource.docker_service).sort()).toEqual(["jessy_api", "jessy_core"]);
    // The backup runner reads the data node's volumes directly (hostLocal): a container on docker_host, with its files loader.
    expect(Object.keys(staging.resource.docker_container).sort()).toEqual(["backup_runner", "backup_runner_files", "jessy_mmap_init"]);
  });
  test("the only data volume is the stateful mmap volume, at its pinned address, unprotected in staging; the rest are the backup runner's files", () => {
    expect(Object.keys(staging.resource.docker_volume).sort()).toEqual([
      "backup_runner_files_etc_restic",
      "backup_runner_files_run_secrets_restic",
      "jessy_mmap_data",
    ]);
    for (const address of ["backup_runner_files_etc_restic", "backup_runner_files_run_secrets_restic"])
      expect(staging.resource.docker_volume[address].labels).toEqual([]);
    expect(staging.resource.docker_volume.jessy_mmap_data).toMatchObject({
      name: "jessy-staging-mmap-data",
      labels: [{ label: "stateful", value: "true" }],
    });
    expect(staging.resource.docker_volume.jessy_mmap_data.lifecycle).toBeUndefined();
  });
  test("swarm objects, volumes and networks are named jessy-staging-*", () => {
    for (const type of ["docker_service", "docker_container", "docker_volume", "docker_network", "docker_secret"]) {
      for (const r of Object.values(staging.resource[type] ?? {}))
        expect([type, r.name]).toEqual([type, expect.stringMatching(/^jessy-staging-/)]);
    }
  });
  test("images are pulled through pinned variables and run by registry digest", () => {
    for (const image of Object.values(staging.resource.docker_image)) expect(image.build).toBeUndefined();
    expect(staging.variable!.jessy_core_image.default).toBe("jessy-core:1.0.0");
    expect(staging.variable!.jessy_api_image.default).toBe("jessy-api:1.0.0");
    for (const svc of [core, api])
      expect(spec(svc).image).toMatch(
        /^\$\{docker_image\.(\w+)\.repo_digest != "" \? docker_image\.\1\.repo_digest : docker_image\.\1\.name\}$/,
      );
  });
  test("one attachable, non-internal overlay network (not encrypted in staging); services join it by id", () => {
    expect(staging.resource.docker_network).toEqual({
      jessy_network: { name: "jessy-staging-network", driver: "overlay", attachable: true, internal: false, labels: [] },
      // The backup runner's egress to the SFTP destination, only while backup_repository is set.
      backup_egress: {
        name: "jessy-staging-backup-egress",
        driver: "overlay",
        attachable: true,
        internal: false,
        labels: [],
        count: '${var.backup_repository != "" ? 1 : 0}',
      },
    });
    expect(core.task_spec.networks_advanced).toEqual([
      { id: "${docker_network.jessy_network.id}", aliases: ["jessy-core", "jessy-staging-core"], driver_opts: [] },
    ]);
    expect(api.task_spec.networks_advanced).toEqual([
      { id: "${docker_network.jessy_network.id}", aliases: ["jessy-api", "jessy-staging-api"], driver_opts: [] },
    ]);
  });
  test("services and their containers carry the environment, system and service labels; logs carry service and environment", () => {
    for (const svc of [core, api]) {
      const expected = { environment: "staging", system: "jessy", service: svc.name };
      expect(labels(svc.labels)).toEqual(expected);
      expect(labels(spec(svc).labels)).toEqual(expected);
      expect(svc.task_spec.log_driver).toEqual({
        name: "json-file",
        options: { "max-size": "10m", "max-file": "3", labels: "service,environment" },
      });
    }
  });
  test("loopback-only host ports are not published on the swarm (host-mode and ingress ports bind every interface)", () => {
    for (const svc of [core, api]) expect([svc.name, svc.endpoint_spec]).toEqual([svc.name, { mode: "dnsrr", ports: [] }]);
    expect(core.task_spec.placement.max_replicas).toBeUndefined();
    expect(api.task_spec.placement.max_replicas).toBeUndefined();
  });
});

describe("jessy-core service", () => {
  test("one task, pinned to the data node, the old writer stopped before the new one starts", () => {
    expect(core.mode).toEqual({ replicated: { replicas: 1 } });
    expect(core.task_spec.placement).toEqual({ constraints: [DATA_NODE] });
    expect([core.update_config.order, core.rollback_config.order]).toEqual(["stop-first", "stop-first"]);
  });
  test("mounts the mmap volume read-write and starts after the init container", () => {
    expect(mounts(core)).toEqual({ "/app/data/mmap": "jessy-staging-mmap-data:rw", "/tmp": `tmpfs:${64 * MIB}` });
    expect(core.depends_on).toEqual(expect.arrayContaining(["docker_container.jessy_mmap_init", "docker_volume.jessy_mmap_data"]));
  });
  test("UID 1000, read-only root, no capabilities, staging environment and upstream health check", () => {
    expect(spec(core)).toMatchObject({ user: "1000:1000", read_only: true, cap_drop: ["ALL"] });
    expect(spec(core).cap_add).toEqual([]);
    expect(spec(core).env).toMatchObject({ RUST_ENV: "staging", RUST_LOG: "jessy=info,actix_web=info", MMAP_BASE_PATH: "/app/data/mmap" });
    expect(spec(core).healthcheck).toEqual({
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"],
      interval: "10s",
      timeout: "5s",
      retries: 3,
      start_period: "10s",
    });
  });
  test("limits 2 CPUs / 2 GiB, reserved; Terraform waits at least the settings' 120 s", () => {
    expect(core.task_spec.resources).toEqual({
      limits: { memory_bytes: 2048 * MIB, nano_cpus: 2e9 },
      reservation: { memory_bytes: 2048 * MIB },
    });
    expect(core.converge_config).toEqual({ delay: "2s", timeout: "2m5s" });
  });
});

describe("jessy-api service", () => {
  test("two tasks, pinned beside jessy-core (it reads the mmap volume), the new task started first", () => {
    expect(api.mode).toEqual({ replicated: { replicas: 2 } });
    expect(api.task_spec.placement).toEqual({ constraints: [DATA_NODE] });
    expect([api.update_config.order, api.rollback_config.order]).toEqual(["start-first", "start-first"]);
  });
  test("mounts the mmap volume read-only and starts after jessy-core has converged", () => {
    expect(mounts(api)).toEqual({ "/app/data/mmap": "jessy-staging-mmap-data:ro", "/tmp": `tmpfs:${64 * MIB}` });
    expect(api.depends_on).toContain("docker_service.jessy_core");
  });
  test("reaches jessy-core by its service name; 30 s stop grace for the API's graceful shutdown", () => {
    expect(spec(api).env).toMatchObject({ RUST_SERVICE_URL: "http://jessy-core:8080", PORT: "3000", GO_ENV: "staging", LOG_LEVEL: "info" });
    expect(spec(api).stop_grace_period).toBe("30s");
    expect(spec(api)).toMatchObject({ user: "1000:1000", read_only: true, cap_drop: ["ALL"] });
  });
  test("API_KEY and JWT_SECRET are docker_secrets owned by UID 1000, 0400, named by a terraform_data version", () => {
    expect(spec(api).secrets.map((s) => [s.file_name, s.file_uid, s.file_gid, s.file_mode])).toEqual([
      ["/run/secrets/api_key", "1000", "1000", 256],
      ["/run/secrets/jwt_secret", "1000", "1000", 256],
    ]);
    expect(spec(api).configs).toEqual([]);
    expect(spec(api).env).toMatchObject({ API_KEY_FILE: "/run/secrets/api_key", JWT_SECRET_FILE: "/run/secrets/jwt_secret" });
    expect(Object.keys(spec(api).env).filter((k) => k === "API_KEY" || k === "JWT_SECRET")).toEqual([]);
    expect(staging.resource.docker_secret.jessy_api_run_secrets_api_key).toEqual({
      name: "jessy-staging-api-key-${substr(terraform_data.jessy_api_run_secrets_api_key_version.id, 0, 8)}",
      data: "${base64encode(local.jessy_api_run_secrets_api_key_content)}",
      lifecycle: { create_before_destroy: true },
      depends_on: ["terraform_data.api_key_length"],
    });
    expect(staging.locals).toEqual({
      jessy_api_run_secrets_api_key_content: "${var.api_key}",
      jessy_api_run_secrets_jwt_secret_content: "${var.jwt_secret}",
    });
  });
  test("the secret variables are read only by their length checks and the secrets' locals", () => {
    const data = Object.fromEntries(Object.entries(staging.resource.terraform_data).filter(([address]) => !address.endsWith("_length")));
    const text = JSON.stringify({
      ...staging,
      locals: undefined,
      variable: undefined,
      resource: { ...staging.resource, terraform_data: data },
    });
    for (const name of ["api_key", "jwt_secret"]) {
      expect([name, text.includes(`var.${name}`)]).toEqual([name, false]);
      expect(lengthCheck(staging, name)).toBe(`\${length(var.${name}) >= 32}`);
      expect(staging.variable![name]).toMatchObject({ sensitive: true, nullable: false });
      expect(staging.variable![name].default).toBeUndefined();
    }
  });
  test("limits 1 CPU / 512 MiB, reserved", () =>
    expect(api.task_spec.resources).toEqual({
      limits: { memory_bytes: 512 * MIB, nano_cpus: 1e9 },
      reservation: { memory_bytes: 512 * MIB },
    }));
});

describe("mmap init on the swarm", () => {
  const init = container(staging, "jessy_mmap_init");
  test("stays a one-shot container of the core image that Terraform waits for and checks", () => {
    expect(init).toMatchObject({
      name: "jessy-staging-mmap-init",
      must_run: false,
      attach: true,
      restart: "no",
      user: "0:0",
      read_only: true,
    });
    expect(init.lifecycle.postcondition[0].condition).toBe("${self.exit_code == 0}");
    expect(init.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER"] });
    expect(init.image).toBe("${docker_image.jessy_core_image.image_id}");
  });
  test("lays out the mmap volume on the data node (the node docker_host points at) and joins the overlay by name", () => {
    expect(init.volumes).toEqual([{ volume_name: "jessy-staging-mmap-data", container_path: "/app/data/mmap", read_only: false }]);
    expect(init.networks_advanced).toEqual([{ name: "jessy-staging-network", aliases: ["jessy-staging-mmap-init"] }]);
    expect(init.upload).toBeUndefined();
  });
});
