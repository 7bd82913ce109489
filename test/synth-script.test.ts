import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";
import { BAD_SYSTEMS } from "./policy/fixtures/bad-systems";

const root = path.resolve(__dirname, "..");
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** `node scripts/synth.js <args>` (what `npm run synth -- <args>` and cdktf.json's app run), into `outdir`. */
function synthScript(args: string[], outdir: string) {
  return spawnSync(process.execPath, [path.join(root, "scripts", "synth.js"), ...args], {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir, STACK_RELEASE: "test-release" },
    encoding: "utf8",
    timeout: 120_000,
  });
}

/** `npm run synth` (esbuild bundle + code cache) writes exactly what the app synthesizes in-process. */
describe("the fast synth script", () => {
  const fast = tmp("synth-fast-");
  const reference = tmp("synth-ref-");
  let run: ReturnType<typeof synthScript>;
  let stacks: string[] = [];
  beforeAll(() => {
    run = synthScript([], fast);
    expect(synthesize(ENVIRONMENTS, { outdir: reference, release: "test-release", stdout: () => undefined, stderr: () => undefined })).toBe(
      0,
    );
    stacks = fs.readdirSync(path.join(reference, "stacks")).sort();
  });

  test("exits 0 and writes the same cdk.tf.json for every stack as the in-process synth", () => {
    expect(run.status).toBe(0);
    expect(fs.readdirSync(path.join(fast, "stacks")).sort()).toEqual(stacks);
    for (const stack of stacks) {
      const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "utf8"));
      expect([stack, read(fast)]).toEqual([stack, read(reference)]);
    }
  });

  test("prints one line per stack and a total, nothing on stderr; no suppression is printed", () => {
    expect([run.status, run.stderr]).toEqual([0, ""]);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(stacks.length + 1);
    expect(
      lines
        .slice(0, -1)
        .map((l) => l.replace(/^policy (\S+) \((Baseline|Production)\): \d+ errors?, \d+ warnings?, \d+ infos?, \d+ suppressed$/, "$1"))
        .sort(),
    ).toEqual(stacks);
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(
        `^wrote 9 stacks to ${path.join(fast, "stacks")} \\(0 errors, \\d+ warnings, \\d+ infos, \\d+ suppressed\\); findings and suppressions: ${path.join(fast, "policy-report.md")}$`,
      ),
    );
    expect(run.stdout).not.toMatch(/^ {2}suppressed/m);
  });

  test("the total adds up the stacks' reports, and policy-report.md lists every suppression of every stack with its reason", () => {
    const reports = stacks.map((s) => JSON.parse(fs.readFileSync(path.join(fast, "stacks", s, "policy-report.json"), "utf8")));
    const suppressed = reports.flatMap((r) => r.suppressed as { id: string; path: string; reason: string }[]);
    const warnings = reports.reduce((n, r) => n + r.summary.warnings, 0);
    expect(suppressed.length).toBeGreaterThan(50);
    expect(run.stdout).toContain(`, ${warnings} warnings, `);
    expect(run.stdout).toContain(`, ${suppressed.length} suppressed); `);
    const markdown = fs.readFileSync(path.join(fast, "policy-report.md"), "utf8");
    for (const stack of stacks) expect([stack, markdown.includes(`\n## ${stack} (`)]).toEqual([stack, true]);
    for (const x of suppressed) {
      const row = markdown.split("\n").find((l) => l.startsWith(`| \`${x.id}\` | \`${x.path}\` |`));
      expect([x.id, x.path, row?.endsWith(` | ${x.reason.replace(/\|/g, "\\|")} |`)]).toEqual([x.id, x.path, true]);
    }
  });
});

