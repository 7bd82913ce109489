/**
 * The CI engine preparation (scripts/ci-engine.sh, run by .github/actions/engine) and OpenTofu's
 * state key for CI (scripts/ci-state-encryption.sh), run as the workflows run them, on temporary
 * directories standing in for $RUNNER_TEMP. That `init -lockfile=readonly` then passes on both
 * engines, and refuses a changed provider, is shown on the real engines in e2e 11-opentofu.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const LOCK = fs.readFileSync(path.join(ROOT, ".terraform.lock.hcl"), "utf8");
const PROVIDER = "kreuzwerker/docker/4.6.0/linux_amd64/terraform-provider-docker_v4.6.0";

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ci-engine-"));
  fs.mkdirSync(path.join(tmp, "providers", "registry.terraform.io", path.dirname(PROVIDER)), { recursive: true });
  fs.writeFileSync(path.join(tmp, "providers", "registry.terraform.io", PROVIDER), "provider build", { mode: 0o644 });
  fs.mkdirSync(path.join(tmp, "tofu"));
  fs.writeFileSync(path.join(tmp, "tofu", "tofu"), "#!/bin/sh\n", { mode: 0o644 });
  fs.mkdirSync(path.join(tmp, "stack"));
  fs.writeFileSync(path.join(tmp, "stack", "cdk.tf.json"), "{}");
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function engine(name: string, tofuDir = path.join(tmp, "tofu")) {
  const env = { ...process.env, RUNNER_TEMP: tmp, GITHUB_ENV: path.join(tmp, "env"), GITHUB_PATH: path.join(tmp, "path") };
  const args = [path.join(ROOT, "scripts", "ci-engine.sh"), name, path.join(tmp, "providers"), tofuDir, path.join(tmp, "stack")];
  return spawnSync("bash", args, { env, encoding: "utf8" });
}
const read = (f: string) => fs.readFileSync(path.join(tmp, f), "utf8");

describe("scripts/ci-engine.sh", () => {
  test("terraform: the committed lock as it is, the mirror for registry.terraform.io only, ENGINE and the CLI configuration for later steps", () => {
    const r = engine("terraform");
    expect(r.status).toBe(0);
    expect(read("stack/.terraform.lock.hcl")).toBe(LOCK);
    expect(read("terraformrc")).toContain(`path    = "${tmp}/providers"\n    include = ["registry.terraform.io/kreuzwerker/docker"]`);
    expect(read("terraformrc")).toContain('exclude = ["registry.terraform.io/kreuzwerker/docker"]');
    expect(read("env")).toBe(`ENGINE=terraform\nTF_CLI_CONFIG_FILE=${tmp}/terraformrc\n`);
    expect(fs.existsSync(path.join(tmp, "path"))).toBe(false);
    expect(fs.statSync(path.join(tmp, "providers", "registry.terraform.io", PROVIDER)).mode & 0o111).toBe(0o111);
  });

  test("tofu: the same checksums under registry.opentofu.org, the same build in the mirror under that host, tofu on PATH", () => {
    const r = engine("tofu");
    expect(r.status).toBe(0);
    const lock = read("stack/.terraform.lock.hcl");
    expect(lock).toBe(LOCK.replace('"registry.terraform.io/kreuzwerker/docker"', '"registry.opentofu.org/kreuzwerker/docker"'));
    expect(lock).not.toBe(LOCK);
    expect(lock.match(/"h1:[^"]+"/g)).toEqual(LOCK.match(/"h1:[^"]+"/g));
    expect(read(`providers/registry.opentofu.org/${PROVIDER}`)).toBe("provider build");
    expect(read("terraformrc")).toContain('include = ["registry.opentofu.org/kreuzwerker/docker"]');
    expect(read("env")).toBe(`ENGINE=tofu\nTF_CLI_CONFIG_FILE=${tmp}/terraformrc\n`);
    expect(read("path")).toBe(`${tmp}/tofu\n`);
    expect(fs.statSync(path.join(tmp, "tofu", "tofu")).mode & 0o111).toBe(0o111);
  });

  test("an engine that is neither is a usage error naming the setting; a missing tofu build fails before anything is written", () => {
    const bad = engine("opentofu");
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain("::error::engine must be terraform or tofu, got 'opentofu' (the TERRAFORM_BINARY_NAME variable)");
    const missing = engine("tofu", path.join(tmp, "nowhere"));
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`::error::no tofu in '${tmp}/nowhere'`);
    expect(fs.existsSync(path.join(tmp, "env"))).toBe(false);
    expect(fs.existsSync(path.join(tmp, "stack", ".terraform.lock.hcl"))).toBe(false);
  });
});

describe("scripts/ci-state-encryption.sh", () => {
  const run = (env: Record<string, string>) =>
    spawnSync("bash", [path.join(ROOT, "scripts", "ci-state-encryption.sh"), path.join(tmp, "secrets", "engine.env")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      encoding: "utf8",
    });
  /** TF_ENCRYPTION as the engine steps get it: the file sourced by bash. */
  const sourced = () => spawnSync("bash", ["-c", `. "${tmp}/secrets/engine.env"; printf %s "$TF_ENCRYPTION"`], { encoding: "utf8" }).stdout;

  test("no passphrase: fails, naming the secret, and writes nothing", () => {
    const r = run({});
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("::error::TOFU_STATE_PASSPHRASE is not set in this environment");
    expect(fs.existsSync(path.join(tmp, "secrets", "engine.env"))).toBe(false);
  });

  test("the enforced configuration, in a file only its owner reads; with a previous passphrase, that key is the fallback", () => {
    const passphrase = "correct horse battery staple";
    expect(run({ TOFU_STATE_PASSPHRASE: passphrase }).status).toBe(0);
    expect(fs.statSync(path.join(tmp, "secrets", "engine.env")).mode & 0o777).toBe(0o600);
    const config = JSON.parse(sourced());
    expect(config.state).toEqual({ method: "method.aes_gcm.current", enforced: true });
    expect(config.plan).toEqual(config.state);
    expect(config.key_provider.pbkdf2.current.passphrase).toBe(passphrase);

    const r = run({ TOFU_STATE_PASSPHRASE: passphrase, TOFU_STATE_PASSPHRASE_PREVIOUS: "the key of last quarter" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("key rotation: the previous passphrase is the fallback");
    expect(r.stdout + r.stderr).not.toContain(passphrase);
    const rotated = JSON.parse(sourced());
    expect(rotated.state).toEqual({ method: "method.aes_gcm.current", enforced: true, fallback: { method: "method.aes_gcm.previous" } });
    expect(rotated.key_provider.pbkdf2.previous.passphrase).toBe("the key of last quarter");
  }, 60_000);
});
