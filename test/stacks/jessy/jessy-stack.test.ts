import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { EnvironmentName } from "../../../config/common";
import { JessyStack } from "../../../stacks/jessy/jessy-stack";
import { MMAP_DIRECTORIES } from "../../../stacks/jessy/layout";
import type { DockerImage } from "../../tf-json";
import { container, cpusOf, DockerContainer, envMap, labelMap, lengthCheck, onContainers, synthJson, TfJson } from "../../helpers";

/**
 * The containers rendering (one `docker_container` per service). The shipped staging environment runs
 * Jessy on the swarm (jessy-swarm.test.ts); here it is rendered from the same settings on the containers
 * target, so every container assertion still covers staging's shape (its ports, its environment).
 */
const synth = (env: EnvironmentName): TfJson => synthJson(new JessyStack(Testing.app(), ENVIRONMENTS[env]));
const stagingSettings = onContainers(ENVIRONMENTS.staging, "jessy");
const dev = synth("dev");
const staging = synthJson(new JessyStack(Testing.app(), stagingSettings));
const prod = synth("production");
const all: [EnvironmentName, TfJson][] = [
  ["dev", dev],
  ["staging", staging],
  ["production", prod],
];
const hardened: [EnvironmentName, TfJson][] = [
  ["staging", staging],
  ["production", prod],
];

/** container path → "<volume or host path>:ro|rw" */
const mounts = (c: DockerContainer): Record<string, string> =>
  Object.fromEntries(c.volumes.map((v) => [v.container_path, `${v.volume_name ?? v.host_path}:${v.read_only ? "ro" : "rw"}`]));
const ports = (c: DockerContainer) => c.ports.map((p) => `${p.ip}:${p.external}->${p.internal}/${p.protocol}`);
const containerNames = (json: TfJson) => Object.values(json.resource.docker_container).map((c) => c.name);
/** The never-started container that receives a service's uploaded files (`<id>_files`), if any. */
const filesLoader = (json: TfJson, id: string): DockerContainer | undefined => json.resource.docker_container?.[`${id}_files`];
const isFilesLoader = (c: DockerContainer) => labelMap(c).role === "files-loader";
/** The backup runner of the stack (lib/backup.ts): the environment's, not one of Jessy's services. */
const isBackupRunner = (c: DockerContainer) => labelMap(c).role === "backup";
/** Jessy's containers that run (every docker_container except the files loaders and the backup runner). */
const services = (json: TfJson) => Object.values(json.resource.docker_container).filter((c) => !isFilesLoader(c) && !isBackupRunner(c));
/** The `docker_image` whose name is `name`. */
const imageNamed = (json: TfJson, name: string): DockerImage => {
  const image = Object.values(json.resource.docker_image).find((i) => i.name === name);
  if (!image) throw new Error(`no docker_image named ${name}`);
  return image;
};
/** The backup runner and its files loader (program, restic settings, keys), in every environment. */
const BACKUP_CONTAINERS = ["backup_runner", "backup_runner_files"];

