import { TerraformStack, TerraformVariable, Testing } from "../../lib/cdk";
import { Condition, FileText, Secret, Service, ServiceProps, Volume, Network, ConstructValidationError } from "../../lib";
import { container, cpusOf, envMap, labelMap, scratchStack, synthJson } from "../helpers";

/** A condition on a bool variable `name` (declared in a stack of its own: only its expression is read). */
const whenTrue = (name: string) =>
  Condition.whenTrue(new TerraformVariable(new TerraformStack(Testing.app(), "vars"), name, { type: "bool" }));

function minimal(extra: Partial<ServiceProps> = {}) {
  const s = scratchStack();
  new Service(s.stack, "App", { name: "app", image: s.image, user: "1000:1000", networks: [{ network: s.network }], ...extra });
  return { ...s, json: synthJson(s.stack) };
}

describe("Service secure defaults", () => {
  const { json } = minimal();
  const c = container(json, "app");

  test("runs as the declared non-root user", () => expect(c.user).toBe("1000:1000"));
  test("root filesystem is read-only", () => expect(c.read_only).toBe(true));
  test("drops every capability and adds none", () => expect(c.capabilities).toEqual({ drop: ["ALL"], add: [] }));
  test("sets no-new-privileges", () => expect(c.security_opts).toEqual(["no-new-privileges:true"]));
  test("is never privileged", () => expect(c.privileged).toBe(false));
  test("restarts unless stopped", () => expect(c.restart).toBe("unless-stopped"));
  test("logs to json-file with rotation set explicitly", () => {
    expect(c.log_driver).toBe("json-file");
    expect(c.log_opts).toEqual({ "max-size": "10m", "max-file": "3" });
  });
  test("publishes no host port", () => expect(c.ports).toEqual([]));
  test("references the image by id, never by name", () => expect(c.image).toMatch(/^\$\{docker_image\.[A-Za-z0-9_]+\.image_id\}$/));
  test("leaves network_mode to the provider's default (bridge in 4.6: no drift, see 00-provider-behaviour)", () =>
    expect(c.network_mode).toBeUndefined());
  test("joins its networks with its name as alias", () => expect(c.networks_advanced).toEqual([{ name: "test-net", aliases: ["app"] }]));
  test("labels itself with its service name only (the stack adds environment and system)", () =>
    expect(labelMap(c)).toEqual({ service: "app" }));
  test("has no limits unless given", () => {
    expect(c.memory).toBeUndefined();
    expect(c.cpus).toBeUndefined();
    expect(c.cpu_quota).toBeUndefined();
  });
  test("has no files loader without files", () => expect(json.resource.docker_container.app_files).toBeUndefined());
  test("has no lifecycle block when nothing needs one", () => expect(c.lifecycle).toBeUndefined());
  test("keeps running (must_run) and does not attach", () => {
    expect(c.must_run).toBe(true);
    expect(c.attach).toBeUndefined();
  });
  test("stop timeout defaults to 10 s", () => expect(c.stop_timeout).toBe(10));
  test("terraform address is readable and stable", () => expect(Object.keys(json.resource.docker_container)).toEqual(["app"]));
});

