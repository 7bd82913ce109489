import { FileText, Secret, Service, ServiceProps } from "../../lib";
import { resolveService } from "../../lib/resolved-service";
import { container, scratchStack, STAGING_SWARM, swarmService, synthJson } from "../helpers";

/** `resolveService`: every default and conversion of a Service's props, once; both renderings read it. */

const base = () => {
  const s = scratchStack();
  const props: ServiceProps = {
    name: "app",
    image: s.image,
    user: "1000:1000",
    networks: [{ network: s.network, aliases: ["api", "app"] }],
  };
  return { s, props };
};

describe("resolveService defaults", () => {
  const { props } = base();
  const r = resolveService(props, []);

  test.each([
    ["replicas", r.replicas, 1],
    ["read-only root filesystem", r.readOnlyRootFilesystem, true],
    ["restart", r.restart, "unless-stopped"],
    ["maxRetryCount (only with on-failure)", r.maxRetryCount, undefined],
    ["stopTimeoutSeconds", r.stopTimeoutSeconds, 10],
    ["no-new-privileges", r.noNewPrivileges, true],
    ["one-shot", r.oneShot, false],
    ["waitForExit", r.waitForExit, false],
    ["hostLocal", r.hostLocal, false],
  ])("%s", (_, value, expected) => expect(value).toEqual(expected));

  test("aliases: the service's name first, each alias once", () => expect(r.networks[0].aliases).toEqual(["app", "api"]));
  test("log options: 10 MiB × 3 files", () => expect(r.logOptions).toEqual({ "max-size": "10m", "max-file": "3" }));
  test("labels: service", () => expect(r.labels).toEqual({ service: "app" }));

  test("a one-shot service does not restart and is waited for", () => {
    const o = resolveService({ ...props, oneShot: true }, []);
    expect([o.restart, o.waitForExit]).toEqual(["no", true]);
  });
  test("restart on-failure retries 5 times unless told otherwise", () => {
    expect(resolveService({ ...props, restart: "on-failure" }, []).maxRetryCount).toBe(5);
    expect(resolveService({ ...props, restart: "on-failure", maxRetryCount: 2 }, []).maxRetryCount).toBe(2);
    expect(resolveService({ ...props, restart: "always", maxRetryCount: 2 }, []).maxRetryCount).toBeUndefined();
  });
  test("environment sorted by name; capabilities prefixed, once, sorted; ports and bind mounts with their defaults", () => {
    const e = resolveService(
      {
        ...props,
        environment: { B: "2", A: "1" },
        capabilities: ["SETUID", "CHOWN", "SETUID"],
        ports: [{ containerPort: 80, hostPort: 8080, kind: "http" }],
        bindMounts: [{ hostPath: "/src", containerPath: "/app" }],
      },
      [],
    );
    expect(e.environment).toEqual([
      ["A", "1"],
      ["B", "2"],
    ]);
    expect(e.capabilities).toEqual(["CAP_CHOWN", "CAP_SETUID"]);
    expect(e.ports).toEqual([{ containerPort: 80, hostPort: 8080, kind: "http", protocol: "tcp", public: false }]);
    expect(e.bindMounts).toEqual([{ hostPath: "/src", containerPath: "/app", readOnly: true }]);
  });
  test("files are read by the user the image drops to, 0:0 for root", () => {
    expect(
      resolveService({ ...props, user: undefined, rootReason: "drops privileges", dropsToUser: "10001:10001" }, []).fileReader,
    ).toEqual({
      uid: "10001",
      gid: "10001",
      root: false,
    });
    expect(resolveService({ ...props, user: "0:1000", rootReason: "needs root here" }, []).fileReader).toEqual({
      uid: "0",
      gid: "0",
      root: true,
    });
  });
});

describe("both renderings read the resolved props", () => {
  const render = (target: typeof STAGING_SWARM | undefined, extra: Partial<ServiceProps>) => {
    const s = scratchStack(target);
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network, aliases: ["zz", "api"] }],
      ...extra,
    });
    return synthJson(s.stack);
  };
  const extra: Partial<ServiceProps> = { restart: "on-failure", environment: { B: "2", A: "1" } };
  const c = container(render(undefined, extra), "app");
  const svc = swarmService(render(STAGING_SWARM, extra), "app");

  test("restart on-failure with the default retries", () => {
    expect([c.restart, c.max_retry_count]).toEqual(["on-failure", 5]);
    expect([svc.task_spec.restart_policy.condition, svc.task_spec.restart_policy.max_attempts]).toEqual(["on-failure", 5]);
  });
  test("the default stop timeout", () => {
    expect([c.stop_timeout, c.destroy_grace_seconds]).toEqual([10, 10]);
    expect(svc.task_spec.container_spec.stop_grace_period).toBe("10s");
  });
  test("the environment sorted", () => {
    expect(c.env).toEqual(["A=1", "B=2"]);
    expect(Object.keys(svc.task_spec.container_spec.env)).toEqual(["A", "B"]);
  });
  test("the aliases: the name and each alias (swarm reads them back sorted)", () => {
    expect(c.networks_advanced[0].aliases).toEqual(["app", "zz", "api"]);
    expect(svc.task_spec.networks_advanced[0].aliases).toEqual(["api", "app", "zz"]);
  });
  test("the read-only root filesystem", () => {
    expect(c.read_only).toBe(true);
    expect(svc.task_spec.container_spec.read_only).toBe(true);
  });
});

describe("the files loader", () => {
  test("logs with the service's own log options, compress and labels included", () => {
    const s = scratchStack();
    const token = new Secret(s.stack, "Token", { variableName: "app_token", description: "token" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network }],
      logging: { maxSizeMiB: 50, maxFiles: 5, compress: true, labels: ["service", "environment"] },
      secretFiles: [token.file("/run/secrets/token")],
      configFiles: [{ containerPath: "/etc/app/app.toml", content: FileText.of("x = 1") }],
    });
    const json = synthJson(s.stack);
    const expected = { "max-size": "50m", "max-file": "5", compress: "true", labels: "service,environment" };
    expect(container(json, "app").log_opts).toEqual(expected);
    expect(container(json, "app_files").log_opts).toEqual(expected);
  });
});
