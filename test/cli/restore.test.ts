import * as fs from "fs";
import { Docker, dryRun, main } from "../../tools/restore";
import { InputError } from "../../tools/lib/cli";
import { stackJson, synthDir } from "./fixture";

/*
 * The safe restore (tools/restore.ts): the stack and volume are checked against the synthesized
 * stack before Docker is contacted, a real restore asks on a terminal or needs --yes, and --dry-run
 * lists what would change. The restores themselves: e2e 02, 06 and 13.
 */

/** A Docker host answering `docker …` from a table (by the joined arguments); records the calls. */
class FakeDocker extends Docker {
  readonly calls: string[] = [];
  constructor(private readonly answers: Record<string, string> = {}) {
    super("unix:///fake.sock");
  }
  override async run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const key = args.join(" ");
    this.calls.push(key);
    const hit = Object.entries(this.answers).find(([k]) => key.startsWith(k));
    return hit ? { code: 0, stdout: hit[1], stderr: "" } : { code: 1, stdout: "", stderr: `no answer for ${key}` };
  }
}
const ENV = { TF_VAR_docker_host: "unix:///nonexistent/docker.sock" };

let fx: ReturnType<typeof synthDir>;
beforeEach(() => {
  fx = synthDir();
});
afterEach(() => fs.rmSync(fx.root, { recursive: true, force: true }));

async function inputError(argv: string[], deps: Parameters<typeof main>[2] = {}): Promise<string> {
  const docker = new FakeDocker();
  try {
    await main(argv, ENV, { docker: () => docker, isTTY: false, ...deps });
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect(docker.calls).toEqual([]);
    return (e as Error).message;
  }
  throw new Error("no InputError");
}

describe("checked before Docker is contacted", () => {
  test("a volume the stack does not back up (the `nope` of the issue) names the ones it does", async () => {
    expect(await inputError(["shop-dev", "nope", "--out", fx.out, "--yes"])).toBe(
      "nope is not backed up by shop-dev; its backed-up volumes: shop-dev-data",
    );
  });
  test("a stack that is not synthesized", async () => {
    expect(await inputError(["other-dev", "shop-dev-data", "--out", fx.out, "--yes"])).toBe(
      "unknown stack other-dev; synthesized stacks: shop-dev",
    );
  });
  test("a stack without a backup runner", async () => {
    const json = stackJson();
    delete (json.resource as { docker_container: Record<string, unknown> }).docker_container.backup_runner_files;
    fs.writeFileSync(`${fx.dir}/cdk.tf.json`, JSON.stringify(json));
    expect(await inputError(["shop-dev", "shop-dev-data", "--out", fx.out, "--dry-run"])).toBe(
      "shop-dev has no backup runner in its synthesized stack: backups are not configured for it",
    );
  });
  test("a real restore without a terminal needs --yes; a dry run and a listing do not", async () => {
    expect(await inputError(["shop-dev", "shop-dev-data", "--out", fx.out])).toMatch(
      /^restoring shop-dev-data replaces its data with snapshot latest: confirm with --yes \(no terminal to ask on\), or see first with --dry-run$/,
    );
    for (const mode of ["--dry-run", "--list"]) {
      const docker = new FakeDocker();
      await expect(
        main(["shop-dev", "shop-dev-data", "--out", fx.out, mode], ENV, { docker: () => docker, isTTY: false }),
      ).rejects.toThrow();
      // It went on to Docker (which the fake does not answer): no confirmation was needed.
      expect(docker.calls[0]).toMatch(/^ps -a --filter label=role=backup/);
    }
  });
});

describe("confirmation on a terminal", () => {
  test("the question names the volume, stack, host and snapshot; a wrong answer changes nothing (exit 1)", async () => {
    const docker = new FakeDocker();
    let question = "";
    const r = await main(["shop-dev", "shop-dev-data", "--out", fx.out], ENV, {
      docker: () => docker,
      isTTY: true,
      confirm: async (q, expected) => {
        question = q;
        return "no" === expected;
      },
    });
    expect(r).toEqual({ output: "restore: not confirmed; nothing was changed\n", exitCode: 1 });
    expect(question).toMatch(/^Restore shop-dev-data of shop-dev on unix:\/\/\/nonexistent\/docker.sock from snapshot latest\? /);
    expect(question).toMatch(/Type the volume name to go on: $/);
    expect(docker.calls).toEqual([]);
  });
  test("the volume name typed back goes on to Docker", async () => {
    const docker = new FakeDocker();
    await expect(
      main(["shop-dev", "shop-dev-data", "--out", fx.out], ENV, {
        docker: () => docker,
        isTTY: true,
        confirm: async (_q, expected) => expected === "shop-dev-data",
      }),
    ).rejects.toThrow(/listing containers failed/);
    expect(docker.calls.length).toBeGreaterThan(0);
  });
});