describe("stacks and addresses", () => {
  // With validations run, synthesis gives the same stack the other tests read (a failed validation throws).
  test.each(all)("%s synthesizes with construct validations run", (env, json) => {
    const settings = env === "staging" ? stagingSettings : ENVIRONMENTS[env];
    const validated: TfJson = JSON.parse(Testing.synth(new JessyStack(Testing.app(), settings), true));
    expect(validated).toEqual(json);
  });
  test("one jessy-<env> stack per environment, requiring the docker provider 4.6.x", () => {
    for (const [, json] of all)
      expect(json.terraform.required_providers.docker).toEqual({ source: "kreuzwerker/docker", version: "~> 4.6.0" });
    expect(dev.terraform.backend).toEqual({ local: { path: expect.stringContaining("terraform.jessy-dev.tfstate") } });
    expect(staging.terraform.backend).toEqual({ pg: { schema_name: "jessy_staging" } });
    expect(prod.terraform.backend).toEqual({ pg: { schema_name: "jessy_production" } });
  });
  test.each(all)("%s pins the mmap volume's address (renaming it destroys the data)", (env, json) => {
    const stateful = Object.entries(json.resource.docker_volume)
      .filter(([, v]) => (v.labels ?? []).some((l) => l.label === "stateful" && l.value === "true"))
      .map(([address, v]) => `${address}=${v.name}`);
    expect(stateful).toEqual([`jessy_mmap_data=jessy-${env}-mmap-data`]);
  });
  test("the container addresses are fixed", () => {
    expect(Object.keys(dev.resource.docker_container).sort()).toEqual(
      [
        "jessy_api",
        "jessy_bdd_tests",
        "jessy_core",
        "jessy_coverage",
        "jessy_integration_tests",
        "jessy_mmap_init",
        "jessy_test",
        "jessy_unit_tests",
        ...BACKUP_CONTAINERS,
      ].sort(),
    );
    // Of Jessy's services only jessy-api has files (its secrets), so only it has a files loader, and only outside dev.
    for (const json of [staging, prod])
      expect(Object.keys(json.resource.docker_container).sort()).toEqual(
        ["jessy_api", "jessy_api_files", "jessy_core", "jessy_mmap_init", ...BACKUP_CONTAINERS].sort(),
      );
  });
  test("production protects the mmap volume with prevent_destroy; dev and staging do not", () => {
    expect(prod.resource.docker_volume.jessy_mmap_data.lifecycle).toEqual({ prevent_destroy: true });
    expect(dev.resource.docker_volume.jessy_mmap_data.lifecycle).toBeUndefined();
    expect(staging.resource.docker_volume.jessy_mmap_data.lifecycle).toBeUndefined();
  });
  test("no volume other than mmap-data is protected or stateful", () => {
    for (const [, json] of all)
      for (const [address, v] of Object.entries(json.resource.docker_volume)) {
        if (address === "jessy_mmap_data") continue;
        expect([address, v.lifecycle, (v.labels ?? []).length]).toEqual([address, undefined, 0]);
      }
  });
});

describe("names do not collide between environments on one host", () => {
  test.each(all)("%s prefixes every container, volume and network with jessy-<env>-", (env, json) => {
    const names = [
      ...containerNames(json),
      ...Object.values(json.resource.docker_volume).map((v) => v.name),
      ...Object.values(json.resource.docker_network).map((n) => n.name),
    ];
    for (const name of names) expect(name).toMatch(new RegExp(`^jessy-${env}-`));
  });
  test("host ports differ between environments", () => {
    const published = all.flatMap(([, json]) =>
      Object.values(json.resource.docker_container).flatMap((c) => (c.ports ?? []).map((p) => p.external)),
    );
    expect(new Set(published).size).toBe(published.length);
    expect(published.sort()).toEqual([3000, 3001, 3002, 8080, 8081, 8082]);
  });
  test("aliases keep upstream's service names", () => {
    for (const [env, json] of all) {
      expect(container(json, "jessy_core").networks_advanced).toEqual([
        { name: `jessy-${env}-network`, aliases: [`jessy-${env}-core`, "jessy-core"] },
      ]);
      expect(container(json, "jessy_api").networks_advanced).toEqual([
        { name: `jessy-${env}-network`, aliases: [`jessy-${env}-api`, "jessy-api"] },
      ]);
    }
    const alias = (id: string) => container(dev, id).networks_advanced[0].aliases[1];
    expect(["jessy_test", "jessy_unit_tests", "jessy_integration_tests", "jessy_bdd_tests", "jessy_coverage"].map(alias)).toEqual([
      "jessy-test",
      "unit-tests",
      "integration-tests",
      "bdd-tests",
      "coverage",
    ]);
  });
  test("one non-internal bridge network (published ports; dev stages fetch crates), and the backup runner's own egress network", () => {
    for (const [env, json] of all) {
      expect(Object.keys(json.resource.docker_network).sort()).toEqual(["backup_egress", "jessy_network"]);
      expect(json.resource.docker_network.jessy_network).toMatchObject({ name: `jessy-${env}-network`, driver: "bridge", internal: false });
      // The runner reaches the SFTP destination off the host; Jessy's services are not on this network.
      expect(json.resource.docker_network.backup_egress).toMatchObject({
        name: `jessy-${env}-backup-egress`,
        driver: "bridge",
        internal: false,
      });
      for (const c of services(json))
        expect([c.name, (c.networks_advanced ?? []).some((n) => n.name === `jessy-${env}-backup-egress`)]).toEqual([c.name, false]);
      expect(container(json, "backup_runner").networks_advanced.map((n) => n.name)).toEqual([`jessy-${env}-backup-egress`]);
    }
    // Optional backups (dev, staging): the network exists only while backup_repository is set.
    expect(dev.resource.docker_network.backup_egress.count).toBe('${var.backup_repository != "" ? 1 : 0}');
    expect(staging.resource.docker_network.backup_egress.count).toBe('${var.backup_repository != "" ? 1 : 0}');
    expect(prod.resource.docker_network.backup_egress.count).toBeUndefined();
  });
});

