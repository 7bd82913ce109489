import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { cacheDir, missingProvider, providerSource } from "./harness/env";
import { Terraform } from "./harness/terraform";
import type { TfJson } from "../tf-json";

/**
 * A secret that is too short fails `terraform plan` without Terraform printing it, on the stacks as
 * `npm run synth` writes them, with the real Terraform and kreuzwerker/docker 4.6: from the filesystem
 * mirror of `scripts/bootstrap-engine.sh` when it is there, else as `terraform init` finds it (the
 * registry). Terraform prints a variable's value when that variable's own validation fails, even a
 * sensitive one (`var.backup_password is "…"`); the length checks are preconditions of
 * `terraform_data.<name>_length` instead, whose failure shows no sensitive value (`lib/secret.ts`).
 *
 * Each stack's `cdk.tf.json` is planned unchanged; an `override.tf.json` beside it puts the state in a
 * local file instead of the PostgreSQL backend of production. The Docker host is a socket that does
 * not exist: the plan never reaches a daemon, and the errors asserted are the checks' own.
 */

/** Stands for a real secret: distinct per variable, one character short of `length`, found by grep. */
const sentinel = (name: string, length: number): string => `Zq7${name.replace(/_/g, "")}X9w${"k3Vn".repeat(20)}`.slice(0, length);
const SOCKET = "unix:///nonexistent/z3-infra-test/docker.sock";
const REGISTRY = "registry.example.org:5000";

/** Valid values of the non-secret inputs a production stack requires, those the stack declares. */
function nonSecretInputs(stack: string): Record<string, string> {
  const declared = Object.keys(stackJson(stack).variable);
  const inputs: Record<string, string> = {
    docker_host: SOCKET,
    backup_repository: `sftp:backup@backup.example.org:/srv/backups/${stack}`,
    backup_known_hosts: "backup.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq6c2Jdm0wLkSqF5Q0uJm9pU0v5rP3Z2n0r7u9m0aBc",
    server_name: "zfs-sync.example.org",
  };
  return Object.fromEntries(Object.entries(inputs).filter(([name]) => declared.includes(name)));
}

interface LengthCheck {
  readonly name: string;
  readonly minLength: number;
  readonly optional: boolean;
}

/** A JSON diagnostic of `terraform plan -json`. */
interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail: string;
  /** Where in the configuration, e.g. `resource.terraform_data.x.lifecycle.precondition[0]`, and the values shown. */
  readonly snippet?: { readonly context?: string; readonly values: readonly { traversal: string; statement: string }[] };
}
const where = (d: Diagnostic) => d.snippet?.context ?? "";
const precondition = (name: string) => `resource.terraform_data.${name}_length.lifecycle.precondition[0]`;

const tempDirs: string[] = [];
let outDir = "";
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-length-plan-"));
  tempDirs.push(outDir);
  let log = "";
  const code = synthesize(ENVIRONMENTS, { outdir: outDir, stdout: (t) => (log += t), stderr: (t) => (log += t) });
  expect({ code, log: code === 0 ? "" : log }).toEqual({ code: 0, log: "" });
}, 120_000);

const stackJson = (stack: string): TfJson => JSON.parse(fs.readFileSync(path.join(outDir, "stacks", stack, "cdk.tf.json"), "utf8"));

/** The length checks of a synthesized stack, read from its `terraform_data.<name>_length` preconditions. */
function lengthChecks(stack: string): LengthCheck[] {
  return Object.entries(stackJson(stack).resource.terraform_data ?? {}).flatMap(([address, r]) => {
    const m = /^\$\{(var\.(\w+) == "" \|\| )?length\(var\.(\w+)\) >= (\d+)\}$/.exec(r.lifecycle?.precondition?.[0]?.condition ?? "");
    return m && address === `${m[3]}_length` ? [{ name: m[3], minLength: Number(m[4]), optional: m[1] !== undefined }] : [];
  });
}

const mirror = (): string | undefined =>
  providerSource() === "mirror" && missingProvider() === undefined ? path.join(cacheDir(), "terraformrc") : undefined;

