import { loadConfig } from "./harness/env";
import { execOk, existing, mustInspect } from "./harness/docker-engine";
import { http } from "./harness/net";
import { psql } from "./harness/postgres";
import { record, seconds } from "./harness/report";
import { StackUnderTest } from "./harness/stacks";
import {
  assertConverged,
  assertEngineMatchesConfig,
  assertReadOnly,
  assertRunningAndHealthy,
  assertSecretFile,
  assertSecretsNotInInspect,
  cleanUp,
  ensureNoConflicts,
  initValidateApply,
} from "./harness/steps";
import { scenario } from "./harness/suite";
import { assertRuntimePolicy } from "./harness/runtime-policy";
import { say } from "./harness/log";
import { dockerOk, waitHealthy } from "./harness/docker-engine";
import { assertBackupRestore } from "./harness/backup";
import { join } from "path";
import { ENVIRONMENTS } from "../../config/environments";
import { dayOf, mainnetHeightAt, releaseOfImage, StatedZebraRelease, supportWindow } from "../../config/z3/zebra-releases";
import { synthesize } from "../../app";
import { ZcashStack } from "../../stacks/z3/zcash-stack";
import { ZEBRA_DEFAULT_RELEASE } from "./harness/zebra";
import { chmodSync, rmSync, writeFileSync } from "fs";
import { Container } from "../../lib/docker";
import { Fn, TerraformVariable, Token } from "../../lib/cdk";
import { EnvironmentSettings } from "../../config/settings";
import { SYSTEMS } from "../../app";
import { checkPlan } from "../../tools/policy";
import { PlanJson } from "../../policy";
import { run } from "./harness/process";
import { COMPLIANT_CONTAINER } from "../policy/helpers";

/**
 * Production stacks against the local engine (pg backend): jessy-production is applied and its
 * `terraform destroy` must be refused while the mmap volume carries prevent_destroy; the other
 * production stacks must plan.
 */
/** Deliberate clean-up of a protected stack: forget the protected volumes, destroy, remove them. */
async function cleanUpProtected(s: StackUnderTest): Promise<void> {
  for (const v of s.protectedVolumes()) await s.tf.tf(["state", "rm", `docker_volume.${v.id}`], 60_000);
  await cleanUp(s);
}

/** The stack's containers, volumes and networks that still exist. */
async function leftovers(s: StackUnderTest): Promise<string[]> {
  return [
    ...(await existing(
      "container",
      s.containers().map((c) => c.name),
    )),
    ...(await existing("volume", s.volumeNames())),
    ...(await existing("network", s.networkNames())),
  ];
}

/**
 * zcash-production synthesized with three stated Zebra releases placed around the day of the run
 * (halted 10 days ago, halting in 9 days, in 40 days), initialised once: plans only, nothing applied.
 */
let windowed:
  | Promise<{
      p: StackUnderTest;
      releases: { now: number; halted: StatedZebraRelease; warned: StatedZebraRelease; fresh: StatedZebraRelease };
      settings: typeof ENVIRONMENTS;
    }>
  | undefined;
function windowStack() {
  windowed ??= (async () => {
    const config = loadConfig();
    const outdir = join(config.workDir, "zebra-window");
    const now = Date.now();
    const stated = (name: string, haltInDays: number): StatedZebraRelease => ({
      image: `z3-e2e/zebra:window-${name}`,
      version: `9.${haltInDays + 100}.0`,
      estimatedReleaseHeight: mainnetHeightAt(new Date(now + (haltInDays - 56) * 86_400_000)),
      endOfSupportDays: 56,
      newestUpgrade: "NU7",
    });
    const releases = { now, halted: stated("halted", -10), warned: stated("warned", 9), fresh: stated("fresh", 40) };
    const settings = windowSettings(releases);
    const errors: string[] = [];
    const code = synthesize(settings, {
      outdir,
      stdout: () => undefined,
      stderr: (t) => errors.push(t),
      systems: [(app, env) => new ZcashStack(app, env)],
    });
    if (code !== 0) throw new Error(`synth with stated Zebra releases failed:\n${errors.join("")}`);
    const p = new StackUnderTest("zcash-production", { ...config, outDir: outdir });
    await p.tf.init();
    return { p, releases, settings };
  })();
  return windowed;
}