describe("Service explicit settings", () => {
  test("declared ports bind to 127.0.0.1 unless public", () => {
    const { json } = minimal({
      ports: [
        { containerPort: 8080, hostPort: 18080, kind: "http" },
        { containerPort: 8233, hostPort: 8233, kind: "p2p", public: true },
      ],
    });
    expect(container(json, "app").ports).toEqual([
      { internal: 8080, external: 18080, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 8233, external: 8233, ip: "0.0.0.0", protocol: "tcp" },
    ]);
  });

  test("limits map to memory (MiB, no extra swap) and a CFS quota (Docker refuses cpus above the host's CPU count)", () => {
    const c = container(minimal({ resources: { memoryMiB: 512, cpus: 1.5 } }).json, "app");
    expect(c.memory).toBe(512);
    expect(c.memory_swap).toBe(512);
    expect(c.cpus).toBeUndefined();
    expect([c.cpu_period, c.cpu_quota]).toEqual([100000, 150000]);
    // CPU priority follows the limit: 1024 per core (ContainerCpuPrioritySet).
    expect(c.cpu_shares).toBe(1536);
    expect(cpusOf(c)).toBe(1.5);
  });

  test("a CPU limit edit replaces the container (the provider never applies cpu_quota in place)", () => {
    const a = container(minimal({ resources: { cpus: 1 } }).json, "app");
    const b = container(minimal({ resources: { cpus: 2 } }).json, "app");
    expect([labelMap(a)["cpu-limit"], labelMap(b)["cpu-limit"]]).toEqual(["1", "2"]);
  });

  test("capabilities are added back sorted and de-duplicated after dropping ALL", () => {
    const c = container(minimal({ capabilities: ["SETUID", "CHOWN", "SETUID"] }).json, "app");
    expect(c.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_CHOWN", "CAP_SETUID"] });
  });

  test("health check durations are strings and a digest label forces replacement on edit", () => {
    const hc = {
      test: ["CMD", "true"],
      intervalSeconds: 30,
      timeoutSeconds: 10,
      retries: 3,
      startPeriodSeconds: 90,
      startIntervalSeconds: 5,
    };
    const a = container(minimal({ healthCheck: hc }).json, "app");
    // Go's time.Duration spelling ("1m30s"), which the provider reads back: "90s" would drift.
    expect(a.healthcheck).toEqual({
      test: ["CMD", "true"],
      interval: "30s",
      timeout: "10s",
      retries: 3,
      start_period: "1m30s",
      start_interval: "5s",
    });
    expect(container(minimal({ healthCheck: { ...hc, intervalSeconds: 3600, startPeriodSeconds: 60 } }).json, "app").healthcheck).toEqual(
      expect.objectContaining({ interval: "1h0m0s", start_period: "1m0s" }),
    );
    const b = container(minimal({ healthCheck: { ...hc, retries: 4 } }).json, "app");
    expect(labelMap(a)["healthcheck-digest"]).toMatch(/^[0-9a-f]{8}$/);
    expect(labelMap(a)["healthcheck-digest"]).not.toEqual(labelMap(b)["healthcheck-digest"]);
  });

  test("waitForHealthySeconds sets the provider wait", () => {
    const c = container(
      minimal({ healthCheck: { test: ["CMD", "true"], intervalSeconds: 5, timeoutSeconds: 2, retries: 3 }, waitForHealthySeconds: 120 })
        .json,
      "app",
    );
    expect(c.wait).toBe(true);
    expect(c.wait_timeout).toBe(120);
  });

  test("rotation and compression come from logging", () => {
    const c = container(minimal({ logging: { maxSizeMiB: 50, maxFiles: 5, compress: true } }).json, "app");
    expect(c.log_opts).toEqual({ "max-size": "50m", "max-file": "5", compress: "true" });
  });

  test("environment is emitted sorted as KEY=value", () => {
    const c = container(minimal({ environment: { B: "2", A: "1" } }).json, "app");
    expect(c.env).toEqual(["A=1", "B=2"]);
    expect(envMap(c)).toEqual({ A: "1", B: "2" });
  });

  test("volume mounts carry their mode and the volume is a dependency", () => {
    const s = scratchStack();
    const v = new Volume(s.stack, "Data", { name: "data" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      volumes: [v.mount("/data", { readOnly: true })],
    });
    const c = container(synthJson(s.stack), "app");
    expect(c.volumes).toEqual([{ volume_name: "data", container_path: "/data", read_only: true }]);
    expect(c.depends_on).toContain("docker_volume.data");
  });

  test("one-shot services do not restart, need not keep running, and fail the apply on a non-zero exit", () => {
    const c = container(minimal({ oneShot: true }).json, "app");
    expect(c.restart).toBe("no");
    expect(c.must_run).toBe(false);
    expect(c.attach).toBe(true);
    expect(c.lifecycle.postcondition[0].condition).toBe("${self.exit_code == 0}");
  });

  test("enabledWhen makes the container conditional through count", () => {
    const c = container(minimal({ enabledWhen: whenTrue("enabled") }).json, "app");
    expect(c.count).toBe("${var.enabled ? 1 : 0}");
  });
});

describe("Service files", () => {
  function withSecret(extra: Partial<ServiceProps> = {}) {
    const s = scratchStack();
    const secret = new Secret(s.stack, "Token", { variableName: "api_token", description: "token" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network }],
      secretFiles: [secret.file("/run/secrets/api_token")],
      configFiles: [{ containerPath: "/etc/app/app.toml", content: FileText.of("x = 1") }],
      ...extra,
    });
    return synthJson(s.stack);
  }

  test("uploads go to a created-but-never-started loader of the same image (Docker refuses uploads to a read-only root)", () => {
    const json = withSecret();
    const loader = container(json, "app_files");
    const app = container(json, "app");
    expect(loader).toMatchObject({
      name: "app-files",
      image: app.image,
      start: false,
      must_run: false,
      read_only: false,
      network_mode: "none",
    });
    expect(loader.capabilities).toEqual({ drop: ["ALL"], add: [] });
    expect(loader.upload).toEqual([
      { file: "/run/secrets/api_token", content: "${var.api_token}", permissions: "0444" },
      { file: "/etc/app/app.toml", content: "x = 1", permissions: "0444" },
    ]);
    expect(app.upload).toBeUndefined();
  });

  test("files volumes are addressed by their directory, so adding a directory that sorts first renames none", () => {
    const addresses = (json: ReturnType<typeof withSecret>) => Object.keys(json.resource.docker_volume).sort();
    expect(addresses(withSecret())).toEqual(["app_files_etc_app", "app_files_run_secrets"]);
    // A service no earlier release deployed has no counter addresses to move from (test/lib/earlier-addresses.test.ts).
    expect(withSecret().moved).toBeUndefined();
    const more = withSecret({
      configFiles: [
        { containerPath: "/aaa/first.conf", content: FileText.of("a") },
        { containerPath: "/etc/app/app.toml", content: FileText.of("x = 1") },
      ],
    });
    expect(addresses(more)).toEqual(["app_files_aaa", "app_files_etc_app", "app_files_run_secrets"]);
  });

  test("one files volume per directory: read-write in the loader, read-only in the service", () => {
    const json = withSecret();
    expect(container(json, "app_files").volumes).toEqual([
      { volume_name: "app-files-etc-app", container_path: "/etc/app", read_only: false },
      { volume_name: "app-files-run-secrets", container_path: "/run/secrets", read_only: false },
    ]);
    expect(container(json, "app").volumes).toEqual([
      { volume_name: "app-files-etc-app", container_path: "/etc/app", read_only: true },
      { volume_name: "app-files-run-secrets", container_path: "/run/secrets", read_only: true },
    ]);
    expect(json.resource.docker_volume.app_files_etc_app.name).toBe("app-files-etc-app");
    expect(json.resource.docker_volume.app_files_run_secrets.name).toBe("app-files-run-secrets");
  });

  test("a changed file (a rotated secret) replaces the service together with its loader", () => {
    const app = container(withSecret(), "app");
    expect(app.lifecycle.replace_triggered_by).toEqual(["docker_container.app_files"]);
    expect(app.depends_on).toContain("docker_container.app_files");
  });

  test("a conditional service has a conditional loader and triggers on its own instance", () => {
    const json = withSecret({ enabledWhen: whenTrue("on") });
    expect(container(json, "app_files").count).toBe("${var.on ? 1 : 0}");
    expect(container(json, "app").lifecycle.replace_triggered_by).toEqual(["docker_container.app_files[count.index]"]);
  });

  test("a file under a declared volume is uploaded through that volume, with no extra files volume", () => {
    const s = scratchStack();
    const data = new Volume(s.stack, "Data", { name: "data" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network }],
      volumes: [data.mount("/data")],
      configFiles: [{ containerPath: "/data/conf/app.toml", content: FileText.of("x = 1") }],
    });
    const json = synthJson(s.stack);
    expect(Object.keys(json.resource.docker_volume)).toEqual(["data"]);
    expect(container(json, "app_files").volumes).toEqual([{ volume_name: "data", container_path: "/data", read_only: false }]);
    expect(container(json, "app").volumes).toEqual([{ volume_name: "data", container_path: "/data", read_only: false }]);
  });

  test("a secret file is 0400 when the reader is root", () => {
    const s = scratchStack();
    const secret = new Secret(s.stack, "Token", { variableName: "api_token", description: "token" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      rootReason: "the image needs root for a good reason",
      networks: [{ network: s.network }],
      secretFiles: [secret.file("/run/secrets/api_token")],
    });
    expect(container(synthJson(s.stack), "app_files").upload[0].permissions).toBe("0400");
  });

  test("a secret file is 0444 when a root entrypoint drops to another user (uploads are root-owned)", () => {
    const s = scratchStack();
    const secret = new Secret(s.stack, "Token", { variableName: "api_token", description: "token" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      rootReason: "the entrypoint chowns data, then drops privileges",
      dropsToUser: "1000:1000",
      networks: [{ network: s.network }],
      secretFiles: [secret.file("/run/secrets/api_token")],
    });
    const upload = container(synthJson(s.stack), "app_files").upload[0];
    expect([upload.permissions, upload.owner, upload.group]).toEqual(["0444", undefined, undefined]);
  });
});

