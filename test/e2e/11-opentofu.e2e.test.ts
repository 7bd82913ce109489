import { createHash } from "crypto";
import { appendFileSync, cpSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { summarizePlans } from "../../tools/plan-summary";
import { encryptionConfig } from "../../tools/tofu-encryption";
import { docker, dockerOk, waitHealthy } from "./harness/docker-engine";
import { cacheDir, E2eConfig, loadConfig, REPO_ROOT } from "./harness/env";
import { say } from "./harness/log";
import { psql } from "./harness/postgres";
import { run, tail } from "./harness/process";
import { record, seconds } from "./harness/report";
import { randomString } from "./harness/secrets";
import { StackUnderTest } from "./harness/stacks";
import { assertRunningAndHealthy, assertSecretFile, ensureNoConflicts } from "./harness/steps";
import { scenario } from "./harness/suite";
import { Terraform } from "./harness/terraform";
import { synthTofuStack, TOFU_PREFIX, TOFU_SCHEMA, TOFU_SECRET_PATH, TOFU_SECRET_VARIABLE, TOFU_STACK } from "./harness/tofu-stack";

/**
 * OpenTofu as the engine, and its client-side state encryption, on a `pg`-backend stack of the
 * project's constructs (harness/tofu-stack.ts: one service with a secret file; names `tofu-e2e-*`,
 * schema `tofu_e2e_staging`). The stack is first applied by Terraform, as every existing stack was;
 * OpenTofu takes it over, encrypts its state through `TF_ENCRYPTION` (the JSON of `npm run
 * tofu:encryption`, so the synthesized JSON is the same for both engines), and then: the state row
 * in PostgreSQL holds no secret in clear, a wrong or missing key fails without changing anything,
 * the key is rotated through `fallback`, saved plans are encrypted and still read by the plan
 * summary, and `cdktf deploy` and `destroy` under `TERRAFORM_BINARY_NAME=tofu` work (which
 * Terraform could not do: it cannot read the encrypted state), leaving nothing behind.
 */

const MINUTE = 60_000;
const TOFU_VERSION = "1.12.6";
const APP = `${TOFU_PREFIX}app`;

describe("OpenTofu: a pg-backend stack taken over from Terraform, state encrypted, key rotated", () => {
  let config: E2eConfig;
  let outDir: string;
  let s: StackUnderTest;
  /** The same stack and inputs, driven by terraform and by tofu. */
  let terraform: Terraform;
  let tofu: Terraform;
  let sentinel: string;
  const keys = { first: `k1-${randomString(32)}`, second: `k2-${randomString(32)}`, wrong: `kx-${randomString(32)}` };
  /** TF_ENCRYPTION values. */
  const enc = {
    migrate: JSON.stringify(encryptionConfig({ passphrase: keys.first, migrateUnencrypted: true })),
    first: JSON.stringify(encryptionConfig({ passphrase: keys.first })),
    rotate: JSON.stringify(encryptionConfig({ passphrase: keys.second, previousPassphrase: keys.first })),
    second: JSON.stringify(encryptionConfig({ passphrase: keys.second })),
    wrong: JSON.stringify(encryptionConfig({ passphrase: keys.wrong })),
  };
  let deployed = false;
  let destroyed = false;
  /** The TF_ENCRYPTION that reads the current state (for the clean-up after a failure). */
  let currentEnc: string | undefined;
  const { step } = scenario();

  beforeAll(() => {
    config = loadConfig();
    outDir = join(config.workDir, "opentofu", "cdktf.out");
    mkdirSync(outDir, { recursive: true });
  });

  afterAll(async () => {
    if (!deployed || destroyed) return;
    if (process.env.E2E_KEEP === "1") return say(`${TOFU_STACK}: E2E_KEEP=1, leaving the stack deployed`);
    const r = await tofu.tf(
      ["destroy", "-auto-approve", "-input=false", "-no-color", ...tofu.varArgs()],
      10 * MINUTE,
      currentEnc ? { TF_ENCRYPTION: currentEnc } : {},
    );
    if (r.code !== 0) say(`${TOFU_STACK}: clean-up destroy failed (exit ${r.code}); removing by name`);
    const left = await leftovers();
    if (left.containers.length) await docker(["rm", "-f", "-v", ...left.containers]);
    if (left.volumes.length) await docker(["volume", "rm", "-f", ...left.volumes]);
    if (left.networks.length) await docker(["network", "rm", ...left.networks]);
    await dropSchema();
  }, 10 * MINUTE);

  step(
    `tofu on PATH is OpenTofu ${TOFU_VERSION} (scripts/bootstrap-tofu.sh); the stack synthesizes once, with no encryption and no key in its JSON`,
    async () => {
      // With the suite's CLI configuration: OpenTofu prints a warning about a missing one on stdout.
      const v = await run("tofu", ["version", "-json"], {
        timeoutMs: 30_000,
        env: { ...process.env, ...(config.cliConfigFile ? { TF_CLI_CONFIG_FILE: config.cliConfigFile } : {}) },
      });
      if (v.code !== 0)
        throw new Error(`tofu is not on PATH (run scripts/bootstrap-tofu.sh, or scripts/bootstrap-engine.sh): ${v.stderr.trim()}`);
      expect(JSON.parse(v.stdout).terraform_version).toBe(TOFU_VERSION);
      synthTofuStack(outDir);
      const text = readFileSync(join(outDir, "stacks", TOFU_STACK, "cdk.tf.json"), "utf8");
      const json = JSON.parse(text);
      expect(json.terraform.backend.pg.schema_name).toBe(TOFU_SCHEMA);
      expect(json.terraform.encryption).toBeUndefined();
      expect(json.variable[TOFU_SECRET_VARIABLE].sensitive).toBe(true);
      for (const key of Object.values(keys)) expect(text.includes(key)).toBe(false);
    },
  );

  step(
    "CI's engine preparation (scripts/ci-engine.sh): both engines init -lockfile=readonly from the provider artifact with the committed lock, and refuse a changed build",
    async () => {
      const ci = join(config.workDir, "opentofu", "ci-engine");
      rmSync(ci, { recursive: true, force: true });
      // The provider job's artifact: the mirror as scripts/bootstrap-engine.sh builds it, Terraform's host only.
      cpSync(join(cacheDir(), "terraform-providers", "registry.terraform.io"), join(ci, "providers", "registry.terraform.io"), {
        recursive: true,
        dereference: true,
      });
      const tofuDir = dirname(realpathSync((await run("bash", ["-c", "command -v tofu"], { timeoutMs: 10_000 })).stdout.trim()));
      for (const engine of ["terraform", "tofu"] as const) {
        const stackDir = join(ci, engine, "stack");
        mkdirSync(stackDir, { recursive: true });
        writeFileSync(join(stackDir, "cdk.tf.json"), readFileSync(join(outDir, "stacks", TOFU_STACK, "cdk.tf.json")));
        const githubEnv = join(ci, engine, "github-env");
        const env = { ...process.env, RUNNER_TEMP: join(ci, engine), GITHUB_ENV: githubEnv, GITHUB_PATH: join(ci, engine, "github-path") };
        const prep = await run("bash", [join(REPO_ROOT, "scripts", "ci-engine.sh"), engine, join(ci, "providers"), tofuDir, stackDir], {
          timeoutMs: 60_000,
          env,
        });
        if (prep.code !== 0) throw new Error(`scripts/ci-engine.sh ${engine} failed (exit ${prep.code}): ${prep.stdout}${prep.stderr}`);
        const init = async () => {
          rmSync(join(stackDir, ".terraform"), { recursive: true, force: true });
          // The backend is not this step's subject: -backend=false, as the lock check happens before it.
          return run(engine, ["-chdir=" + stackDir, "init", "-input=false", "-no-color", "-backend=false", "-lockfile=readonly"], {
            timeoutMs: 2 * MINUTE,
            env: { ...process.env, TF_CLI_CONFIG_FILE: join(ci, engine, "terraformrc"), CHECKPOINT_DISABLE: "1" },
          });
        };
        const ok = await init();
        if (ok.code !== 0)
          throw new Error(`${engine} init -lockfile=readonly failed (exit ${ok.code}):\n${tail(ok.stdout + ok.stderr, 20)}`);
        expect(ok.stdout).toMatch(/Installed kreuzwerker\/docker v4\.6\.0/);
        say(`${TOFU_STACK}: ci-engine.sh ${engine}: init -lockfile=readonly with the committed checksums: ok`);
        // A build that is not the locked one: the job stops at init, in the engine's words.
        const host = engine === "tofu" ? "registry.opentofu.org" : "registry.terraform.io";
        const binary = join(ci, "providers", host, "kreuzwerker", "docker", "4.6.0", "linux_amd64", "terraform-provider-docker_v4.6.0");
        const original = readFileSync(binary);
        appendFileSync(binary, "changed");
        const refused = await init();
        writeFileSync(binary, original);
        expect(refused.code).toBe(1);
        expect(refused.stdout + refused.stderr).toMatch(
          /doesn't match any of the\s+checksums\s+previously\s+recorded\s+in\s+the\s+dependency\s+lock\s+file/,
        );
        say(
          `${TOFU_STACK}: ci-engine.sh ${engine}: a changed provider build: ${/doesn't match[^(]+/.exec((refused.stdout + refused.stderr).replace(/\s+/g, " "))?.[0]}`,
        );
      }
    },
  );

  step("terraform applies the stack (as every existing stack was); its state row holds the secret in clear", async () => {
    s = new StackUnderTest(TOFU_STACK, { ...config, outDir });
    sentinel = `SENTINEL-${randomString(24)}`;
    s.secrets[TOFU_SECRET_VARIABLE] = sentinel;
    const options = { vars: s.vars, secrets: s.secrets, pgBackend: true };
    terraform = new Terraform(TOFU_STACK, { ...config, outDir }, { ...options, engine: "terraform" });
    tofu = new Terraform(TOFU_STACK, { ...config, outDir }, { ...options, engine: "tofu" });
    await ensureNoConflicts(s);
    await dropSchema();
    await terraform.init();
    deployed = true;
    const r = await terraform.applyOk();
    record("opentofu", "terraform apply s", seconds(r.ms));
    await assertRunningAndHealthy(s, 2 * MINUTE);
    const state = await stateRow();
    expect(state.terraformVersion).toMatch(/^1\.11\./);
    // The control for every later check: the sentinel is there to be found.
    expect(state.hasSentinel).toBe(true);
  });

  step(
    "tofu init takes kreuzwerker/docker from the mirror under registry.opentofu.org; tofu plans the Terraform state with no change",
    async () => {
      const init = await tofu.init();
      expect(init.providerLine).toMatch(/kreuzwerker\/docker v4\.6\.0/);
      // OpenTofu's lock file names its own registry host (Terraform's entry is separate).
      expect(readFileSync(join(tofu.dir, ".terraform.lock.hcl"), "utf8")).toContain('provider "registry.opentofu.org/kreuzwerker/docker"');
      record("opentofu", "tofu init s", seconds(init.ms));
      const p = await tofu.plan();
      record("opentofu", "tofu plan s (Terraform's state)", seconds(p.ms));
      expect({ code: p.code, changes: p.changes }).toEqual({ code: 0, changes: [] });
    },
  );

  step(
    "migration: tofu with TF_ENCRYPTION (unencrypted fallback) rewrites the state encrypted; the row holds no sentinel, no resource name",
    async () => {
      const before = await stateRow();
      const r = await tofuOk(["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color", ...tofu.varArgs()], enc.migrate);
      currentEnc = enc.first;
      record("opentofu", "migrate (refresh-only apply) s", seconds(r.ms));
      const after = await stateRow();
      expect(after.md5).not.toBe(before.md5);
      expect(after.encrypted).toBe(true);
      expect(after.hasSentinel).toBe(false);
      expect(after.hasResourceName).toBe(false);
      say(`${TOFU_STACK}: sentinel check after migration: ${after.report}`);
    },
  );

  step("an empty re-plan under tofu with the key; the service is healthy with its secret file", async () => {
    const withKey = await planWith(enc.first);
    record("opentofu", "tofu plan s (encrypted state)", seconds(withKey.ms));
    expect({ code: withKey.code, changes: withKey.changes }).toEqual({ code: 0, changes: [] });
    await assertSecretFile(s, APP, TOFU_SECRET_PATH, TOFU_SECRET_VARIABLE, "0444", "1000:1000");
  });

  step("a wrong key, or none, fails the plan with OpenTofu's message and changes nothing (state row, container)", async () => {
    const before = await stateRow();
    const containerBefore = await dockerOk(["inspect", "-f", "{{.Id}}", APP]);
    const wrong = await tofu.tf(["plan", "-input=false", "-no-color", ...tofu.varArgs()], 5 * MINUTE, { TF_ENCRYPTION: enc.wrong });
    expect(wrong.code).toBe(1);
    const wrongMessage = firstError(wrong.stderr + wrong.stdout);
    say(`${TOFU_STACK}: wrong key: ${wrongMessage}`);
    expect(wrongMessage).toMatch(/decryption failed for all provided methods/);
    const none = await tofu.tf(["plan", "-input=false", "-no-color", ...tofu.varArgs()], 5 * MINUTE, { TF_ENCRYPTION: "" });
    expect(none.code).toBe(1);
    say(`${TOFU_STACK}: no key: ${firstError(none.stderr + none.stdout)}`);
    // Terraform cannot read an encrypted state at all.
    const tf = await terraform.tf(["plan", "-input=false", "-no-color", ...terraform.varArgs()], 5 * MINUTE);
    expect(tf.code).toBe(1);
    say(`${TOFU_STACK}: terraform on the encrypted state: ${firstError(tf.stderr + tf.stdout)}`);
    for (const r of [wrong, none, tf]) expect(r.stdout + r.stderr).not.toContain(sentinel);
    expect((await stateRow()).md5).toBe(before.md5);
    expect(await dockerOk(["inspect", "-f", "{{.Id}}", APP])).toBe(containerBefore);
  });

  step(
    "rotation: the new key with the old one as fallback rewrites the state; then the new key alone reads it and the old one no longer does",
    async () => {
      const before = await stateRow();
      const r = await tofuOk(["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color", ...tofu.varArgs()], enc.rotate);
      currentEnc = enc.second;
      record("opentofu", "rotate (refresh-only apply) s", seconds(r.ms));
      const after = await stateRow();
      expect(after.md5).not.toBe(before.md5);
      expect(after.encrypted).toBe(true);
      expect(after.hasSentinel).toBe(false);
      const p = await planWith(enc.second);
      expect({ code: p.code, changes: p.changes }).toEqual({ code: 0, changes: [] });
      const old = await tofu.tf(["plan", "-input=false", "-no-color", ...tofu.varArgs()], 5 * MINUTE, { TF_ENCRYPTION: enc.first });
      expect(old.code).toBe(1);
      say(`${TOFU_STACK}: after rotation, the old key: ${firstError(old.stderr + old.stdout)}; sentinel check: ${after.report}`);
    },
  );

  step(
    "a fault under tofu: the service removed out of band is planned back and re-applied; the saved plan is encrypted, its JSON read by the plan summary",
    async () => {
      await docker(["rm", "-f", APP]);
      const planFile = "fault.tfplan";
      const p = await tofu.tf(
        ["plan", "-detailed-exitcode", "-input=false", "-no-color", `-out=${planFile}`, ...tofu.varArgs()],
        5 * MINUTE,
        { TF_ENCRYPTION: enc.second },
      );
      expect(p.code).toBe(2);
      const bytes = readFileSync(join(tofu.dir, planFile));
      expect(bytes.includes(Buffer.from(sentinel))).toBe(false);
      expect(bytes.includes(Buffer.from(APP))).toBe(false);
      const show = await run("tofu", ["show", "-json", planFile], {
        cwd: tofu.dir,
        env: tofu.env({ TF_ENCRYPTION: enc.second }),
        timeoutMs: 2 * MINUTE,
        quiet: true,
      });
      expect(show.code).toBe(0);
      const json = JSON.parse(show.stdout);
      say(`${TOFU_STACK}: tofu show -json: format_version ${json.format_version}, terraform_version ${json.terraform_version}`);
      const summary = summarizePlans([{ stack: TOFU_STACK, plan: json }]);
      expect(summary.stacks[0].resources.map((x) => [x.address, x.action])).toEqual([["docker_container.app", "create"]]);
      expect(summary.markdown).not.toContain(sentinel);
      const a = await tofu.tf(["apply", "-input=false", "-no-color", planFile], 5 * MINUTE, { TF_ENCRYPTION: enc.second });
      if (a.code !== 0) throw new Error(`tofu apply ${planFile} failed:\n${tail(a.stderr + a.stdout)}`);
      rmSync(join(tofu.dir, planFile), { force: true });
      record("opentofu", "tofu apply s (fault healed)", seconds(a.ms));
      // By name: the harness's state-based check runs the default engine, which cannot read this state.
      await waitHealthy([APP], 2 * MINUTE);
      expect((await stateRow()).hasSentinel).toBe(false);
    },
  );

  step(
    "cdktf deploy with TERRAFORM_BINARY_NAME=tofu and the key re-creates a removed service (only tofu can read this state); the state it wrote says 1.12.6",
    async () => {
      await docker(["rm", "-f", APP]);
      const serialBefore = (await stateRow()).serial;
      const r = await cdktf("deploy");
      record("opentofu", "cdktf deploy s (service re-created)", seconds(r.ms));
      await waitHealthy([APP], 2 * MINUTE);
      const after = await stateRow();
      expect(after.serial).toBeGreaterThan(serialBefore!);
      expect(after.hasSentinel).toBe(false);
      // The decrypted state, parsed here and never logged (it holds the secret).
      const pull = await run("tofu", ["state", "pull"], {
        cwd: tofu.dir,
        env: tofu.env({ TF_ENCRYPTION: enc.second }),
        timeoutMs: 2 * MINUTE,
        quiet: true,
      });
      expect(pull.code).toBe(0);
      const state = JSON.parse(pull.stdout);
      expect({ version: state.terraform_version, serial: state.serial }).toEqual({ version: TOFU_VERSION, serial: after.serial });
      say(
        `${TOFU_STACK}: cdktf deploy under TERRAFORM_BINARY_NAME=tofu: serial ${serialBefore} -> ${after.serial}, terraform_version ${state.terraform_version}`,
      );
    },
  );

  step(
    "cdktf destroy with TERRAFORM_BINARY_NAME=tofu and the key: runs tofu (Terraform could not read this state); nothing is left",
    async () => {
      const r = await cdktf("destroy");
      destroyed = true;
      record("opentofu", "cdktf destroy s", seconds(r.ms));
      expect(await leftovers()).toEqual({ containers: [], volumes: [], networks: [] });
      const state = await stateRow();
      expect(state.hasSentinel).toBe(false);
      expect(state.terraformVersion).toBeUndefined(); // encrypted: no version readable without the key
      await dropSchema();
    },
  );

  // ------------------------------------------------------------------------------------------

  /** `npx cdktf <command>` of this stack (synthesized by harness/tofu-stack.ts as the app) under tofu, with the current key. */
  async function cdktf(command: "deploy" | "destroy") {
    const args = [
      "cdktf",
      command,
      TOFU_STACK,
      "--app",
      "npx ts-node --transpile-only test/e2e/harness/tofu-stack.ts",
      "--output",
      outDir,
      "--skip-provider-lock",
      "--auto-approve",
      "--no-color",
    ];
    const env = tofu.env({ TF_ENCRYPTION: enc.second, TERRAFORM_BINARY_NAME: "tofu", CI: "true", FORCE_COLOR: "0" });
    delete env.CDKTF_OUTDIR;
    const r = await run("npx", args, { cwd: REPO_ROOT, env, timeoutMs: 10 * MINUTE });
    if (r.code !== 0) throw new Error(`cdktf ${command} under tofu failed (exit ${r.code}):\n${tail(r.stdout + r.stderr, 60)}`);
    return r;
  }

  async function tofuOk(args: string[], tfEncryption: string) {
    const r = await tofu.tf(args, 10 * MINUTE, { TF_ENCRYPTION: tfEncryption });
    if (r.code !== 0) throw new Error(`tofu ${args[0]} failed (exit ${r.code}):\n${tail(r.stderr + "\n" + r.stdout, 60)}`);
    return r;
  }

  async function planWith(tfEncryption: string) {
    const r = await tofu.tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", ...tofu.varArgs()], 5 * MINUTE, {
      TF_ENCRYPTION: tfEncryption,
    });
    if (r.code === 1) throw new Error(`tofu plan failed:\n${tail(r.stderr + r.stdout)}`);
    const changes = r.code === 2 ? [r.stdout.match(/Plan: [^\n]*/)?.[0] ?? "changes"] : [];
    return { code: r.code, changes, ms: r.ms };
  }

  /** The stack's row in `<schema>.states`: read as text, searched for the sentinel (never printed). */
  async function stateRow() {
    const data = await psql(config.pgConnStr!, `SELECT coalesce(string_agg(data, ''), '') FROM "${TOFU_SCHEMA}".states`);
    const hasSentinel = data.includes(sentinel) || data.includes(Buffer.from(sentinel).toString("base64"));
    let parsed: { encrypted_data?: unknown; terraform_version?: string; serial?: number } | undefined;
    try {
      parsed = JSON.parse(data);
    } catch {
      parsed = undefined;
    }
    const encrypted = parsed !== undefined && typeof parsed.encrypted_data === "string";
    const hasResourceName = data.includes(APP);
    return {
      md5: createHash("md5").update(data).digest("hex"),
      bytes: data.length,
      encrypted,
      hasSentinel,
      hasResourceName,
      terraformVersion: parsed?.terraform_version,
      serial: parsed?.serial,
      report: `${TOFU_SCHEMA}.states: ${data.length} bytes, ${
        encrypted
          ? `encrypted (keys: ${Object.keys(parsed ?? {})
              .sort()
              .join(", ")})`
          : "plain JSON"
      }; sentinel in clear or base64: ${hasSentinel ? "FOUND" : "not found"}; "${APP}": ${hasResourceName ? "found" : "not found"}`,
    };
  }

  async function dropSchema() {
    if (config.pgConnStr) await psql(config.pgConnStr, `DROP SCHEMA IF EXISTS "${TOFU_SCHEMA}" CASCADE`);
  }
});

/** The engine's error, in one line: its `Error:` summary and the lines about the state's encryption or format. */
function firstError(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.replace(/^[│╷╵\s]+/, "").trim())
    .filter(Boolean);
  const summary = lines.find((l) => l.startsWith("Error:")) ?? "";
  const detail = lines.filter((l) => /crypt|state file|format/i.test(l) && l !== summary);
  return [summary, ...detail].join(" ").slice(0, 400);
}

async function leftovers(): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  const names = (out: string) =>
    out
      .split("\n")
      .filter((n) => n.startsWith(TOFU_PREFIX))
      .sort();
  return {
    containers: names(await dockerOk(["ps", "-a", "--format", "{{.Names}}"])),
    volumes: names(await dockerOk(["volume", "ls", "--format", "{{.Name}}"])),
    networks: names(await dockerOk(["network", "ls", "--format", "{{.Name}}"])),
  };
}
