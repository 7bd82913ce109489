import { loadConfig, E2eConfig } from "./harness/env";
import { docker, dockerOk, mustInspect } from "./harness/docker-engine";
import { Probe, PROBE_IMAGE, PROBE_PREFIX, probeContainer, probeImageId } from "./harness/probe";
import { say } from "./harness/log";

/**
 * What kreuzwerker/docker 4.6 does with the attributes `lib/service.ts` writes, on the real engine.
 * Each test is the evidence for one rule of the construct library: a workaround it keeps (the test
 * fails once the provider no longer needs it) or a simplification it made (the test fails if the
 * provider needs the workaround again). docs/e2e.md lists them.
 */
describe("kreuzwerker/docker 4.6 on the local engine: the behaviours lib/service.ts relies on", () => {
  let config: E2eConfig;
  let image: string;
  const probes: Probe[] = [];

  const probe = async (name: string, resource: Record<string, Record<string, Record<string, unknown>>>): Promise<Probe> => {
    const p = new Probe(name, config);
    probes.push(p);
    p.write(resource);
    await p.init();
    return p;
  };
  const container = (name: string, extra: Record<string, unknown> = {}) => ({
    docker_container: { c: probeContainer(name, image, extra) },
  });

  beforeAll(async () => {
    config = loadConfig();
    image = await probeImageId();
  });
  afterAll(async () => {
    for (const p of probes) await p.destroy();
    for (const kind of ["container", "volume", "network"] as const) {
      const args = kind === "container" ? ["container", "ls", "-a", "--format", "{{.Names}}"] : [kind, "ls", "--format", "{{.Name}}"];
      const names = (await dockerOk(args)).split("\n").filter((n) => n.startsWith(PROBE_PREFIX));
      if (names.length > 0) await docker([kind, "rm", ...(kind === "network" ? [] : ["-f"]), ...names]);
    }
    await docker(["image", "rm", `${PROBE_PREFIX}image:1`]);
  });

  test("image: kept by id. By name no longer drifts in 4.6, but only the id sees a new image under the same tag", async () => {
    const tag = `${PROBE_PREFIX}image:1`;
    await dockerOk(["tag", PROBE_IMAGE, tag]);
    const p = await probe("image", {
      docker_image: { i: { name: tag, keep_locally: true } },
      docker_container: {
        by_name: probeContainer("image-by-name", tag, { depends_on: ["docker_image.i"] }),
        by_id: probeContainer("image-by-id", "${docker_image.i.image_id}"),
      },
    });
    await p.tf.applyOk();
    expect(await p.planned()).toEqual({});
    // The tag now names another image (a rebuild, or a re-pull of a moved tag).
    await dockerOk(["tag", (await dockerOk(["image", "inspect", "-f", "{{.Id}}", "z3-e2e/alpine:1"])).trim(), tag]);
    const planned = await p.planned();
    expect([planned["docker_container.by_id"], planned["docker_container.by_name"]]).toEqual(["delete+create", undefined]);
  });

  test("network_mode: no longer written. Left out, it defaults to bridge and a container on a user network re-plans to nothing", async () => {
    const p = await probe("network-mode", {
      docker_network: { n: { name: `${PROBE_PREFIX}net` } },
      docker_container: {
        c: probeContainer("network-mode", image, { networks_advanced: [{ name: "${docker_network.n.name}", aliases: ["probe"] }] }),
      },
    });
    await p.tf.applyOk();
    expect(await p.planned()).toEqual({});
    expect(Object.keys((await mustInspect(`${PROBE_PREFIX}network-mode`)).NetworkSettings.Networks)).toEqual([`${PROBE_PREFIX}net`]);
  });

  test("capabilities: kept with the CAP_ prefix. Docker stores CAP_CHOWN and the provider reads it back so: CHOWN plans a replacement on every run", async () => {
    const bare = await probe("cap-bare", container("cap-bare", { capabilities: { drop: ["ALL"], add: ["CHOWN"] } }));
    await bare.tf.applyOk();
    expect(await bare.planned()).toEqual({ "docker_container.c": "delete+create" });
    const prefixed = await probe("cap-prefixed", container("cap-prefixed", { capabilities: { drop: ["ALL"], add: ["CAP_CHOWN"] } }));
    await prefixed.tf.applyOk();
    expect(await prefixed.planned()).toEqual({});
  });

  const healthcheck = (interval: string) => ({
    test: ["CMD", "true"],
    interval,
    timeout: "5s",
    retries: 3,
    start_period: "0s",
    start_interval: "5s",
  });

  test("health-check durations: kept in Go's spelling. 90s reads back as 1m30s and plans an update on every run", async () => {
    const plain = await probe("duration-plain", container("duration-plain", { healthcheck: healthcheck("90s") }));
    await plain.tf.applyOk();
    expect(await plain.planned()).toEqual({ "docker_container.c": "update" });
    const go = await probe("duration-go", container("duration-go", { healthcheck: healthcheck("1m30s") }));
    await go.tf.applyOk();
    expect(await go.planned()).toEqual({});
    // start_interval reaches the engine (Docker Engine >= 25, API >= 1.44).
    expect((await mustInspect(`${PROBE_PREFIX}duration-go`)).Config.Healthcheck).toMatchObject({ StartInterval: 5e9 });
  });

  test("health-check edits: the digest label is kept. An edited interval plans an in-place update that is never applied", async () => {
    const p = await probe("healthcheck-edit", container("healthcheck-edit", { healthcheck: healthcheck("1m0s") }));
    await p.tf.applyOk();
    p.write(container("healthcheck-edit", { healthcheck: healthcheck("2m0s") }));
    expect(await p.planned()).toEqual({ "docker_container.c": "update" });
    await p.tf.applyOk();
    expect((await mustInspect(`${PROBE_PREFIX}healthcheck-edit`)).Config.Healthcheck?.Interval).toBe(60e9);
  });

  test("tmpfs edits: the digest label is kept. An edited tmpfs plans an update that is never applied, so it plans again", async () => {
    const p = await probe("tmpfs-edit", container("tmpfs-edit", { tmpfs: { "/scratch": "size=1m" } }));
    await p.tf.applyOk();
    p.write(container("tmpfs-edit", { tmpfs: { "/scratch": "size=2m" } }));
    expect(await p.planned()).toEqual({ "docker_container.c": "update" });
    await p.tf.applyOk();
    expect((await mustInspect(`${PROBE_PREFIX}tmpfs-edit`)).HostConfig.Tmpfs).toEqual({ "/scratch": "size=1m" });
    expect(await p.planned()).toEqual({ "docker_container.c": "update" });
  });

  test("CPU limit: kept as a CFS quota with its label. cpus above the host's CPU count is refused, a quota above it is accepted, and a quota edit is never applied", async () => {
    const hostCpus = Number((await dockerOk(["info", "--format", "{{.NCPU}}"])).trim());
    const over = hostCpus * 2;
    const nano = await probe("cpus-over", container("cpus-over", { cpus: `${over}.0` }));
    const refused = await nano.tf.apply();
    expect([refused.code, /Range of CPUs is from 0\.01 to/.test(refused.stderr + refused.stdout)]).toEqual([1, true]);
    const quota = await probe("quota", container("quota", { cpu_period: 100000, cpu_quota: over * 100000 }));
    await quota.tf.applyOk();
    expect((await mustInspect(`${PROBE_PREFIX}quota`)).HostConfig.CpuQuota).toBe(over * 100000);
    expect(await quota.planned()).toEqual({});
    quota.write(container("quota", { cpu_period: 100000, cpu_quota: 50000 }));
    expect(await quota.planned()).toEqual({ "docker_container.c": "update" });
    await quota.tf.applyOk();
    expect((await mustInspect(`${PROBE_PREFIX}quota`)).HostConfig.CpuQuota).toBe(over * 100000);
  });

  test("cpu_shares: updated in place, and applied", async () => {
    const p = await probe("shares", container("shares", { cpu_shares: 512 }));
    await p.tf.applyOk();
    expect(await p.planned()).toEqual({});
    p.write(container("shares", { cpu_shares: 1024 }));
    expect(await p.planned()).toEqual({ "docker_container.c": "update" });
    await p.tf.applyOk();
    expect((await mustInspect(`${PROBE_PREFIX}shares`)).HostConfig.CpuShares).toBe(1024);
  });

  test("memory_swap: kept equal to memory. Left out, Docker's default (twice the limit) plans an update on every run", async () => {
    const bare = await probe("swap-bare", container("swap-bare", { memory: 64 }));
    await bare.tf.applyOk();
    expect(await bare.planned()).toEqual({ "docker_container.c": "update" });
    const equal = await probe("swap-equal", container("swap-equal", { memory: 64, memory_swap: 64 }));
    await equal.tf.applyOk();
    expect(await equal.planned()).toEqual({});
  });

  test("uploads: the files loader is kept. An upload into a read-only container fails even when the file's directory is a volume", async () => {
    const p = await probe("upload-read-only", {
      docker_volume: { v: { name: `${PROBE_PREFIX}upload-ro` } },
      docker_container: {
        c: probeContainer("upload-read-only", image, {
          read_only: true,
          volumes: [{ volume_name: "${docker_volume.v.name}", container_path: "/conf" }],
          upload: [{ file: "/conf/app.conf", content: "x=1", permissions: "0444" }],
        }),
      },
    });
    const r = await p.tf.apply();
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/read-only/i);
  });

  const uploadOwner = async (name: string, user: string | undefined, owner: string): Promise<Probe> =>
    probe(name, {
      docker_volume: { v: { name: `${PROBE_PREFIX}${name}` } },
      docker_container: {
        c: probeContainer(name, image, {
          start: false,
          must_run: false,
          user,
          volumes: [{ volume_name: "${docker_volume.v.name}", container_path: "/secrets" }],
          upload: [{ file: "/secrets/token", content: "probe-secret", permissions: "0400", owner, group: owner }],
        }),
      },
    });

  test("uploads: owner and group are not used. They work for a loader with no user at all, but a user (set, or the image's USER) fails on Engine 26", async () => {
    const asRoot = await uploadOwner("owner-as-root", undefined, "10001");
    await asRoot.tf.applyOk();
    expect(await asRoot.planned()).toEqual({});
    const stat = await dockerOk([
      "run",
      "--rm",
      "--pull=never",
      "-v",
      `${PROBE_PREFIX}owner-as-root:/s:ro`,
      PROBE_IMAGE,
      "stat",
      "-c",
      "%u:%g %a",
      "/s/token",
    ]);
    expect(stat.trim()).toBe("10001:10001 400");
    // With an owner the provider asks Docker to chown to the container's user, which Engine 26
    // resolves by name (getent) and fails for a numeric user; the image's USER counts the same way,
    // so secret files stay root-owned (0444 for a non-root reader).
    const asUser = await uploadOwner("owner-as-user", "1000:1000", "1000");
    const r = await asUser.tf.apply();
    expect([r.code, (r.stderr + r.stdout).match(/unable to find getent command/)?.[0]]).toEqual([1, "unable to find getent command"]);
  });

  test("start = false: the loader keeps must_run = false. Left at its default, a created-but-never-started container plans an update on every run", async () => {
    const p = await probe("never-started", container("never-started", { start: false }));
    await p.tf.applyOk();
    const planned = await p.planned();
    say(`never-started container without must_run=false plans: ${JSON.stringify(planned)}`);
    expect(planned).toEqual({ "docker_container.c": "update" });
  });
});
