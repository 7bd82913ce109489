import { existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { loadConfig } from "./harness/env";
import { dockerOk, execOk, mustInspect } from "./harness/docker-engine";
import { http } from "./harness/net";
import { StackUnderTest } from "./harness/stacks";
import {
  assertConverged,
  assertEngineMatchesConfig,
  assertPublishedPorts,
  assertReadOnly,
  assertRunningAndHealthy,
  assertSecretsNotInInspect,
  cleanUp,
  destroyAndAssertClean,
  ensureNoConflicts,
  faultKillMainProcess,
  faultRemoveContainer,
  initValidateApply,
} from "./harness/steps";
import { scenario } from "./harness/suite";
import { assertVerifyFails, assertVerifyPasses } from "./harness/verify";
import {
  assertBackupRestore,
  assertRunnerConfinement,
  backupHostFrom,
  ownedFilesListing,
  runnerOf,
  writeOwnedFiles,
} from "./harness/backup";
import { exec, waitHealthy } from "./harness/docker-engine";
import { waitFor } from "./harness/process";
import { record, seconds } from "./harness/report";

/**
 * The engine: OpenTofu. Each system's dev stack is proven on OpenTofu here (apply, re-plan, faults,
 * destroy) and on Terraform in 07-engine-restart; staging and production run on Terraform
 * (docs/e2e.md, "Engines").
 */
const ENGINE = "tofu";

const MMAP_DIRS = [
  "consciousness",
  ...Array.from({ length: 14 }, (_, i) => `consciousness/D${String(i + 1).padStart(2, "0")}`),
  "proto",
  "temp",
];

/**
 * jessy-dev: images built by Terraform (docker_image build) from a fake checkout passed as
 * jessy_source_path, the one-shot mmap init, jessy-core and jessy-api with hot-reload binds.
 */
describe("jessy-dev on the local engine", () => {
  let s: StackUnderTest;
  let destroyed = false;
  const { step } = scenario();

  beforeAll(() => {
    // Backed up to the service hosts' SFTP server (backup_repository set: the runner is deployed).
    s = new StackUnderTest("jessy-dev", loadConfig(), { engine: ENGINE, backups: true });
  });
  afterAll(async () => {
    if (s && !destroyed) await cleanUp(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step(`${ENGINE} init, validate, apply: images built from the checkout at jessy_source_path (development targets)`, async () => {
    await initValidateApply(s);
    for (const [tag, standin] of [
      ["jessy-core:dev", "jessy-core"],
      ["jessy-api:dev", "jessy-api"],
    ]) {
      const env = (
        await dockerOk(["image", "inspect", "-f", '{{json .Config.Env}} {{index .Config.Labels "org.z3-e2e.standin"}}', tag])
      ).trim();
      expect(env).toContain("STANDIN_STAGE=development");
      expect(env.endsWith(standin)).toBe(true);
    }
  });
  step("services run and are healthy; the mmap init ran once and exited 0", async () => assertRunningAndHealthy(s));
  step(
    "npm run verify passes: services healthy, ports answer where declared and nowhere else, connections work from inside the services",
    async () => {
      await assertVerifyPasses(s);
    },
  );
  step(
    "docker inspect matches the synthesized configuration (root with only DAC_OVERRIDE in dev, binds from jessy_source_path, caches, networks, ports)",
    async () => assertEngineMatchesConfig(s),
  );

  step("the init container laid out the mmap volume: 14 dimension directories, proto, temp, mode 755, owned by 1000", async () => {
    const out = await execOk("jessy-dev-core", ["sh", "-c", `cd /app/data/mmap && stat -c '%n %a %u:%g' ${MMAP_DIRS.join(" ")}`]);
    expect(out.trim().split("\n")).toEqual(MMAP_DIRS.map((d) => `${d} 755 1000:1000`));
    // jessy-core wrote its region file into the layout.
    expect(await execOk("jessy-dev-api", ["ls", "/app/data/mmap/consciousness/D01"])).toContain("standin-region.mmap");
  });

  step(
    "jessy-api's mmap mount is read-only (a write fails even as root); source binds are read-only; data/ is the checkout's directory, read-write",
    async () => {
      await assertReadOnly("jessy-dev-api", "/app/data/mmap/consciousness/D01");
      await assertReadOnly("jessy-dev-core", "/app/src");
      await assertReadOnly("jessy-dev-api", "/app/api");
      const src = join(loadConfig().jessySourcePath, "src", "e2e-edit.rs");
      writeFileSync(src, "// edited on the host\n");
      try {
        expect(await execOk("jessy-dev-core", ["cat", "/app/src/e2e-edit.rs"])).toBe("// edited on the host\n");
      } finally {
        rmSync(src);
      }
      await execOk("jessy-dev-core", ["sh", "-c", "echo from-the-container > /app/data/e2e-probe"]);
      const probe = join(loadConfig().jessySourcePath, "data", "e2e-probe");
      expect(existsSync(probe) && readFileSync(probe, "utf8")).toBe("from-the-container\n");
      rmSync(probe);
    },
  );

  step("jessy-api reaches jessy-core by its upstream alias; both answer on 127.0.0.1 only", async () => {
    const core = await http("http://127.0.0.1:3000/api/core");
    expect(core?.status).toBe(200);
    expect(JSON.parse(core!.body)).toMatchObject({ service: "jessy-core", stage: "development" });
    await assertPublishedPorts(s, loadConfig().externalAddress);
    await assertSecretsNotInInspect(s);
  });

  step("re-plan right after apply: no changes", async () => assertConverged(s, "apply"));

  step(
    "the backup runner has no CAP_DAC_READ_SEARCH (CapAdd [CAP_DAC_OVERRIDE], CapEff 0x2, the default seccomp profile); open_by_handle_at is refused in it (EPERM), and opens the same handle with DAC_READ_SEARCH",
    async () => assertRunnerConfinement(s, "jessy-dev-mmap-data", "consciousness/D01/standin-region.mmap"),
  );

  step(
    "backup: the mmap data written by jessy-core, and files of UIDs 0, 1000 and 70 in 0700 directories (0600, 0400) that only the runner's capability reads, are backed up, lost with their volume, restored by npm run restore with their owners, modes and contents, and read back",
    async () => {
      const volume = "jessy-dev-mmap-data";
      const file = "/app/data/mmap/consciousness/D01/backup-marker";
      await assertBackupRestore(s, {
        volume,
        write: async () => {
          const marker = `mmap ${Date.now()}`;
          await execOk("jessy-dev-core", ["sh", "-c", `printf '%s' '${marker}' > ${file}`]);
          return `${marker}\n${await writeOwnedFiles(s, volume, marker)}`;
        },
        read: async () =>
          `${await execOk("jessy-dev-api", ["cat", file])}\n${await ownedFilesListing(volume, (await mustInspect(runnerOf(s))).Image)}`,
      });
      await assertConverged(s, "restore");
    },
  );

  step(
    "backup failure: with the destination unreachable the run fails, the runner turns unhealthy and npm run verify names it; back once it is reachable",
    async () => {
      const runner = runnerOf(s);
      await backupHostFrom("block-backup", runner);
      try {
        const failed = await exec(runner, ["/etc/restic/backup.sh", "once"], { timeoutMs: 120_000 });
        expect(failed.code).toBe(1);
        expect(failed.stderr).toMatch(/run finished: FAILED/);
        const started = Date.now();
        await waitFor(`${runner} unhealthy`, async () => (await mustInspect(runner)).State.Health?.Status === "unhealthy", {
          timeoutMs: 120_000,
        });
        record(s.section, "backup failure to unhealthy s", seconds(Date.now() - started));
        expect(await execOk(runner, ["busybox", "wget", "-qO-", "http://127.0.0.1:9102/metrics.txt"])).toMatch(
          /z3infra_backup_last_run_success\{volume="jessy-dev-mmap-data"\} 0/,
        );
        await assertVerifyFails(s, new RegExp(runner));
      } finally {
        await backupHostFrom("unblock-backup", runner);
      }
      await execOk(runner, ["/etc/restic/backup.sh", "once"]);
      await waitHealthy([runner], 120_000);
    },
  );

  step("fault: docker exec jessy-core kill 1; the restart policy brings it back healthy with its mmap data", async () => {
    // One line per start of jessy-core, kept on the mmap volume (the restore above restarted it too).
    const starts = async () => (await execOk("jessy-dev-core", ["cat", "/app/data/mmap/temp/standin-core-starts"])).trim().split("\n");
    const before = await starts();
    await faultKillMainProcess(s, "jessy-dev-core", "exec-term");
    const after = await starts();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1]).toMatch(/^start /);
    await assertConverged(s, "jessy-core restart");
  });

  step("fault: docker rm -f jessy-api out of band; the plan creates exactly that container and apply heals it", async () => {
    await faultRemoveContainer(s, "jessy-dev-api");
    expect((await mustInspect("jessy-dev-api")).State.Running).toBe(true);
    await assertConverged(s, "healing jessy-api");
  });

  step(`${ENGINE} destroy leaves no container, volume or network of the stack`, async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
  });
});