describe("jessy-core", () => {
  test.each(all)("%s publishes 8080 on loopback and checks /health with upstream's timings", (env, json) => {
    const c = container(json, "jessy_core");
    const host = { dev: 8080, staging: 8081, production: 8082 }[env];
    expect(ports(c)).toEqual([`127.0.0.1:${host}->8080/tcp`]);
    expect(c.healthcheck).toEqual({
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"],
      interval: "10s",
      timeout: "5s",
      retries: 3,
      start_period: "10s",
    });
    expect(c.restart).toBe("unless-stopped");
    expect(c.must_run).toBe(true);
  });
  test.each(all)("%s mounts the mmap volume read-write and starts after the init container", (env, json) => {
    const c = container(json, "jessy_core");
    expect(mounts(c)["/app/data/mmap"]).toBe(`jessy-${env}-mmap-data:rw`);
    expect(c.depends_on).toContain("docker_container.jessy_mmap_init");
  });
  test("environment: upstream's six variables in dev; production runs RUST_ENV=production at info", () => {
    expect(envMap(container(dev, "jessy_core"))).toEqual({
      RUST_LOG: "jessy=debug,actix_web=info",
      RUST_BACKTRACE: "1",
      RUST_ENV: "development",
      MMAP_BASE_PATH: "/app/data/mmap",
      MMAP_INITIAL_SIZE: "1048576",
      MMAP_MAX_SIZE: "10485760",
    });
    expect(envMap(container(prod, "jessy_core"))).toMatchObject({ RUST_ENV: "production", RUST_LOG: "jessy=info,actix_web=info" });
    expect(envMap(container(staging, "jessy_core"))).toMatchObject({ RUST_ENV: "staging", RUST_LOG: "jessy=info,actix_web=info" });
  });
  test("Terraform waits for it to be healthy: long in dev (first cargo-watch build), short elsewhere", () => {
    expect(container(dev, "jessy_core")).toMatchObject({ wait: true, wait_timeout: 900 });
    expect(container(staging, "jessy_core")).toMatchObject({ wait: true, wait_timeout: 120 });
    expect(container(prod, "jessy_core")).toMatchObject({ wait: true, wait_timeout: 120 });
  });
});

describe("jessy-api", () => {
  test.each(all)("%s publishes 3000 on loopback and checks /api/health with upstream's wget and timings", (env, json) => {
    const c = container(json, "jessy_api");
    const host = { dev: 3000, staging: 3001, production: 3002 }[env];
    expect(ports(c)).toEqual([`127.0.0.1:${host}->3000/tcp`]);
    expect(c.healthcheck).toEqual({
      test: ["CMD", "wget", "--no-verbose", "--tries=1", "--spider", "http://localhost:3000/api/health"],
      interval: "10s",
      timeout: "5s",
      retries: 3,
      start_period: "10s",
    });
    expect(c.restart).toBe("unless-stopped");
  });
  test.each(all)("%s reaches jessy-core by its service name and starts only after core is healthy", (_env, json) => {
    const c = container(json, "jessy_api");
    expect(envMap(c).RUST_SERVICE_URL).toBe("http://jessy-core:8080");
    expect(envMap(c).PORT).toBe("3000");
    expect(c.depends_on).toContain("docker_container.jessy_core");
    expect(container(json, "jessy_core").wait).toBe(true);
    expect(c.wait).toBe(true);
  });
  test.each(all)("%s mounts the mmap volume read-only", (env, json) => {
    expect(mounts(container(json, "jessy_api"))["/app/data/mmap"]).toBe(`jessy-${env}-mmap-data:ro`);
  });
  test("GO_ENV and LOG_LEVEL per environment", () => {
    expect(envMap(container(dev, "jessy_api"))).toMatchObject({ GO_ENV: "development", LOG_LEVEL: "debug" });
    expect(envMap(container(staging, "jessy_api"))).toMatchObject({ GO_ENV: "staging", LOG_LEVEL: "info" });
    expect(envMap(container(prod, "jessy_api"))).toMatchObject({ GO_ENV: "production", LOG_LEVEL: "info" });
  });
  test("stop grace covers the API's 30s graceful shutdown", () => {
    for (const [, json] of all) expect(container(json, "jessy_api")).toMatchObject({ stop_timeout: 30, destroy_grace_seconds: 30 });
  });
});

