import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";

/** `npm run synth` (esbuild bundle + code cache) writes exactly what the app synthesizes in-process. */
describe("the fast synth script", () => {
  const root = path.resolve(__dirname, "..");
  const fast = fs.mkdtempSync(path.join(os.tmpdir(), "synth-fast-"));
  const reference = fs.mkdtempSync(path.join(os.tmpdir(), "synth-ref-"));

  test("exits 0 and writes the same cdk.tf.json for every stack as the in-process synth", () => {
    const run = spawnSync(process.execPath, [path.join(root, "scripts", "synth.js")], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: fast, STACK_RELEASE: "test-release" },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status).toBe(0);
    expect(synthesize(ENVIRONMENTS, { outdir: reference, release: "test-release", stdout: () => undefined, stderr: () => undefined })).toBe(
      0,
    );
    const stacks = fs.readdirSync(path.join(reference, "stacks")).sort();
    expect(fs.readdirSync(path.join(fast, "stacks")).sort()).toEqual(stacks);
    for (const stack of stacks) {
      const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "utf8"));
      expect([stack, read(fast)]).toEqual([stack, read(reference)]);
    }
  });
});

/** The release label main.ts reads from the checkout (lib/release.ts). */
describe("the release of the checkout", () => {
  const root = path.resolve(__dirname, "..");
  const synthRelease = (env: NodeJS.ProcessEnv) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-release-"));
    const run = spawnSync(process.execPath, [path.join(root, "scripts", "synth.js")], {
      cwd: root,
      env: { ...env, CDKTF_OUTDIR: out },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status).toBe(0);
    const text = fs.readFileSync(path.join(out, "stacks", "zfs-sync-dev", "cdk.tf.json"), "utf8");
    const app = JSON.parse(text).resource.docker_container.zfs_sync_app;
    return { text, release: app.labels.find((l: { label: string }) => l.label === "release")?.value as string | undefined };
  };

  test("without STACK_RELEASE: <package version>+<git rev-parse --short HEAD>, the same output on every synth of the checkout", () => {
    const env = { ...process.env };
    delete env.STACK_RELEASE;
    const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
    const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
    const first = synthRelease(env);
    expect(first.release).toBe(commit ? `${version}+${commit}` : version);
    expect(synthRelease(env).text).toBe(first.text);
  });
});

/** cdktf checks Terraform's version during synth: once per synth, and an old one is a clear error. */
describe("the Terraform version check", () => {
  const root = path.resolve(__dirname, "..");
  /** A `terraform` on PATH that prints `version` and counts its runs. */
  function fakeTerraform(version: string): { dir: string; runs: () => number } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-terraform-"));
    fs.writeFileSync(path.join(dir, "terraform"), `#!/bin/sh\necho run >> "${dir}/runs"\necho "Terraform v${version}"\n`, { mode: 0o755 });
    return {
      dir,
      runs: () => (fs.existsSync(path.join(dir, "runs")) ? fs.readFileSync(path.join(dir, "runs"), "utf8").trim().split("\n").length : 0),
    };
  }
  const synth = (terraformDir: string) =>
    spawnSync(process.execPath, [path.join(root, "scripts", "synth.js")], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${terraformDir}:${process.env.PATH}`,
        CDKTF_OUTDIR: fs.mkdtempSync(path.join(os.tmpdir(), "synth-tfv-")),
      },
      encoding: "utf8",
      timeout: 120_000,
    });

  test("runs terraform version once for every terraform_data resource and moved block of every stack", () => {
    const tf = fakeTerraform("1.11.4");
    const run = synth(tf.dir);
    expect(run.status).toBe(0);
    expect(tf.runs()).toBe(1);
  });

  test("an old Terraform fails synth with cdktf's message and no stack trace", () => {
    const tf = fakeTerraform("1.3.0");
    const run = synth(tf.dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^synth failed: Validation failed with the following errors:\n {2}\[[a-z-]+\] terraform version 1\.3\.0 is lower than the required version >=1\.[45]/m,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(tf.runs()).toBe(1);
  });
});