/** The shipped settings with stated Zebra releases (the window tests' and the plan-policy test's). */
function windowSettings(releases: { halted: StatedZebraRelease; warned: StatedZebraRelease; fresh: StatedZebraRelease }) {
  const settings = JSON.parse(JSON.stringify(ENVIRONMENTS));
  settings.production.z3.zebraReleases = [releases.halted, releases.warned, releases.fresh];
  return settings as typeof ENVIRONMENTS;
}

/**
 * The shipped systems, with one addition to zcash-production that only a plan can judge: a debug
 * shell a count turns on (`debug_shell_enabled`), whose image comes from `debug_shell_image`
 * (default pinned, no validation): synth judges the default, the plan what TF_VAR_* sets.
 */
const DEBUG_SHELL_SYSTEMS: typeof SYSTEMS = SYSTEMS.map((build) => (app, settings: EnvironmentSettings) => {
  const stack = build(app, settings);
  if (stack instanceof ZcashStack && settings.name === "production") {
    const enabled = new TerraformVariable(stack, "debug_shell_enabled", { type: "bool", default: false });
    const image = new TerraformVariable(stack, "debug_shell_image", { type: "string", default: "z3-e2e/base:local" });
    new Container(stack, "DebugShell", {
      name: "z3-mainnet-debug-shell",
      image: image.stringValue,
      count: Token.asNumber(Fn.conditional(enabled.booleanValue, 1, 0)),
      // Compliant with every rule (the scratch stacks' container): only its image is left to the plan.
      ...COMPLIANT_CONTAINER,
      command: ["sleep", "infinity"],
    });
  }
  return stack;
});

