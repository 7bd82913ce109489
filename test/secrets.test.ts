import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SYSTEMS, synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";
import type { TfJson } from "./tf-json";

/** Secrets every shipped stack set must declare as sensitive variables (a regression dropping sensitivity is caught). */
const KNOWN_SECRETS = ["postgres_password", "tls_private_key", "zallet_identity", "api_key"];

/** Credentials a stack may go without: their only default is the empty string (no registry login). */
const OPTIONAL_CREDENTIALS = ["registry_username", "registry_password"];

/**
 * The backup destination's credentials: optional (default "", no backups) where the environment's
 * backups are optional, required (no default) where they are required (production).
 */
const BACKUP_CREDENTIALS = ["backup_password", "backup_ssh_key"];
const backupsRequired = (file: string): boolean =>
  ENVIRONMENTS[path.basename(path.dirname(file)).split("-").pop() as keyof typeof ENVIRONMENTS].backup?.required === true;

/**
 * Literal credentials in the JSON text of a synthesized stack: an environment entry `…PASSWORD=x` (or
 * SECRET, TOKEN) and a `password = "x"` line of a file, unless the value is a Terraform expression
 * (`${…}`) or read at run time from a secret file (the backup runner's `PGPASSWORD="$(cat "$6")"`).
 */
const LITERAL_CREDENTIALS = [/(PASSWORD|SECRET|TOKEN)=(?!\$\{|\\"\$\(cat \\")[^"]+/, /password\s*=\s*\\"(?!\$\{|\$\(cat \\")/i];
const literalCredentials = (jsonText: string): string[] => LITERAL_CREDENTIALS.flatMap((re) => jsonText.match(re)?.[0] ?? []);

/** The value a deployer's `TF_VAR_<name>` carries in the sentinel synth: distinct per variable, never a real secret. */
const sentinelFor = (name: string): string => `S3NTINEL-${name}-7d2f9a41c08e53b6`;

/** Every regular file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}

/** Each (file relative to `dir`, sentinel) pair where some file under `dir` contains a sentinel. */
function leakedSentinels(dir: string, sentinels: readonly string[]): { file: string; sentinel: string }[] {
  const leaks: { file: string; sentinel: string }[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = fs.readFileSync(path.join(dir, file));
    for (const sentinel of sentinels) if (bytes.includes(sentinel)) leaks.push({ file, sentinel });
  }
  return leaks;
}

/** Synthesizes every stack of every environment into `outdir` and returns its console output; fails with the synth's own message. */
function synthAll(outdir: string): string {
  let log = "";
  const code = synthesize(ENVIRONMENTS, { outdir, stdout: (text) => (log += text), stderr: (text) => (log += text) });
  expect({ code, log: code === 0 ? "" : log }).toEqual({ code: 0, log: "" });
  return log;
}

/** The names of the `sensitive: true` variables of every synthesized stack, by stack name. */
function sensitiveVariables(outdir: string): Record<string, string[]> {
  const stacks = path.join(outdir, "stacks");
  return Object.fromEntries(
    fs
      .readdirSync(stacks)
      .sort()
      .map((stack) => {
        const json: TfJson = JSON.parse(fs.readFileSync(path.join(stacks, stack, "cdk.tf.json"), "utf8"));
        const names = Object.entries(json.variable ?? {})
          .filter(([, v]) => v.sensitive === true)
          .map(([name]) => name)
          .sort();
        return [stack, names];
      }),
  );
}

/**
 * Synthesizes every stack once to learn its sensitive variables, then again with a distinct sentinel
 * in `TF_VAR_<name>` for each (as a deployer's environment would hold them), and checks that no
 * sentinel, and no literal password, reaches any file of the synthesized output.
 */
describe("no secret reaches the synthesized output", () => {
  const tempDirs: string[] = [];
  const envBefore = { ...process.env };
  let sensitive: Record<string, string[]> = {};
  let sentinels: string[] = [];
  let out = "";
  let log = "";
  let jsonFiles: string[] = [];

  const tempDir = (prefix: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    const first = tempDir("synth-secrets-vars-");
    synthAll(first);
    sensitive = sensitiveVariables(first);
    const names = [...new Set(Object.values(sensitive).flat())].sort();
    sentinels = names.map(sentinelFor);

    const previous = new Map<string, string | undefined>();
    try {
      for (const name of names) {
        const key = `TF_VAR_${name}`;
        previous.set(key, process.env[key]);
        process.env[key] = sentinelFor(name);
      }
      out = tempDir("synth-secrets-");
      log = synthAll(out);
    } finally {
      for (const [key, value] of previous) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    jsonFiles = filesUnder(out).filter((f) => path.basename(f) === "cdk.tf.json");
  }, 60_000);
  afterAll(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("every system is written for every environment, with its JSON and policy report", () => {
    const stacks = fs.readdirSync(path.join(out, "stacks"));
    expect(stacks.length).toBe(Object.keys(ENVIRONMENTS).length * SYSTEMS.length);
    const files = filesUnder(out);
    for (const stack of stacks) {
      expect(files).toEqual(
        expect.arrayContaining([path.join("stacks", stack, "cdk.tf.json"), path.join("stacks", stack, "policy-report.json")]),
      );
    }
  });

  test("sensitive variables are read from the synthesized JSON and include the known secrets", () => {
    const names = Object.values(sensitive).flat();
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(expect.arrayContaining(KNOWN_SECRETS));
    expect(new Set(sentinels).size).toBe(new Set(names).size);
  });

  test("no TF_VAR_ sentinel of a sensitive variable appears in any synthesized file or the synth's output", () => {
    expect(sentinels.length).toBeGreaterThan(0);
    expect(leakedSentinels(out, sentinels)).toEqual([]);
    expect(sentinels.filter((s) => log.includes(s))).toEqual([]);
  });

  test("the leak scan reports the file and sentinel of a leak anywhere under the output dir", () => {
    const fixture = tempDir("synth-secrets-leak-");
    const [kept, leaked] = [sentinelFor("api_key"), sentinelFor("postgres_password")];
    const report = path.join("stacks", "zfs-sync-production", "policy-report.json");
    fs.mkdirSync(path.join(fixture, "stacks", "zfs-sync-production"), { recursive: true });
    fs.writeFileSync(path.join(fixture, "manifest.json"), '{"stacks":{}}\n');
    fs.writeFileSync(path.join(fixture, "stacks", "zfs-sync-production", "cdk.tf.json"), '{"variable":{"api_key":{"sensitive":true}}}\n');
    fs.writeFileSync(path.join(fixture, report), `{"findings":[{"details":"env POSTGRES_PASSWORD=${leaked}"}]}\n`);
    expect(leakedSentinels(fixture, [kept, leaked])).toEqual([{ file: report, sentinel: leaked }]);
  });

  test("no 'changeme', no default credential", () => {
    expect(jsonFiles.length).toBeGreaterThan(0);
    for (const file of jsonFiles) {
      const text = fs.readFileSync(path.join(out, file), "utf8");
      expect([file, /changeme/i.test(text)]).toEqual([file, false]);
      expect([file, literalCredentials(text)]).toEqual([file, []]);
    }
  });

  test("the literal-credential scan finds a literal in an environment entry or a file, and passes expressions and secret files", () => {
    // As the values stand in the JSON text: strings inside strings, their quotes escaped.
    const jsonOf = (value: unknown) => JSON.stringify({ resource: { docker_container: { app: value } } });
    expect(literalCredentials(jsonOf({ env: ["POSTGRES_PASSWORD=hunter2"] }))).toEqual(["PASSWORD=hunter2"]);
    expect(literalCredentials(jsonOf({ env: ["API_TOKEN=abc"] }))).toEqual(["TOKEN=abc"]);
    expect(literalCredentials(jsonOf({ upload: [{ content: 'password = "hunter2"\n' }] }))).toEqual(['password = \\"']);
    expect(
      literalCredentials(jsonOf({ env: ["POSTGRES_PASSWORD=${var.postgres_password}", "POSTGRES_PASSWORD_FILE=/run/secrets/pg"] })),
    ).toEqual([]);
    expect(literalCredentials(jsonOf({ upload: [{ content: 'password = "${var.db_password}"\nPGPASSWORD="$(cat "$6")"\n' }] }))).toEqual(
      [],
    );
  });

  test("every sensitive-looking variable is sensitive and has no default (optional registry and backup credentials: only the empty one)", () => {
    let backupCredentials = 0;
    for (const file of jsonFiles) {
      const json: TfJson = JSON.parse(fs.readFileSync(path.join(out, file), "utf8"));
      for (const [name, v] of Object.entries(json.variable ?? {})) {
        if (/password|secret|token|identity|pwhash|key/i.test(name) && !/_image$/.test(name)) {
          const optional = OPTIONAL_CREDENTIALS.includes(name) || (BACKUP_CREDENTIALS.includes(name) && !backupsRequired(file));
          if (BACKUP_CREDENTIALS.includes(name)) backupCredentials++;
          const noDefault = optional ? v.default === "" : v.default === undefined;
          expect([file, name, v.sensitive === true, noDefault]).toEqual([file, name, true, true]);
        }
      }
    }
    // Every stack of the shipped environments is backed up: both credentials in each.
    expect(backupCredentials).toBe(jsonFiles.length * BACKUP_CREDENTIALS.length);
  });

  test("process.env is restored after the sentinel synth", () => {
    expect({ ...process.env }).toEqual(envBefore);
  });
});