describe("Service validation", () => {
  const expectInvalid = (extra: Partial<ServiceProps>, ...fragments: string[]) => {
    let error: unknown;
    try {
      minimal(extra);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructValidationError);
    for (const f of fragments) expect((error as Error).message).toContain(f);
    expect((error as Error).message).toContain("test/App");
  };

  test("fails when a service runs as root without a reason", () => expectInvalid({ user: undefined }, "rootReason"));
  test("fails when the root reason is too short", () => expectInvalid({ user: "0", rootReason: "because" }, "rootReason", '"because"'));
  test("fails when user is not numeric", () => expectInvalid({ user: "app" }, "user", '"app"'));
  test("fails when a port is out of range", () =>
    expectInvalid({ ports: [{ containerPort: 0, hostPort: 70000, kind: "http" }] }, "ports[0].containerPort", "ports[0].hostPort"));
  test("fails when a host port is published twice", () =>
    expectInvalid(
      {
        ports: [
          { containerPort: 1, hostPort: 9000, kind: "http" },
          { containerPort: 2, hostPort: 9000, kind: "http" },
        ],
      },
      "ports[1].hostPort",
    ));
  test("fails when ports are published from internal networks only", () => {
    const s = scratchStack();
    const internal = new Network(s.stack, "Internal", { name: "internal" });
    expect(
      () =>
        new Service(s.stack, "App", {
          name: "app",
          image: s.image,
          user: "1000",
          networks: [{ network: internal }],
          ports: [{ containerPort: 80, hostPort: 8080, kind: "http" }],
        }),
    ).toThrow(/non-internal network/);
  });
  test("fails without networks", () => expectInvalid({ networks: [] }, "networks"));
  test("fails when memory is below Docker's minimum", () => expectInvalid({ resources: { memoryMiB: 2 } }, "resources.memoryMiB"));
  test("fails when memory is above 4 TiB (the settings' bound)", () =>
    expectInvalid({ resources: { memoryMiB: 1e21 } }, "resources.memoryMiB"));
  test("fails when cpus is not positive", () => expectInvalid({ resources: { cpus: 0 } }, "resources.cpus"));
  test("fails when waiting for health without a health check", () => expectInvalid({ waitForHealthySeconds: 30 }, "waitForHealthySeconds"));
  test("fails when a one-shot service restarts always", () => expectInvalid({ oneShot: true, restart: "always" }, "restart"));
  test("fails when a path is relative", () =>
    expectInvalid({ configFiles: [{ containerPath: "etc/x", content: FileText.of("") }] }, "absolute"));
  test("lists every problem at once", () =>
    expectInvalid({ user: "app", networks: [], resources: { cpus: -1 } }, "user", "networks", "resources.cpus"));
});
