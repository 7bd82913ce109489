import { Backup, BackupPolicy, BackupSource, Network, Secret, Service, Volume } from "../../lib";
import { METRICS_PATH, METRICS_PORT, RUNNER_PATHS, RunnerSource } from "../../lib/backup-script";
import * as fs from "fs";
import * as path from "path";
import { Testing } from "../../lib/cdk";
import { DockerProvider } from "../../lib/docker";
import { DeploymentTarget } from "../../lib/target";
import {
  container,
  DockerContainer,
  envMap,
  labelMap,
  lengthCheck,
  scratchStack,
  STAGING_SWARM,
  synthJson,
  TfJson,
  uploadOf,
  uploadsOf,
} from "../helpers";

/** The `Backup` L2 (lib/backup.ts) on a scratch stack with one volume of each kind of source. */

const POLICY: BackupPolicy = {
  intervalMinutes: 60,
  maxAgeMinutes: 150,
  keep: { withinHours: 24, daily: 7, weekly: 4, monthly: 0 },
  rebuildable: "skip",
  logging: { maxSizeMiB: 10, maxFiles: 3 },
};
const ROOT_REASON =
  "reads every backed-up volume whatever its owner and modes (CAP_DAC_OVERRIDE only, never DAC_READ_SEARCH; every mount read-only)";
const OPTIONAL = '${var.backup_repository != "" ? 1 : 0}';

interface Options {
  readonly required?: boolean;
  readonly policy?: Partial<BackupPolicy>;
  readonly target?: DeploymentTarget;
  /** Drop the source of this volume (to test the coverage check). */
  readonly without?: "data" | "wallet" | "db" | "chain";
}

/**
 * A stack with a files volume (`test-data`), a files volume with a companion secret (`test-wallet`,
 * `wallet_identity`), a PostgreSQL volume dumped through its server (`test-db`), a rebuildable volume
 * (`test-chain`) and a scratch volume that is not stateful (`test-cache`), backed up by one `Backup`.
 */
function build(options: Options = {}) {
  const { stack, image, network } = scratchStack(options.target);
  const data = new Volume(stack, "Data", { name: "test-data", stateful: true });
  const wallet = new Volume(stack, "Wallet", { name: "test-wallet", stateful: true });
  const db = new Volume(stack, "Db", { name: "test-db", stateful: true });
  const chain = new Volume(stack, "Chain", { name: "test-chain", stateful: true });
  const cache = new Volume(stack, "Cache", { name: "test-cache" });
  const identity = new Secret(stack, "Identity", { variableName: "wallet_identity", description: "wallet identity", minLength: 32 });
  const dbPassword = new Secret(stack, "DbPassword", { variableName: "db_password", description: "database password" });
  const dbNet = new Network(stack, "DbNet", { name: "test-db-net", internal: true });
  const postgres = new Service(stack, "Postgres", {
    name: "test-postgres",
    image,
    user: "70:70",
    networks: [{ network: dbNet, aliases: ["postgres"] }],
    volumes: [db.mount("/var/lib/postgresql/data")],
  });
  const app = new Service(stack, "App", {
    name: "test-app",
    image,
    user: "1000:1000",
    networks: [{ network: dbNet }, { network }],
    volumes: [data.mount("/data"), wallet.mount("/wallet"), chain.mount("/chain"), cache.mount("/cache")],
  });
  const sources: Record<NonNullable<Options["without"]>, BackupSource> = {
    data: { kind: "files", volume: data },
    wallet: { kind: "files", volume: wallet, companions: [identity] },
    db: {
      kind: "postgres",
      volume: db,
      server: postgres,
      network: dbNet,
      host: "postgres",
      port: 5432,
      database: "app",
      user: "app",
      password: dbPassword,
      clients: [app],
    },
    chain: { kind: "rebuildable", volume: chain, why: "re-synced from the network" },
  };
  const backup = new Backup(stack, "Backup", {
    namePrefix: "test",
    stackName: "test-dev",
    image: "example/backup:1.0",
    policy: { ...POLICY, ...options.policy },
    sources: Object.entries(sources)
      .filter(([name]) => name !== options.without)
      .map(([, source]) => source),
    required: options.required ?? false,
  });
  return { stack, backup, json: synthJson(stack) };
}

