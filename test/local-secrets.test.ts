/**
 * Local secrets (docs/how-to/local-secrets.md): one Terraform variable file per stack under secrets/,
 * which git ignores, passed with an absolute path. Checked here: the ignore patterns, the example file
 * against the variables the stack declares, the guide's command that lists a stack's required
 * variables, and that every documented command passes the file by an absolute path (cdktf and
 * `terraform -chdir` resolve a relative one from the stack's directory, where it does not exist).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";

const root = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const guide = read("docs/how-to/local-secrets.md");

/** The variable names a .tfvars file assigns (`name = …` at the start of a line; heredoc bodies are indented or end with their tag). */
function assigned(tfvars: string): string[] {
  return [...tfvars.matchAll(/^([a-z][a-z0-9_]*)\s*=/gm)].map((m) => m[1]);
}

describe("the secrets/ pattern", () => {
  const ignored = (file: string) => spawnSync("git", ["check-ignore", "--no-index", "-q", file], { cwd: root }).status === 0;

  test("git ignores secrets/ and every .tfvars file, but not the committed example", () => {
    for (const file of [
      "secrets/zcash-dev.tfvars",
      "secrets/notes.txt",
      "zcash-dev.tfvars",
      "cdktf.out/stacks/zcash-dev/local.tfvars",
      "config/x.tfvars",
    ])
      expect([file, ignored(file)]).toEqual([file, true]);
    expect(ignored("docs/examples/zcash-dev.tfvars.example")).toBe(false);
    const tracked = spawnSync("git", ["ls-files", "*.tfvars", "secrets"], { cwd: root, encoding: "utf8" });
    expect([tracked.status, tracked.stdout]).toEqual([0, ""]);
  });
});

describe("the documented commands with the synthesized variables", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "local-secrets-"));
  let variables: Record<string, { default?: unknown; sensitive?: boolean }> = {};
  beforeAll(() => {
    expect(synthesize(ENVIRONMENTS, { outdir, stdout: () => undefined, stderr: () => undefined, stacks: ["zcash-dev"] })).toBe(0);
    variables = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "zcash-dev", "cdk.tf.json"), "utf8")).variable;
  });
  const required = () =>
    Object.entries(variables)
      .filter(([, v]) => !("default" in v))
      .map(([name]) => name)
      .sort();

  test("the guide's command lists the stack's required variables", () => {
    const line = guide.split("\n").find((l) => l.trim().startsWith("node -e "));
    expect(line).toBeDefined();
    const command = line!.trim().replace("./cdktf.out", path.join(outdir));
    const run = spawnSync("sh", ["-c", command], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n").sort()).toEqual(required());
    expect(required()).toEqual(["regtest_rpc_password", "zallet_identity", "zallet_rpc_pwhash"]);
    for (const name of required()) expect(guide).toContain(`\`${name}\``);
  });

  test("the example file sets exactly the required variables, each a sensitive variable the stack declares", () => {
    const example = read("docs/examples/zcash-dev.tfvars.example");
    const names = assigned(example);
    expect([...names].sort()).toEqual(required());
    for (const name of names) expect([name, variables[name]?.sensitive]).toEqual([name, true]);
    // Heredocs close; no value is left unquoted.
    expect(example.match(/<<-EOT/g)?.length).toBe(example.match(/^EOT$/gm)?.length);
  });

  test("every documented command passes the file by an absolute path, secrets/<stack>.tfvars of a real stack", () => {
    const docs = ["README.md", "docs/deploying.md", "docs/how-to/local-secrets.md"].map(read).join("\n");
    const uses = [...docs.matchAll(/-?-var-file=(\S+)/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThanOrEqual(4);
    for (const use of uses) expect(use).toMatch(/^"\$PWD\/secrets\/[a-z-]+\.tfvars"$/);
    for (const use of uses) {
      const stack = /secrets\/([a-z-]+)\.tfvars/.exec(use)![1];
      expect([stack, ENVIRONMENTS[stack.replace(/^.*-/, "") as keyof typeof ENVIRONMENTS] !== undefined]).toEqual([stack, true]);
    }
  });
});