describe("synth's options", () => {
  test("--verbose prints every suppression with its reason before the stack lines", () => {
    let out = "";
    expect(synthesize(ENVIRONMENTS, { outdir: tmp("synth-verbose-"), stdout: (t) => (out += t), output: "verbose" })).toBe(0);
    expect(out).toMatch(
      /^ {2}suppressed {2}Baseline-ContainerRunsAsNonRoot zcash-dev\/Z3\/Zebra\/Resource \(Service\.rootReason at zcash-dev\/Z3\/Zebra\): /m,
    );
    expect(out).toMatch(/\nwrote 9 stacks to .*\n$/);
  });

  test("--stack <name> synthesizes only that stack; the same JSON as a full synth", () => {
    const one = tmp("synth-one-");
    const full = tmp("synth-full-");
    let out = "";
    expect(synthesize(ENVIRONMENTS, { outdir: one, stdout: (t) => (out += t), stacks: ["zfs-sync-dev"] })).toBe(0);
    expect(synthesize(ENVIRONMENTS, { outdir: full, stdout: () => undefined })).toBe(0);
    expect(fs.readdirSync(path.join(one, "stacks"))).toEqual(["zfs-sync-dev"]);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(one, "manifest.json"), "utf8")).stacks)).toEqual(["zfs-sync-dev"]);
    const read = (dir: string) => fs.readFileSync(path.join(dir, "stacks", "zfs-sync-dev", "cdk.tf.json"), "utf8");
    expect(read(one)).toBe(read(full));
    expect(out.split("\n")[0]).toMatch(/^policy zfs-sync-dev \(Baseline\): /);
    expect(out).toContain("wrote 1 stack to ");
  });

  test("an unknown --stack exits 2 and lists the known stacks; nothing is written", () => {
    const outdir = tmp("synth-unknown-");
    const run = synthScript(["--stack", "zcash-devv"], outdir);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'synth: no stack named "zcash-devv"; the stacks are: jessy-dev, jessy-production, jessy-staging, zcash-dev, zcash-production, zcash-staging, zfs-sync-dev, zfs-sync-production, zfs-sync-staging\n',
    );
    const stacksDir = path.join(outdir, "stacks");
    expect(fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : []).toEqual([]);
  });

  test("an unknown option exits 2 with the usage; --help prints it and exits 0", () => {
    const bad = synthScript(["--stacks", "zcash-dev"], tmp("synth-badopt-"));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^synth: Unknown option '--stacks'/);
    expect(bad.stderr).toContain("Usage: npm run synth -- [--stack <name>]...");
    const help = synthScript(["--help"], tmp("synth-help-"));
    expect([help.status, help.stdout.split("\n")[0]]).toEqual([0, "Usage: npm run synth -- [--stack <name>]... [--verbose | --quiet]"]);
  });

  test("cdktf runs the app with --app, which prints nothing when synth succeeds (cdktf list, diff and deploy repeat no policy lines)", () => {
    const cdktf = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
    expect(cdktf.app).toBe("node scripts/synth.js --app");
    const outdir = tmp("synth-app-");
    const run = synthScript(["--app"], outdir);
    expect([run.status, run.stdout, run.stderr]).toEqual([0, "", ""]);
    expect(fs.readdirSync(path.join(outdir, "stacks"))).toHaveLength(9);
    expect(fs.existsSync(path.join(outdir, "policy-report.md"))).toBe(true);
  });

  test("quiet output still prints a failure in full: each stack's line and every error", () => {
    let err = "";
    let out = "";
    const code = synthesize(ENVIRONMENTS, {
      outdir: tmp("synth-quiet-bad-"),
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      systems: BAD_SYSTEMS,
      output: "quiet",
    });
    expect([code, out]).toEqual([1, ""]);
    expect(err).toContain("policy zcash-production (Production): 1 error, ");
    expect(err).toContain(
      "synth failed: policy check failed: 1 error in zcash-production\n  stack zcash-production (Production pack):\n    - Production-ContainerNotPrivileged at docker_container.z3_zebra (zcash-production/Z3/Zebra/Resource): privileged is true",
    );
  });
});

describe("an error in stack code", () => {
  test("is reported at its line in stacks/…ts, not in the bundle (the bundle's source map)", () => {
    const fixture = path.join(root, "test", "fixtures", "synth", "stack-bug-main.ts");
    const bundle = path.join(tmp("synth-bug-"), "main.js");
    const run = spawnSync(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(path.join(root, "scripts", "synth.js"))}).main(${JSON.stringify(fixture)}, ${JSON.stringify(bundle)})`,
      ],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(run.status).toBe(1);
    // The first frame is the stack's constructor at a line of stacks/z3/zcash-stack.ts, and that line
    // reads the property the message names from the missing z3 block.
    const [message, first] = run.stderr.split("\n");
    const property = /^TypeError: Cannot read properties of undefined \(reading '(\w+)'\)$/.exec(message)?.[1];
    expect(property).toBeDefined();
    const frame = /^ {4}at new ZcashStack \(stacks\/z3\/zcash-stack\.ts:(\d+):(\d+)\)$/.exec(first);
    expect([first, frame !== null]).toEqual([first, true]);
    const source = fs.readFileSync(path.join(root, "stacks", "z3", "zcash-stack.ts"), "utf8").split("\n");
    expect(source[Number(frame![1]) - 1]).toContain(`.${property}`);
    expect(run.stderr).not.toContain("main.js:");
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