describe("mmap init container", () => {
  test.each(all)("%s is a one-shot run of the core image that Terraform waits for and checks", (env, json) => {
    const c = container(json, "jessy_mmap_init");
    expect(c.image).toBe(container(json, "jessy_core").image);
    expect(c).toMatchObject({ must_run: false, attach: true, restart: "no", user: "0:0", read_only: true });
    expect(c.lifecycle.postcondition[0].condition).toBe("${self.exit_code == 0}");
    expect(c.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER"] });
    expect(mounts(c)).toEqual({ "/app/data/mmap": `jessy-${env}-mmap-data:rw` });
    expect(c.entrypoint).toEqual(["/bin/sh", "-c"]);
  });
  test("creates consciousness/D01…D14, proto and temp, mode 755, owned by 1000", () => {
    const script: string = container(prod, "jessy_mmap_init").command[0];
    const lines = script.split("\n");
    expect(lines[0]).toBe("set -eu");
    expect(lines[1]).toBe("cd '/app/data/mmap'");
    expect(lines[2]).toBe(`mkdir -p ${MMAP_DIRECTORIES.join(" ")}`);
    expect(lines[3]).toBe(`chmod 755 . ${MMAP_DIRECTORIES.join(" ")}`);
    expect(lines[4]).toBe(`chown 1000:1000 . ${MMAP_DIRECTORIES.join(" ")}`);
    for (const d of ["consciousness/D01", "consciousness/D09", "consciousness/D14", "proto", "temp"])
      expect(lines[2].split(" ")).toContain(d);
    expect(lines[2]).not.toContain("D15");
    expect(script).not.toContain("-R");
  });
});

describe("images", () => {
  test("dev builds core and api from the checkout's development stages", () => {
    const images = Object.values(dev.resource.docker_image);
    const byName = Object.fromEntries(images.map((i) => [i.name, i]));
    expect(byName["jessy-core:dev"].build).toEqual({
      context: "${var.jessy_source_path}",
      dockerfile: "docker/Dockerfile.rust",
      target: "development",
      tag: ["jessy-core:dev"],
    });
    expect(byName["jessy-api:dev"].build).toEqual({
      context: "${var.jessy_source_path}",
      dockerfile: "docker/Dockerfile.go",
      target: "development",
      tag: ["jessy-api:dev"],
    });
    expect(dev.variable!.jessy_source_path).toMatchObject({ type: "string", default: "/srv/jessy", nullable: false });
    expect(dev.variable!.jessy_core_image).toBeUndefined();
  });
  test.each(hardened)("%s pulls pinned references through variables, never builds", (_env, json) => {
    for (const image of Object.values(json.resource.docker_image)) expect(image.build).toBeUndefined();
    const names = Object.values(json.resource.docker_image)
      .map((i) => i.name)
      .sort();
    // The backup runner's image is a variable too, pinned by the environment's backup settings.
    expect(names).toEqual(["${var.backup_image}", "${var.jessy_api_image}", "${var.jessy_core_image}"]);
    expect(json.variable!.backup_image.default).toBe("z3-infra/backup:1.0.0");
    expect(json.variable!.jessy_core_image.default).toBe("jessy-core:1.0.0");
    expect(json.variable!.jessy_api_image.default).toBe("jessy-api:1.0.0");
    expect(json.variable!.jessy_source_path).toBeUndefined();
  });
  test("production's image variables reject latest", () => {
    for (const name of ["jessy_core_image", "jessy_api_image"]) {
      expect(prod.variable![name].validation[0].condition).toContain(`!endswith(var.${name}, ":latest")`);
      expect(prod.variable![name].validation[0].condition).toContain("@sha256:");
    }
  });
  test("every container references an image by id", () => {
    for (const [, json] of all)
      for (const c of Object.values(json.resource.docker_container)) expect(c.image).toMatch(/^\$\{docker_image\.\w+(\[0\])?\.image_id\}$/);
  });
});

describe("runtime posture", () => {
  test.each(hardened)("%s runs core and api as UID 1000 with a read-only root filesystem and no capabilities", (_env, json) => {
    for (const id of ["jessy_core", "jessy_api"]) {
      const c = container(json, id);
      expect([id, c.user, c.read_only, c.capabilities, c.security_opts, c.privileged]).toEqual([
        id,
        "1000:1000",
        true,
        { drop: ["ALL"], add: [] },
        ["no-new-privileges:true"],
        false,
      ]);
      expect(c.tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,size=64m" });
    }
  });
  test("dev runs the development stages as root (no USER upstream) with a writable root filesystem", () => {
    const core = container(dev, "jessy_core");
    const api = container(dev, "jessy_api");
    expect(core.user).toBeUndefined();
    expect(api.user).toBeUndefined();
    expect([core.read_only, api.read_only]).toEqual([false, false]);
    // Root writes the UID-1000 mmap layout only with DAC_OVERRIDE; the read-only api needs nothing.
    expect(core.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_DAC_OVERRIDE"] });
    expect(api.capabilities).toEqual({ drop: ["ALL"], add: [] });
    expect(core.security_opts).toEqual(["no-new-privileges:true"]);
  });
  test.each(all)("%s logs json-file 10m × 3 with the service and environment labels", (env, json) => {
    expect(services(json).length).toBeGreaterThan(0);
    for (const c of services(json)) {
      expect([c.name, c.log_driver, c.log_opts]).toEqual([
        c.name,
        "json-file",
        { "max-size": "10m", "max-file": "3", labels: "service,environment" },
      ]);
      expect(labelMap(c)).toMatchObject({ service: c.name, environment: env });
    }
    // A files loader is never started; it logs as, and is labelled with, the service it loads files for.
    const containers = Object.values(json.resource.docker_container);
    for (const c of containers.filter(isFilesLoader)) {
      const owner = containers.find((s) => s.name === c.name.replace(/-files$/, ""));
      expect([c.name, c.log_driver, c.log_opts]).toEqual([c.name, "json-file", owner?.log_opts]);
      expect(labelMap(c)).toEqual({ service: c.name.replace(/-files$/, ""), environment: env, system: "jessy", role: "files-loader" });
    }
    // The backup runner rotates by the environment's backup.logging (10m × 3, no labels option: not one of Jessy's compose services).
    const runner = container(json, "backup_runner");
    expect([runner.log_driver, runner.log_opts]).toEqual(["json-file", { "max-size": "10m", "max-file": "3" }]);
    expect(labelMap(runner)).toMatchObject({ service: `jessy-${env}-backup`, environment: env, system: "jessy", role: "backup" });
  });
  test("limits: none in dev; core 2 CPUs / 2 GiB in staging and production", () => {
    // Files loaders are never started and always carry Docker's smallest useful limit (16 MiB).
    for (const c of Object.values(dev.resource.docker_container).filter(isFilesLoader))
      expect([c.name, c.memory, c.memory_swap]).toEqual([c.name, 16, 16]);
    for (const c of Object.values(dev.resource.docker_container).filter((c) => !isFilesLoader(c)))
      expect([c.name, c.memory, c.memory_swap, c.cpu_quota, c.cpu_period, c.cpus, labelMap(c)["cpu-limit"]]).toEqual([
        c.name,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    for (const json of [staging, prod]) {
      // CPU limits are a CFS quota over a 100 ms period (Docker refuses `cpus` above the host's CPU count); swap equals memory.
      expect(container(json, "jessy_core")).toMatchObject({ memory: 2048, memory_swap: 2048, cpu_period: 100000, cpu_quota: 200000 });
      expect(container(json, "jessy_api")).toMatchObject({ memory: 512, memory_swap: 512, cpu_period: 100000, cpu_quota: 100000 });
      expect(container(json, "jessy_mmap_init")).toMatchObject({ memory: 64, memory_swap: 64, cpu_period: 100000, cpu_quota: 25000 });
      expect(["jessy_core", "jessy_api", "jessy_mmap_init"].map((id) => cpusOf(container(json, id)))).toEqual([2, 1, 0.25]);
      // Quota edits are not applied in place: the label carries the limit so a change replaces the container.
      expect(["jessy_core", "jessy_api", "jessy_mmap_init"].map((id) => labelMap(container(json, id))["cpu-limit"])).toEqual([
        "2",
        "1",
        "0.25",
      ]);
      // The backup runner's limits come from the environment's backup.resources (staging and production).
      expect(container(json, "backup_runner")).toMatchObject({ memory: 512, memory_swap: 512, cpu_period: 100000, cpu_quota: 50000 });
      for (const c of Object.values(json.resource.docker_container)) expect([c.name, c.cpus]).toEqual([c.name, undefined]);
    }
  });
});

describe("hot reload (dev only)", () => {
  test("jessy-core: upstream's source binds and cargo/target caches", () => {
    expect(mounts(container(dev, "jessy_core"))).toEqual({
      "/app/data/mmap": "jessy-dev-mmap-data:rw",
      "/usr/local/cargo/registry": "jessy-dev-cargo-cache:rw",
      "/app/target": "jessy-dev-target-cache:rw",
      "/app/src": "${var.jessy_source_path}/src:ro",
      "/app/Cargo.toml": "${var.jessy_source_path}/Cargo.toml:ro",
      "/app/Cargo.lock": "${var.jessy_source_path}/Cargo.lock:ro",
      "/app/data": "${var.jessy_source_path}/data:rw",
    });
  });
  test("jessy-api: the api source, air config and Go module cache", () => {
    expect(mounts(container(dev, "jessy_api"))).toEqual({
      "/app/data/mmap": "jessy-dev-mmap-data:ro",
      "/go/pkg/mod": "jessy-dev-go-cache:rw",
      "/app/api": "${var.jessy_source_path}/api:ro",
      "/app/.air.toml": "${var.jessy_source_path}/api/.air.toml:ro",
    });
  });
  test.each(hardened)("%s has no bind mounts and no cache volumes", (env, json) => {
    for (const c of Object.values(json.resource.docker_container)) expect(c.volumes.filter((v) => v.host_path !== undefined)).toEqual([]);
    const volumes = Object.values(json.resource.docker_volume)
      .map((v) => v.name)
      .sort();
    expect(volumes).toEqual([
      `jessy-${env}-api-files-run-secrets`,
      // The backup runner's files: its program and restic settings, the restic password and SSH key.
      `jessy-${env}-backup-files-etc-restic`,
      `jessy-${env}-backup-files-run-secrets-restic`,
      `jessy-${env}-mmap-data`,
    ]);
  });
});

describe("secrets", () => {
  test.each(hardened)("%s delivers API_KEY and JWT_SECRET to jessy-api as files from sensitive variables", (env, json) => {
    const api = container(json, "jessy_api");
    // The files are uploaded into a never-started loader container, not into jessy-api itself.
    const loader = container(json, "jessy_api_files");
    expect(api.upload).toBeUndefined();
    expect(loader.upload).toEqual([
      { file: "/run/secrets/api_key", content: "${var.api_key}", permissions: "0444" },
      { file: "/run/secrets/jwt_secret", content: "${var.jwt_secret}", permissions: "0444" },
    ]);
    expect(loader).toMatchObject({
      name: `jessy-${env}-api-files`,
      image: api.image,
      start: false,
      must_run: false,
      read_only: false,
      network_mode: "none",
    });
    expect(loader.ports).toBeUndefined();
    expect(mounts(loader)).toEqual({ "/run/secrets": `jessy-${env}-api-files-run-secrets:rw` });
    // jessy-api starts after the loader and is replaced with it, so a rotated secret reaches a new container.
    expect(api.depends_on).toContain("docker_container.jessy_api_files");
    expect(api.lifecycle.replace_triggered_by).toEqual(["docker_container.jessy_api_files"]);
    expect(envMap(api)).toMatchObject({ API_KEY_FILE: "/run/secrets/api_key", JWT_SECRET_FILE: "/run/secrets/jwt_secret" });
    expect(Object.keys(envMap(api))).not.toContain("API_KEY");
    expect(Object.keys(envMap(api))).not.toContain("JWT_SECRET");
    // The files sit on a volume of their own, which jessy-api mounts read-only.
    expect(mounts(api)["/run/secrets"]).toBe(`jessy-${env}-api-files-run-secrets:ro`);
    for (const name of ["api_key", "jwt_secret"]) {
      expect(json.variable![name]).toMatchObject({ type: "string", sensitive: true, nullable: false });
      expect(json.variable![name].default).toBeUndefined();
      expect(lengthCheck(json, name)).toBe(`\${length(var.${name}) >= 32}`);
    }
    expect(container(json, "jessy_core").upload).toBeUndefined();
    expect(filesLoader(json, "jessy_core")).toBeUndefined();
  });
  test("dev has no secret variables of its own (upstream's dev compose has none); its only secrets are the optional backup ones", () => {
    expect(Object.keys(dev.variable!).sort()).toEqual([
      "backup_image",
      "backup_known_hosts",
      "backup_password",
      "backup_repository",
      "backup_ssh_key",
      "docker_cert_path",
      "docker_host",
      "docker_ssh_opts",
      "jessy_coverage_image",
      "jessy_source_path",
      "jessy_test_profile",
      "registry_address",
      "registry_password",
      "registry_username",
    ]);
    // Sensitive variables other than the optional registry login: only the backup credentials, default "" (empty: no backups).
    const sensitive = Object.entries(dev.variable!).filter(([name, v]) => v.sensitive === true && !name.startsWith("registry_"));
    expect(sensitive.map(([name, v]) => [name, v.default])).toEqual([
      ["backup_password", ""],
      ["backup_ssh_key", ""],
    ]);
    expect(dev.variable!.backup_repository.default).toBe("");
    expect(container(dev, "jessy_api").upload).toBeUndefined();
    expect(filesLoader(dev, "jessy_api")).toBeUndefined();
    expect(container(dev, "jessy_api").lifecycle?.replace_triggered_by).toBeUndefined();
  });
  test("variables per stack", () => {
    expect(Object.keys(prod.variable!).sort()).toEqual([
      "api_key",
      "backup_image",
      "backup_known_hosts",
      "backup_password",
      "backup_repository",
      "backup_ssh_key",
      "docker_cert_path",
      "docker_host",
      "docker_ssh_opts",
      "jessy_api_image",
      "jessy_core_image",
      "jwt_secret",
      "registry_address",
      "registry_password",
      "registry_username",
    ]);
    expect(Object.keys(staging.variable!).sort()).toEqual(Object.keys(prod.variable!).sort());
    // Production requires backups: no default for the destination and its credentials; staging's are optional.
    for (const name of ["backup_repository", "backup_known_hosts", "backup_password", "backup_ssh_key"]) {
      expect([name, prod.variable![name].default]).toEqual([name, undefined]);
      expect([name, staging.variable![name].default]).toEqual([name, ""]);
    }
  });
});

describe("test profile (dev)", () => {
  const tests = ["jessy_test", "jessy_unit_tests", "jessy_integration_tests", "jessy_bdd_tests", "jessy_coverage"];
  test("off unless jessy_test_profile is set, like compose's --profile test", () => {
    expect(dev.variable!.jessy_test_profile).toMatchObject({ type: "bool", default: false, nullable: false });
    for (const id of tests) expect([id, container(dev, id).count]).toEqual([id, "${var.jessy_test_profile ? 1 : 0}"]);
    for (const id of ["jessy_core", "jessy_api", "jessy_mmap_init"]) expect(container(dev, id).count).toBeUndefined();
  });
  test("the test and coverage images are built or pulled only with the profile", () => {
    const test = imageNamed(dev, "jessy-test:dev");
    const coverage = imageNamed(dev, "${var.jessy_coverage_image}");
    expect(test.build).toEqual({ context: "${var.jessy_source_path}", dockerfile: "docker/Dockerfile.test", tag: ["jessy-test:dev"] });
    expect(test.count).toBe("${var.jessy_test_profile ? 1 : 0}");
    expect(coverage.count).toBe("${var.jessy_test_profile ? 1 : 0}");
    expect(dev.variable!.jessy_coverage_image.default).toBe("xd009642/tarpaulin:0.35.1");
    expect(container(dev, "jessy_coverage").image).toBe("${docker_image.jessy_coverage_image[0].image_id}");
    expect(container(dev, "jessy_unit_tests").image).toBe("${docker_image.jessy_test_image[0].image_id}");
  });
  test("one-shot: no restart, must_run=false, and the apply does not wait for or fail on the result", () => {
    for (const id of tests) {
      const c = container(dev, id);
      expect([id, c.must_run, c.restart, c.attach, c.lifecycle?.postcondition, c.wait, c.healthcheck]).toEqual([
        id,
        false,
        "no",
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    }
  });
  test("upstream commands", () => {
    expect(container(dev, "jessy_test").command).toEqual(["cargo", "test", "--all-features"]);
    expect(container(dev, "jessy_unit_tests").command).toEqual([
      "cargo",
      "test",
      "--lib",
      "--no-default-features",
      "--color=always",
      "--",
      "--nocapture",
    ]);
    expect(container(dev, "jessy_integration_tests").command).toEqual(["cargo", "test", "--test", "*", "--all-features", "--color=always"]);
    expect(container(dev, "jessy_bdd_tests").command).toEqual(["cargo", "test", "--test", "cucumber", "--all-features", "--color=always"]);
    expect(container(dev, "jessy_coverage").command).toEqual([
      "cargo",
      "tarpaulin",
      "--all-features",
      "--workspace",
      "--timeout",
      "300",
      "--out",
      "Html",
      "--output-dir",
      "test-results",
      "--color",
      "always",
    ]);
    expect(container(dev, "jessy_coverage").working_dir).toBe("/volume");
  });
  test("integration and BDD start only after core and api are healthy, and know their URLs", () => {
    for (const id of ["jessy_integration_tests", "jessy_bdd_tests"]) {
      const c = container(dev, id);
      expect(c.depends_on).toEqual(expect.arrayContaining(["docker_container.jessy_core", "docker_container.jessy_api"]));
      expect(envMap(c)).toEqual({
        RUST_TEST_THREADS: "1",
        RUST_BACKTRACE: "1",
        CARGO_TERM_COLOR: "always",
        RUST_SERVICE_URL: "http://jessy-core:8080",
        API_SERVICE_URL: "http://jessy-api:3000",
      });
    }
    for (const id of ["jessy_test", "jessy_unit_tests", "jessy_coverage"]) {
      expect(container(dev, id).depends_on).not.toContain("docker_container.jessy_core");
    }
  });
  test("results land on the test-results volume", () => {
    for (const id of ["jessy_test", "jessy_unit_tests", "jessy_integration_tests", "jessy_bdd_tests"]) {
      expect([id, mounts(container(dev, id))["/app/test-results"]]).toEqual([id, "jessy-dev-test-results:rw"]);
    }
    expect(mounts(container(dev, "jessy_coverage"))["/volume/test-results"]).toBe("jessy-dev-test-results:rw");
  });
  test("only jessy-test mounts the mmap volume (rw, after the init); unit-tests binds ./data instead", () => {
    expect(mounts(container(dev, "jessy_test"))["/app/data/mmap"]).toBe("jessy-dev-mmap-data:rw");
    expect(container(dev, "jessy_test").depends_on).toContain("docker_container.jessy_mmap_init");
    expect(mounts(container(dev, "jessy_unit_tests"))["/app/data"]).toBe("${var.jessy_source_path}/data:rw");
    for (const id of ["jessy_unit_tests", "jessy_integration_tests", "jessy_bdd_tests", "jessy_coverage"]) {
      expect([id, mounts(container(dev, id))["/app/data/mmap"]]).toEqual([id, undefined]);
    }
  });
  test("source binds and caches as upstream; sources read-only", () => {
    expect(mounts(container(dev, "jessy_integration_tests"))).toEqual({
      "/app/test-results": "jessy-dev-test-results:rw",
      "/usr/local/cargo/registry": "jessy-dev-cargo-cache:rw",
      "/app/target": "jessy-dev-target-cache:rw",
      "/app/src": "${var.jessy_source_path}/src:ro",
      "/app/tests": "${var.jessy_source_path}/tests:ro",
      "/app/Cargo.toml": "${var.jessy_source_path}/Cargo.toml:ro",
      "/app/Cargo.lock": "${var.jessy_source_path}/Cargo.lock:ro",
    });
    expect(mounts(container(dev, "jessy_coverage"))["/volume/target"]).toBe("jessy-dev-target-cache:rw");
  });
  test.each(hardened)("%s has no test services, test images or test variables", (_env, json) => {
    expect(containerNames(json).filter((n) => /test|coverage/.test(n))).toEqual([]);
    expect(json.variable!.jessy_test_profile).toBeUndefined();
    expect(json.resource.docker_volume.jessy_test_results).toBeUndefined();
  });
});

describe("outputs", () => {
  test("api URL and container names for operators", () => {
    expect(prod.output!.api_url.value).toBe("http://127.0.0.1:3002");
    expect(prod.output!.core_container.value).toBe("${docker_container.jessy_core.name}");
    expect(prod.output!.mmap_volume.value).toBe("jessy-production-mmap-data");
  });
});