describe("production stacks on the local engine: protected data", () => {
  let s: StackUnderTest;
  let removed = false;
  const { step } = scenario();

  beforeAll(() => {
    s = new StackUnderTest("jessy-production", loadConfig());
  });
  afterAll(async () => {
    if (s && !removed) await cleanUpProtected(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step("terraform init (pg backend), validate, apply jessy-production", async () => initValidateApply(s));
  step(
    "services run and are healthy; docker inspect matches the configuration (UID 1000, read-only root, tmpfs /tmp, limits)",
    async () => {
      await assertRunningAndHealthy(s);
      await assertEngineMatchesConfig(s);
      expect(await execOk("jessy-production-core", ["cat", "/proc/1/status"])).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
      await assertReadOnly("jessy-production-api", "/app/data/mmap");
    },
  );
  step("API key and JWT secret are root-owned 0444 files readable by 1000, used by the API, and absent from docker inspect", async () => {
    await assertSecretFile(s, "jessy-production-api", "/run/secrets/api_key", "api_key", "0444");
    await assertSecretFile(s, "jessy-production-api", "/run/secrets/jwt_secret", "jwt_secret", "0444");
    expect((await http("http://127.0.0.1:3002/api/v1/secure", { headers: { "X-API-Key": s.secrets.api_key } }))?.status).toBe(200);
    expect((await http("http://127.0.0.1:3002/api/v1/secure", { headers: { "X-API-Key": "wrong" } }))?.status).toBe(401);
    await assertSecretsNotInInspect(s);
  });
  step("the running long-running containers pass the Production pack's container rules as docker inspect reports them", async () =>
    assertRuntimePolicy(s),
  );
  step("re-plan right after apply: no changes", async () => assertConverged(s, "apply"));

  step("production backups are required: the runner runs and its first snapshot is taken", async () => {
    expect(s.backups).toBe(true);
    await waitHealthy(["jessy-production-backup"], 60_000);
    expect(await execOk("jessy-production-backup", ["/etc/restic/backup.sh", "snapshots", "jessy-production-mmap-data"])).toMatch(
      /^[0-9a-f]{8}\s/m,
    );
  });

  step("terraform destroy is refused while the mmap volume carries prevent_destroy; nothing is destroyed", async () => {
    const protectedVolumes = s.protectedVolumes();
    expect(protectedVolumes.map((v) => v.name)).toEqual(["jessy-production-mmap-data"]);
    await execOk("jessy-production-core", ["sh", "-c", "echo precious > /app/data/mmap/temp/e2e-marker"]);
    const before = await s.tf.stateList();
    const ids = await Promise.all(["jessy-production-core", "jessy-production-api"].map(async (n) => (await mustInspect(n)).Id));
    const r = await s.tf.destroy();
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/Instance cannot be destroyed/);
    expect(r.stderr + r.stdout).toMatch(/lifecycle\.prevent_destroy/);
    expect(await s.tf.stateList()).toEqual(before);
    expect(await Promise.all(["jessy-production-core", "jessy-production-api"].map(async (n) => (await mustInspect(n)).Id))).toEqual(ids);
    expect((await execOk("jessy-production-api", ["cat", "/app/data/mmap/temp/e2e-marker"])).trim()).toBe("precious");
    record(s.section, "destroy with prevent_destroy", "refused, nothing destroyed");
    say(
      `${s.name}: terraform destroy refused by prevent_destroy on ${protectedVolumes.map((v) => v.name).join(", ")}; containers and data untouched`,
    );
  });

  step(
    "deliberate removal: terraform state rm of the protected volume, destroy, the volume (with its data) stays until removed by hand",
    async () => {
      for (const v of s.protectedVolumes()) await s.tf.tfOk(["state", "rm", `docker_volume.${v.id}`], 60_000);
      const r = await s.tf.destroy();
      if (r.code !== 0) throw new Error(`destroy after state rm failed:\n${r.stderr}`);
      record(s.section, "destroy s (after state rm of the protected volume)", seconds(r.ms));
      expect(await existing("volume", ["jessy-production-mmap-data"])).toEqual(["jessy-production-mmap-data"]);
      const marker = await dockerOk([
        "run",
        "--rm",
        "--pull=never",
        "-v",
        "jessy-production-mmap-data:/d:ro",
        "z3-e2e/base:local",
        "cat",
        "/d/temp/e2e-marker",
      ]);
      expect(marker.trim()).toBe("precious");
      await dockerOk(["volume", "rm", "jessy-production-mmap-data"]);
      expect(await leftovers(s)).toEqual([]);
      removed = true;
    },
  );

  for (const stack of ["zcash-production"]) {
    // Through a stated release whose window is open on the day of the run: this step is about the
    // plan and its protected volumes, whatever the date does to the default release (next steps).
    step(`${stack} plans against the local engine (pg backend); its data volumes carry prevent_destroy`, async () => {
      const { p, releases } = await windowStack();
      expect(p.protectedVolumes().length).toBeGreaterThan(0);
      await p.tf.validate();
      const plan = await p.tf.plan({ overrides: { zebra_image: releases.fresh.image } });
      expect(plan.code).toBe(2);
      expect(plan.changes.every((c) => c.actions.join() === "create")).toBe(true);
      const volumes = plan.changes
        .filter((c) => c.address.startsWith("docker_volume."))
        .map((c) => c.address.slice("docker_volume.".length));
      for (const v of p.protectedVolumes()) expect(volumes).toContain(v.id);
      expect(
        await psql(
          loadConfig().pgConnStr!,
          `SELECT count(*) FROM information_schema.schemata WHERE schema_name = '${stack.replace(/-/g, "_")}'`,
        ),
      ).toBe("1");
      record(
        stack,
        "plan against the local engine",
        `${plan.changes.length} to create (${p
          .protectedVolumes()
          .map((v) => v.name)
          .join(", ")} protected)`,
      );
      record(stack, "plan s", seconds(plan.ms));
    });
  }

  step(
    `zcash-production: the default Zebra (${ZEBRA_DEFAULT_RELEASE}) is judged by its support window on the day the plan runs`,
    async () => {
      const p = new StackUnderTest("zcash-production", loadConfig());
      const w = supportWindow(releaseOfImage(ENVIRONMENTS.production.z3.images.zebra)!);
      await p.tf.init();
      const plan = await p.tf.plan();
      const now = Date.now();
      if (now < Date.parse(w.refuseFrom)) {
        expect(plan.code).toBe(2);
        // Zebra's own warning period: the plan says so and goes on.
        if (now >= Date.parse(w.warnAt))
          expect(plan.text).toMatch(
            new RegExp(`Check block assertion failed[\\s\\S]*Zebra ${w.version.replace(/\./g, "\\.")} halts on Mainnet`),
          );
        else expect(plan.text).not.toMatch(/Check block assertion failed/);
      } else {
        expect(plan.code).toBe(1);
        expect(plan.text).toMatch(/Resource precondition failed/);
      }
      record(
        "zcash-production",
        "default Zebra release",
        `${w.version}: halts ${dayOf(w.haltAt)}, warns from ${dayOf(w.warnAt)}, plans refused from ${dayOf(w.refuseFrom)}; plan exit ${plan.code}`,
      );
    },
  );

  /**
   * The guard on the engine with stated windows, whatever the date: zcash-production synthesized with
   * three stated releases placed around today (halted 10 days ago, halting in 9 days, in 40 days),
   * and an image nobody stated. Plans only: nothing is applied.
   */
  step(
    "zcash-production: plans refuse a release past its stated end of support (naming release, network, estimated halt and fix), warn inside Zebra's 14 days, pass outside, and refuse an unknown image",
    async () => {
      const { p, releases } = await windowStack();
      const now = releases.now;
      const planWith = (image: string) => p.tf.plan({ overrides: { zebra_image: image } });

      const fresh = await planWith(releases.fresh.image);
      expect([fresh.code, /Check block assertion failed/.test(fresh.text)]).toEqual([2, false]);

      const warned = await planWith(releases.warned.image);
      expect(warned.code).toBe(2);
      expect(warned.text).toMatch(
        new RegExp(`Check block assertion failed[\\s\\S]*Zebra ${releases.warned.version.replace(/\./g, "\\.")} halts on Mainnet`),
      );

      const halted = await planWith(releases.halted.image);
      expect(halted.code).toBe(1);
      const message = halted.text.replace(/\s+/g, " ");
      const haltDay = new Date(now - 10 * 86_400_000).toISOString().slice(0, 10);
      expect(message).toMatch(/Resource precondition failed/);
      expect(message).toContain(`Zebra ${releases.halted.version} (zebra_image "${releases.halted.image}") stops itself on Mainnet`);
      expect(message).toMatch(
        new RegExp(
          `estimated (${haltDay}|${new Date(now - 9 * 86_400_000).toISOString().slice(0, 10)}|${new Date(now - 11 * 86_400_000).toISOString().slice(0, 10)})`,
        ),
      );
      expect(message).toContain("Fix: deploy a supported release (TF_VAR_zebra_image");

      const unknown = await planWith("z3-e2e/zebra:not-a-release");
      expect(unknown.code).toBe(1);
      expect(unknown.text.replace(/\s+/g, " ")).toContain(
        'zebra_image "z3-e2e/zebra:not-a-release" is not a Zebra release whose end of support is known',
      );
      record(
        "zcash-production",
        "support-window guard",
        `fresh ${fresh.code}, warned ${warned.code} (warning), halted ${halted.code}, unknown ${unknown.code}`,
      );
    },
  );

  step(
    "zcash-production plans go through the policy gate (npm run policy): the shipped plan passes; a :latest image through TF_VAR_* on a service a count turns on is refused, and passes with the count off",
    async () => {
      const { p, releases, settings } = await windowStack();
      // The shipped stack, consumers turned on by their count: the CLI, as the plan workflow runs it.
      const shipped = await p.tf.plan({ overrides: { zebra_image: releases.fresh.image, z3_consumers_enabled: "true" } });
      expect(shipped.code).toBe(2);
      const file = join(loadConfig().workDir, "zcash-production.plan.json");
      writeFileSync(file, JSON.stringify(shipped.json), { mode: 0o600 });
      chmodSync(file, 0o600);
      let cli;
      try {
        cli = await run("npm", ["run", "--silent", "policy", "--", "zcash-production", file], {
          cwd: process.cwd(),
          timeoutMs: 5 * 60_000,
          quiet: true,
        });
      } finally {
        rmSync(file, { force: true });
      }
      // The CLI synthesizes the shipped settings; the stated releases change only the support-window locals.
      expect([cli.code, cli.stdout]).toEqual([0, expect.stringContaining("policy zcash-production (Production, plan): 0 errors")]);
      expect(cli.stdout).toMatch(/docker_container x\d+/);
      for (const secret of p.secretValues()) expect(cli.stdout + cli.stderr).not.toContain(secret);

      // The debug shell: synth passes (the variable's default is pinned), the plan decides.
      const outdir = join(loadConfig().workDir, "plan-policy");
      const errors: string[] = [];
      const code = synthesize(settings, {
        outdir,
        stdout: () => undefined,
        stderr: (t) => errors.push(t),
        systems: DEBUG_SHELL_SYSTEMS.filter((_, i) => i === 0),
      });
      if (code !== 0) throw new Error(`synth with the debug shell failed:\n${errors.join("")}`);
      const d = new StackUnderTest("zcash-production", { ...loadConfig(), outDir: outdir });
      await d.tf.init();
      const judged = async (overrides: Record<string, string>) => {
        const plan = await d.tf.plan({ overrides: { zebra_image: releases.fresh.image, ...overrides } });
        if (plan.code !== 2) throw new Error(`plan failed (exit ${plan.code}):\n${plan.text.slice(-2000)}`);
        const [report] = checkPlan("zcash-production", plan.json as PlanJson, {
          environments: settings,
          systems: DEBUG_SHELL_SYSTEMS.filter((_, i) => i === 0),
        });
        return report;
      };
      const on = await judged({ debug_shell_enabled: "true", debug_shell_image: "z3-e2e/base:latest" });
      expect(on.findings.filter((f) => f.level === "error").map((f) => [f.id, f.address, f.details.join("; ")])).toEqual([
        ["Production-ImageReferencePinned", "docker_container.DebugShell[0]", '"z3-e2e/base:latest" is not pinned'],
      ]);
      const off = await judged({ debug_shell_enabled: "false", debug_shell_image: "z3-e2e/base:latest" });
      expect(off.findings.filter((f) => f.level === "error")).toEqual([]);
      record(
        "zcash-production",
        "plan policy gate",
        `shipped plan: exit ${cli.code}; debug shell on with :latest: ${on.summary.errors} error; off: ${off.summary.errors} errors`,
      );
    },
  );
});

/**
 * zfs-sync-production on the local engine: real PostgreSQL 15 behind the app and the TLS proxy,
 * backed up through pg_dump; the database volume (protected) lost and restored with pg_restore.
 */
describe("zfs-sync-production on the local engine: PostgreSQL backed up with pg_dump and restored", () => {
  let s: StackUnderTest;
  let removed = false;
  const { step } = scenario();
  const DB = "zfs-sync-production-postgres";
  const sql = (query: string) =>
    execOk(
      DB,
      ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-U", "zfssync", "-d", "zfssync", "-c", query],
      { user: "70:70" },
    );

  beforeAll(() => {
    s = new StackUnderTest("zfs-sync-production", loadConfig());
  });
  afterAll(async () => {
    if (s && !removed) await cleanUpProtected(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step("terraform init (pg backend), validate, apply zfs-sync-production with backups", async () => {
    expect(s.backups).toBe(true);
    await initValidateApply(s);
  });
  step("services run and are healthy (the backup runner's first pg_dump snapshot taken)", async () =>
    assertRunningAndHealthy(s, 4 * 60_000),
  );

  step(
    "a row written to PostgreSQL is backed up with pg_dump, the protected database volume is lost, PostgreSQL starts empty, npm run restore brings the row back",
    async () => {
      await assertBackupRestore(s, {
        volume: "zfs-sync-production-postgres-data",
        write: async () => {
          const marker = `row ${Date.now()}`;
          await sql(`CREATE TABLE IF NOT EXISTS e2e_backup (v text); INSERT INTO e2e_backup VALUES ('${marker}')`);
          return marker;
        },
        read: async () => (await sql("SELECT v FROM e2e_backup ORDER BY v DESC LIMIT 1")).trim(),
      });
      expect((await mustInspect("zfs-sync-production-app")).State.Health?.Status).toBe("healthy");
      await assertConverged(s, "restore");
    },
  );

  step("deliberate removal: state rm of the protected volume, destroy, then the volume removed by hand", async () => {
    for (const v of s.protectedVolumes()) await s.tf.tfOk(["state", "rm", `docker_volume.${v.id}`], 60_000);
    const r = await s.tf.destroy();
    if (r.code !== 0) throw new Error(`destroy after state rm failed:\n${r.stderr}`);
    for (const v of s.protectedVolumes()) await dockerOk(["volume", "rm", v.name]);
    expect(await leftovers(s)).toEqual([]);
    removed = true;
  });
});