/** The stack's Terraform in its synthesized directory, initialized against a local state file. */
async function initialized(stack: string, secrets: Record<string, string>, vars: Record<string, string>): Promise<Terraform> {
  const dir = path.join(outDir, "stacks", stack);
  fs.writeFileSync(
    path.join(dir, "override.tf.json"),
    JSON.stringify({ terraform: { backend: { local: { path: path.join(dir, "test.tfstate") } } } }, null, 2),
  );
  const tf = new Terraform(stack, { outDir, cliConfigFile: mirror() }, { vars, secrets, pgBackend: false });
  try {
    await tf.init();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${missingProvider() ?? ""}`);
  }
  return tf;
}

/** `terraform plan` in human and in JSON form: exit codes, everything printed, and the JSON diagnostics. */
async function plan(tf: Terraform) {
  const env = { DOCKER_HOST: SOCKET };
  const args = ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", ...tf.varArgs()];
  const human = await tf.tf(args, 5 * 60_000, env);
  const json = await tf.tf([...args, "-json"], 5 * 60_000, env);
  const diagnostics = json.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((m) => m.type === "diagnostic")
    .map((m) => m.diagnostic as Diagnostic);
  return { codes: [human.code, json.code], output: [human.stdout, human.stderr, json.stdout, json.stderr].join("\n"), diagnostics };
}

/** Where a value shows in a text: as given or base64-encoded (as a swarm object's data is). */
const leaks = (text: string, values: readonly string[]): string[] =>
  values.filter((v) => text.includes(v) || text.includes(Buffer.from(v).toString("base64")));
const flat = (text: string) => text.replace(/\s+/g, " ");

describe.each(["zcash-production", "jessy-production", "zfs-sync-production"])(
  "%s: a too-short secret fails the plan and is never printed",
  (stack) => {
    let checks: LengthCheck[] = [];
    let result: Awaited<ReturnType<typeof plan>>;
    let shortValues: Record<string, string> = {};
    const registryPassword = sentinel(`registry_password_${stack}`, 24);

    beforeAll(async () => {
      checks = lengthChecks(stack);
      shortValues = Object.fromEntries(checks.map((c) => [c.name, sentinel(c.name, c.minLength - 1)]));
      // A registry password without its user: the registry_address validation, which reads it, fails.
      const tf = await initialized(
        stack,
        { ...shortValues, registry_password: registryPassword },
        { ...nonSecretInputs(stack), registry_address: REGISTRY },
      );
      result = await plan(tf);
    }, 300_000);

    test("every secret of the stack is length-checked: the backup credentials and the system's own", () => {
      const names = checks.map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(["backup_password", "backup_ssh_key"]));
      const own = {
        "zcash-production": ["zallet_identity", "grafana_admin_password", "alert_oncall_webhook_url"],
        "jessy-production": ["api_key", "jwt_secret"],
        "zfs-sync-production": ["postgres_password", "tls_certificate", "tls_private_key"],
      }[stack]!;
      expect(names).toEqual(expect.arrayContaining(own));
      expect(checks.every((c) => !c.optional)).toBe(true);
      for (const [name, value] of Object.entries(shortValues))
        expect([name, value.length]).toEqual([name, checks.find((c) => c.name === name)!.minLength - 1]);
    });

    test("the plan fails, naming each too-short secret and its minimum length, and the registry rule", () => {
      expect(result.codes).toEqual([1, 1]);
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      // Nothing else failed: one failed precondition per secret, and the registry credentials rule.
      expect(errors.map((d) => `${d.summary}: ${where(d)}`).sort()).toEqual(
        [...checks.map((c) => `Resource precondition failed: ${precondition(c.name)}`), "Invalid value for variable: variable"].sort(),
      );
      for (const c of checks) {
        const message = `${c.name} (TF_VAR_${c.name}) must be at least ${c.minLength} characters long; its value is not shown.`;
        const failed = errors.find((d) => where(d) === precondition(c.name));
        // Terraform shows no value the condition reads: it reads only the sensitive variable.
        expect({ detail: failed?.detail, values: failed?.snippet?.values }).toEqual({ detail: message, values: [] });
        expect(flat(result.output)).toContain(message);
      }
      const registry = errors.find((d) => d.summary === "Invalid value for variable");
      expect(registry?.detail).toMatch(/registry_username and registry_password .* are required when registry_address is set/);
      // Only the validated, non-sensitive variable's value is shown; the credentials it reads are not.
      expect(registry?.snippet?.values).toEqual([{ traversal: "var.registry_address", statement: `is "${REGISTRY}"` }]);
    });

    test("no secret value appears anywhere in the output, plain or base64-encoded", () => {
      expect(Object.keys(shortValues).length).toBeGreaterThanOrEqual(4);
      expect(leaks(result.output, [...Object.values(shortValues), registryPassword])).toEqual([]);
      // The output is the plan's: it names the variables (so the scan would see a value printed next to them).
      expect(result.output).toContain("var.backup_password");
    });

    test("the same secrets at their minimum length pass: the plan succeeds", async () => {
      const valid = Object.fromEntries(checks.map((c) => [c.name, sentinel(c.name, c.minLength)]));
      const tf = await initialized(stack, valid, nonSecretInputs(stack));
      const ok = await plan(tf);
      expect({ codes: ok.codes, errors: ok.diagnostics.filter((d) => d.severity === "error") }).toEqual({ codes: [0, 0], errors: [] });
      expect(leaks(ok.output, Object.values(valid))).toEqual([]);
    }, 300_000);
  },
);

describe("a plan targeted at one service checks the secrets it receives (its files depend on their length checks)", () => {
  test("zcash-production, -target Zallet's files loader: zallet_identity too short fails; backup_password, not received, is not checked", async () => {
    const stack = "zcash-production";
    const values = Object.fromEntries(lengthChecks(stack).map((c) => [c.name, sentinel(c.name, c.minLength)]));
    const identity = sentinel("zallet_identity_target", values.zallet_identity.length - 1);
    const backupPassword = sentinel("backup_password_target", 15);
    const tf = await initialized(stack, { ...values, zallet_identity: identity, backup_password: backupPassword }, nonSecretInputs(stack));
    const result = await tf.tf(
      [
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-refresh=false",
        "-json",
        "-target=docker_container.z3_zallet_files",
        ...tf.varArgs(),
      ],
      5 * 60_000,
      { DOCKER_HOST: SOCKET },
    );
    const errors = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line))
      .filter((m) => m.type === "diagnostic" && m.diagnostic.severity === "error")
      .map((m) => where(m.diagnostic));
    expect({ code: result.code, errors }).toEqual({ code: 1, errors: [precondition("zallet_identity")] });
    expect(leaks(result.stdout + result.stderr, [identity, backupPassword])).toEqual([]);
  }, 300_000);
});

describe("why not a validation: Terraform 1.11 prints a sensitive variable's value when its own validation fails", () => {
  test("zcash-production with the length check as backup_password's validation (as earlier releases had it) prints the value; the scan finds it", async () => {
    const stack = "zcash-production-with-validation";
    const json = stackJson("zcash-production");
    json.variable.backup_password.validation = [
      { condition: "${length(var.backup_password) >= 16}", error_message: "backup_password must be at least 16 characters long." },
    ];
    fs.mkdirSync(path.join(outDir, "stacks", stack));
    fs.writeFileSync(path.join(outDir, "stacks", stack, "cdk.tf.json"), JSON.stringify(json, null, 2));
    const secrets = Object.fromEntries(lengthChecks("zcash-production").map((c) => [c.name, sentinel(c.name, c.minLength)]));
    const value = sentinel("backup_password_validation", 15);
    const result = await plan(await initialized(stack, { ...secrets, backup_password: value }, nonSecretInputs("zcash-production")));
    expect(result.codes).toEqual([1, 1]);
    const failed = result.diagnostics.filter((d) => d.severity === "error");
    expect(failed.map((d) => [d.summary, d.snippet?.values])).toContainEqual([
      "Invalid value for variable",
      [{ traversal: "var.backup_password", statement: `is "${value}"` }],
    ]);
    expect(leaks(result.output, [value])).toEqual([value]);
  }, 300_000);
});

describe("an optional secret (backups off in dev) may be empty; a set one is length-checked, and not printed", () => {
  const stack = "zfs-sync-dev";
  test("backup_password: empty passes, too short fails without its value", async () => {
    const check = lengthChecks(stack).find((c) => c.name === "backup_password")!;
    expect(check).toEqual({ name: "backup_password", minLength: 16, optional: true });
    const empty = await plan(await initialized(stack, {}, { docker_host: SOCKET }));
    expect({ codes: empty.codes, errors: empty.diagnostics.filter((d) => d.severity === "error") }).toEqual({ codes: [0, 0], errors: [] });

    const value = sentinel("backup_password_dev", 15);
    const short = await plan(await initialized(stack, { backup_password: value }, { docker_host: SOCKET }));
    expect(short.codes).toEqual([1, 1]);
    expect(short.diagnostics.filter((d) => d.severity === "error").map((d) => [where(d), d.detail])).toEqual([
      [
        precondition("backup_password"),
        "backup_password (TF_VAR_backup_password) must be empty or at least 16 characters long; its value is not shown.",
      ],
    ]);
    expect(leaks(short.output, [value])).toEqual([]);
  }, 300_000);
});