describe("--dry-run", () => {
  const runnerInspect = JSON.stringify([
    {
      Image: "sha256:runner",
      Mounts: [
        { Type: "volume", Name: "shop-dev-backup-files-etc-restic", Destination: "/etc/restic", RW: false },
        { Type: "volume", Name: "shop-dev-data", Destination: "/data/shop-dev-data", RW: false },
      ],
      NetworkSettings: { Networks: { "shop-dev-backup-egress": {} } },
    },
  ]);
  test("files: restic restore --dry-run --delete into the volume mounted read-only; what would change, with sizes", async () => {
    const docker = new FakeDocker({
      "ps -a --filter label=role=backup": "shop-dev-backup\n",
      "exec shop-dev-backup cat /etc/restic/sources.json": JSON.stringify({ sources: [{ kind: "files", volume: "shop-dev-data" }] }),
      "inspect shop-dev-backup": runnerInspect,
      "run --rm --name shop-dev-backup-dry-run":
        "restored  /data/shop-dev-data/app.db with size 12.000 KiB\ndeleted   /data/shop-dev-data/new-file\nunchanged /data/shop-dev-data/a\nSummary: Restored 2 / 3 files/dirs (12.000 KiB / 12.000 KiB) in 0:00\n",
      "ps -a --filter volume=shop-dev-data": "shop-dev-app\nshop-dev-backup\n",
    });
    const out = await dryRun(docker, "shop-dev", "shop-dev-data", "latest");
    expect(out.split("\n")).toEqual([
      "dry run: restoring shop-dev-data from snapshot latest (restic restore --delete: the volume ends up exactly as the snapshot)",
      "would stop and start again: shop-dev-app, shop-dev-backup",
      "restored  /data/shop-dev-data/app.db with size 12.000 KiB",
      "deleted   /data/shop-dev-data/new-file",
      "unchanged /data/shop-dev-data/a",
      "Summary: Restored 2 / 3 files/dirs (12.000 KiB / 12.000 KiB) in 0:00",
      "nothing was changed",
      "",
    ]);
    const run = docker.calls.find((c) => c.startsWith("run "))!.split(" ");
    expect(run).toContain("shop-dev-data:/data/shop-dev-data:ro");
    expect(run).not.toContain("shop-dev-data:/data/shop-dev-data");
    // Only the capability to read every file; none to change owners or modes.
    expect(run.filter((_a, i) => run[i - 1] === "--cap-add")).toEqual(["DAC_OVERRIDE"]);
    expect(run.slice(run.indexOf("restore"))).toEqual([
      "restore",
      "latest:/data/shop-dev-data",
      "--host",
      "shop-dev",
      "--tag",
      "volume=shop-dev-data",
      "--target",
      "/data/shop-dev-data",
      "--delete",
      "--dry-run",
      "-vv",
    ]);
  });
  test("PostgreSQL: pg_restore --list of the snapshot's dump, the objects --clean drops and recreates", async () => {
    const docker = new FakeDocker({
      "ps -a --filter label=role=backup": "shop-dev-backup\n",
      "exec shop-dev-backup cat /etc/restic/sources.json": JSON.stringify({
        sources: [{ kind: "postgres", volume: "shop-dev-pg", clients: ["shop-dev-app"] }],
      }),
      "exec shop-dev-backup sh -c":
        ";\n; Archive created at 2026-12-07\n215; 1259 16390 TABLE public orders app\n3340; 0 16390 TABLE DATA public orders app\n",
    });
    const out = await dryRun(docker, "shop-dev", "shop-dev-pg", "4bf8d32e");
    expect(out).toBe(
      "dry run: restoring shop-dev-pg (PostgreSQL) from snapshot 4bf8d32e would drop and recreate these 2 database objects (pg_restore --clean --single-transaction); clients stopped meanwhile: shop-dev-app\n" +
        "215; 1259 16390 TABLE public orders app\n3340; 0 16390 TABLE DATA public orders app\nnothing was changed\n",
    );
    const exec = docker.calls.find((c) => c.startsWith("exec shop-dev-backup sh -c"))!;
    expect(exec).toMatch(/pg_restore --list sh 4bf8d32e \/shop-dev-pg\.dump$/);
  });
});