const runnerOf = (json: TfJson) => container(json, "backup_runner");
/** The runner's `sources.json`, as uploaded. */
const sourcesOf = (json: TfJson): RunnerSource[] =>
  (JSON.parse(uploadOf(json, "backup_runner", RUNNER_PATHS.sources).content) as { sources: RunnerSource[] }).sources;
const mounts = (c: Pick<DockerContainer, "volumes">): Record<string, string> =>
  Object.fromEntries(c.volumes.map((v) => [v.container_path, `${v.volume_name}:${v.read_only ? "ro" : "rw"}`]));

describe("Backup runner defaults", () => {
  const { backup, json } = build();
  const c = runnerOf(json);

  test("is one container <prefix>-backup, labelled role=backup", () => {
    expect(c.name).toBe("test-backup");
    expect(labelMap(c)).toMatchObject({ service: "test-backup", role: "backup" });
    expect(backup.runner.name).toBe("test-backup");
  });
  test("runs as root (the image's user) only with its written reason", () => {
    expect(c.user).toBeUndefined();
    expect(backup.runner.runsAsRoot).toBe(true);
    expect(backup.runner.rootReason).toBe(ROOT_REASON);
  });
  test("drops every capability but CAP_DAC_OVERRIDE (reads files of any owner and mode); never CAP_DAC_READ_SEARCH", () => {
    expect(c.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_DAC_OVERRIDE"] });
    // With DAC_READ_SEARCH, Docker's default seccomp profile allows open_by_handle_at ("Shocker").
    expect(JSON.stringify(c)).not.toMatch(/DAC_READ_SEARCH/);
    expect(c.privileged).toBe(false);
  });
  test("keeps the daemon's default seccomp and AppArmor profiles (no profile, none unconfined) and no-new-privileges", () => {
    // The default seccomp profile refuses open_by_handle_at to a container without CAP_DAC_READ_SEARCH.
    expect(c.security_opts).toEqual(["no-new-privileges:true"]);
    expect(c.security_opts.some((o: string) => /seccomp|apparmor|label/.test(o))).toBe(false);
  });
  test("nothing it mounts is writable: its root filesystem and every volume read-only, only its own tmpfs written", () => {
    // What DAC_OVERRIDE adds to reading (bypassing write checks) has nothing to act on.
    expect(c.read_only).toBe(true);
    expect(c.volumes.length).toBeGreaterThan(0);
    expect(c.volumes.filter((v) => v.read_only !== true)).toEqual([]);
    expect(c.mounts ?? []).toEqual([]);
    expect(c.devices ?? []).toEqual([]);
  });
  test("has a read-only root filesystem with tmpfs for restic's cache and the runner's state", () => {
    expect(c.read_only).toBe(true);
    expect(c.tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,size=256m", [RUNNER_PATHS.state]: "rw,noexec,nosuid,size=1m" });
  });
  test("runs the script's run loop, whatever the image's entrypoint", () => {
    expect([...(c.entrypoint ?? []), ...(c.command ?? [])]).toEqual([RUNNER_PATHS.script, "run"]);
  });
  test("its health check is `backup.sh health`: unhealthy after a failed run or a stale snapshot", () => {
    expect(c.healthcheck).toMatchObject({
      test: ["CMD", "/etc/restic/backup.sh", "health"],
      interval: "30s",
      timeout: "10s",
      retries: 1,
      start_period: "15m0s",
    });
  });
  test("serves its metrics on 9102 at /metrics.txt", () => {
    expect([METRICS_PORT, METRICS_PATH]).toEqual([9102, "/metrics.txt"]);
    expect(backup.runner.metrics).toEqual({ port: 9102, path: "/metrics.txt" });
    // Scraped on a shared network; never published on the host.
    expect(c.ports).toEqual([]);
  });
  test("mounts each files volume read-only at /data/<name>; no mount for a PostgreSQL source or a skipped rebuildable one", () => {
    const m = mounts(c);
    expect(Object.entries(m).filter(([path]) => path.startsWith("/data/"))).toEqual([
      ["/data/test-data", "test-data:ro"],
      ["/data/test-wallet", "test-wallet:ro"],
    ]);
    expect(Object.values(m).filter((v) => /^test-(db|chain|cache):/.test(v))).toEqual([]);
    // Every mount of the runner is read-only: its files volumes too.
    expect(Object.values(m).every((v) => v.endsWith(":ro"))).toBe(true);
  });
  test("dumps PostgreSQL over the database's network and starts after its server", () => {
    expect(c.networks_advanced.map((n) => n.name)).toEqual(["test-backup-egress", "test-db-net"]);
    expect(c.depends_on).toContain("docker_container.postgres");
  });
  test("reaches the destination through its own non-internal egress network", () => {
    expect(json.resource.docker_network.backup_egress).toMatchObject({ name: "test-backup-egress", internal: false, driver: "bridge" });
  });
  test("covers the copied volumes and lists the skipped ones with why", () => {
    expect(backup.covered.map((v) => v.name)).toEqual(["test-data", "test-wallet", "test-db"]);
    expect(backup.skipped.map((s) => [s.volume.name, s.why])).toEqual([["test-chain", "re-synced from the network"]]);
  });
  test("secrets reach it only as root-only files, never in its environment", () => {
    expect(c.env).toEqual([]);
    expect(c.upload).toBeUndefined();
    const secrets = uploadsOf(json, "backup_runner").filter((u) => u.file.startsWith("/run/secrets/"));
    expect(secrets).toEqual([
      { file: RUNNER_PATHS.password, content: "${var.backup_password}", permissions: "0400" },
      { file: RUNNER_PATHS.sshKey, content: "${var.backup_ssh_key}", permissions: "0400" },
      { file: "/run/secrets/companions/wallet_identity", content: "${var.wallet_identity}", permissions: "0400" },
      { file: "/run/secrets/postgres/db_password", content: "${var.db_password}", permissions: "0400" },
    ]);
    // No file other than the secrets reads a sensitive variable.
    for (const u of uploadsOf(json, "backup_runner").filter((x) => !x.file.startsWith("/run/secrets/")))
      expect([u.file, /var\.(backup_password|backup_ssh_key|wallet_identity|db_password)\b/.test(u.content)]).toEqual([u.file, false]);
    expect(Object.keys(envMap(c))).toEqual([]);
  });
  test("its program, sources, repository and SSH settings are files; SSH checks the destination's host key", () => {
    const files = Object.fromEntries(uploadsOf(json, "backup_runner").map((u) => [u.file, u]));
    expect(files[RUNNER_PATHS.script].permissions).toBe("0555");
    expect(files[RUNNER_PATHS.repository].content).toBe("${var.backup_repository}");
    expect(files[RUNNER_PATHS.knownHosts].content).toBe("${var.backup_known_hosts}");
    expect(files[RUNNER_PATHS.sshConfig].content).toContain("StrictHostKeyChecking yes");
    expect(files[RUNNER_PATHS.sshConfig].content).toContain(`UserKnownHostsFile ${RUNNER_PATHS.knownHosts}`);
    expect(JSON.parse(files[RUNNER_PATHS.sources].content)).toEqual({
      stack: "test-dev",
      sources: [
        { kind: "files", volume: "test-data", companions: [] },
        { kind: "files", volume: "test-wallet", companions: ["/run/secrets/companions/wallet_identity"] },
        {
          kind: "postgres",
          volume: "test-db",
          host: "postgres",
          port: 5432,
          database: "app",
          user: "app",
          passwordFile: "/run/secrets/postgres/db_password",
          clients: ["test-app"],
        },
      ],
    });
  });
  test("has no limits unless the policy gives them; logs by the policy's rotation", () => {
    expect([c.memory, c.cpu_quota]).toEqual([undefined, undefined]);
    expect(c.log_opts).toEqual({ "max-size": "10m", "max-file": "3" });
    const limited = runnerOf(build({ policy: { resources: { memoryMiB: 512, cpus: 0.5 } } }).json);
    expect(limited).toMatchObject({ memory: 512, memory_swap: 512, cpu_period: 100000, cpu_quota: 50000 });
  });
});

describe("Backup when backups are optional (required: false)", () => {
  const { json } = build({ required: false });

  test("the runner, its files loader, its image and its network exist only while backup_repository is set", () => {
    expect(runnerOf(json).count).toBe(OPTIONAL);
    expect(container(json, "backup_runner_files").count).toBe(OPTIONAL);
    expect(json.resource.docker_network.backup_egress.count).toBe(OPTIONAL);
    const image = Object.values(json.resource.docker_image).find((i) => i.name === "example/backup:1.0");
    expect(image?.count).toBe(OPTIONAL);
    expect(runnerOf(json).image).toMatch(/^\$\{docker_image\.\w+\[0\]\.image_id\}$/);
  });

  test("the network's count comes from its enabledWhen, not an escape-hatch override", () => {
    // Only a full synthesis writes the metadata that lists a stack's overrides.
    const { stack } = build({ required: false });
    new DockerProvider(stack, "docker", {});
    const written = JSON.parse(fs.readFileSync(path.join(Testing.fullSynth(stack), "stacks", "test", "cdk.tf.json"), "utf8"));
    expect(written.resource.docker_network.backup_egress.count).toBe(OPTIONAL);
    expect(written["//"].metadata.overrides?.docker_network).toBeUndefined();
  });
  test("every destination variable defaults to empty", () => {
    for (const name of ["backup_repository", "backup_known_hosts", "backup_password", "backup_ssh_key"])
      expect([name, json.variable![name].default]).toEqual([name, ""]);
  });
  test("the secrets are sensitive and length-checked only when set", () => {
    expect(json.variable!.backup_password).toMatchObject({ sensitive: true, nullable: false });
    expect(lengthCheck(json, "backup_password")).toBe('${var.backup_password == "" || length(var.backup_password) >= 16}');
    expect(lengthCheck(json, "backup_ssh_key")).toBe('${var.backup_ssh_key == "" || length(var.backup_ssh_key) >= 64}');
  });
  test("the repository is an sftp: URL or empty; once set, the password, key and known_hosts are required", () => {
    const [format, complete] = json.variable!.backup_repository.validation;
    expect(format.condition).toBe('${var.backup_repository == "" || can(regex("^sftp:[^@/:]+@[^:/]+:/.+", var.backup_repository))}');
    expect(complete.condition).toBe(
      '${var.backup_repository == "" || (var.backup_password != "" && var.backup_ssh_key != "" && var.backup_known_hosts != "")}',
    );
    expect(json.variable!.backup_repository.sensitive).toBeUndefined();
    expect(json.variable!.backup_known_hosts.sensitive).toBeUndefined();
  });
});

describe("Backup when backups are required", () => {
  const { json } = build({ required: true });

  test("the runner, its loader, its image and its network are always deployed", () => {
    expect(runnerOf(json).count).toBeUndefined();
    expect(container(json, "backup_runner_files").count).toBeUndefined();
    expect(json.resource.docker_network.backup_egress.count).toBeUndefined();
    expect(Object.values(json.resource.docker_image).every((i) => i.count === undefined)).toBe(true);
  });
  test("the destination variables have no default", () => {
    for (const name of ["backup_repository", "backup_known_hosts", "backup_password", "backup_ssh_key"])
      expect([name, json.variable![name].default]).toEqual([name, undefined]);
  });
  test("the repository must be an sftp: URL; the secrets are length-checked", () => {
    expect(json.variable!.backup_repository.validation[0].condition).toBe(
      '${can(regex("^sftp:[^@/:]+@[^:/]+:/.+", var.backup_repository))}',
    );
    expect(lengthCheck(json, "backup_password")).toBe("${length(var.backup_password) >= 16}");
    expect(lengthCheck(json, "backup_ssh_key")).toBe("${length(var.backup_ssh_key) >= 64}");
  });
});

describe("rebuildable volumes", () => {
  test("skip: not mounted, not in the sources, listed as skipped", () => {
    const { backup, json } = build({ policy: { rebuildable: "skip" } });
    expect(mounts(runnerOf(json))["/data/test-chain"]).toBeUndefined();
    expect(backup.skipped.map((s) => s.volume.name)).toEqual(["test-chain"]);
    expect(sourcesOf(json).map((s) => s.volume)).not.toContain("test-chain");
  });
  test("include: backed up as files, mounted read-only at /data/<name>", () => {
    const { backup, json } = build({ policy: { rebuildable: "include" } });
    expect(mounts(runnerOf(json))["/data/test-chain"]).toBe("test-chain:ro");
    expect(backup.skipped).toEqual([]);
    expect(backup.covered.map((v) => v.name)).toContain("test-chain");
    const sources = sourcesOf(json);
    expect(sources.find((s) => s.volume === "test-chain")).toEqual({ kind: "files", volume: "test-chain", companions: [] });
  });
});

describe("coverage", () => {
  const COVERAGE = "allowed: a backup source for every stateful volume of the stack (files, postgres or rebuildable)";
  test.each(["data", "wallet", "db", "chain"] as const)(
    "fails synth when the stateful volume of the %s source is not a source; the error names the volume",
    (without) => {
      const { stack } = build({ without });
      expect(() => Testing.synth(stack, true)).toThrow(`[test/Backup] sources: got "test-${without}"; ${COVERAGE}`);
    },
  );
  test("fails synth when a stateful volume is created after the runner", () => {
    const { stack, backup } = build();
    expect(backup.node.validate()).toEqual([]);
    new Volume(stack, "Late", { name: "test-late", stateful: true });
    expect(backup.node.validate()).toEqual([`sources: got "test-late"; ${COVERAGE}`]);
    expect(() => Testing.synth(stack, true)).toThrow(`[test/Backup] sources: got "test-late"; ${COVERAGE}`);
  });
  test("a volume that is not stateful needs no source, made before or after the runner", () => {
    const { stack, backup } = build();
    new Volume(stack, "LateCache", { name: "test-late-cache" });
    expect(backup.node.validate()).toEqual([]);
  });
});

describe("on the swarm target", () => {
  const { backup, json } = build({ target: STAGING_SWARM });

  test("the runner is a container on docker_host (the data node), never a swarm service", () => {
    expect(backup.runner.target.kind).toBe("swarm");
    expect(json.resource.docker_service?.backup_runner).toBeUndefined();
    const c = runnerOf(json);
    expect(c.name).toBe("test-backup");
    expect(c.capabilities).toEqual({ drop: ["ALL"], add: ["CAP_DAC_OVERRIDE"] });
    expect(c.security_opts).toEqual(["no-new-privileges:true"]);
    expect(mounts(c)["/data/test-data"]).toBe("test-data:ro");
  });
  test("its files go through a files loader, as on the containers target", () => {
    expect(container(json, "backup_runner_files").upload.map((u) => u.file)).toContain(RUNNER_PATHS.script);
  });
  test("it may be conditional there (a swarm service may not): count on backup_repository", () => {
    expect(runnerOf(json).count).toBe(OPTIONAL);
    expect(json.resource.docker_network.backup_egress).toMatchObject({
      name: "test-backup-egress",
      driver: "overlay",
      attachable: true,
      internal: false,
      count: OPTIONAL,
    });
  });
});
