import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";
import { renderEnvironmentTable, withEnvironmentTable } from "../tools/environment-table";
import { renderStackPage } from "../tools/stack-page";

/** The docs must match the code: every stack and every Terraform variable it takes is documented. */
describe("documentation covers every stack and variable", () => {
  const root = path.resolve(__dirname, "..");
  const docs = [path.join(root, "README.md"), ...fs.readdirSync(path.join(root, "docs")).map((f) => path.join(root, "docs", f))]
    .filter((f) => f.endsWith(".md"))
    .map((f) => fs.readFileSync(f, "utf8"))
    .join("\n");
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-docs-"));
  let stacks: string[] = [];
  beforeAll(() => {
    expect(synthesize(ENVIRONMENTS, { outdir: out, stdout: () => undefined, stderr: () => undefined })).toBe(0);
    stacks = fs.readdirSync(path.join(out, "stacks")).sort();
  });

  test("the README names every stack", () => {
    expect(stacks.length).toBe(9);
    for (const stack of stacks) expect([stack, readme.includes(`\`${stack}\``)]).toEqual([stack, true]);
  });

  test("every variable of every stack is documented", () => {
    for (const stack of stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "utf8"));
      for (const name of Object.keys(json.variable ?? {})) {
        expect([stack, name, docs.includes(`\`${name}\``)]).toEqual([stack, name, true]);
      }
    }
  });

  test("the README's two set-up commands are the package scripts CI runs", () => {
    expect(readme).toContain("npm ci && npm run synth");
    expect(readme).toContain("npm ci && npm test");
    const ci = fs.readFileSync(path.join(root, ".ci", "run"), "utf8");
    expect(ci).toMatch(/^npm test\b/m);
  });

  test("the README's environment table is the one rendered from the shipped settings (npm run docs)", () => {
    expect(readme).toBe(withEnvironmentTable(readme, renderEnvironmentTable(ENVIRONMENTS)));
  });

  test("the environment table reads the settings: a changed rotation changes its row", () => {
    const changed = { ...ENVIRONMENTS, staging: { ...ENVIRONMENTS.staging, jessy: { ...ENVIRONMENTS.staging.jessy, logging: { maxSizeMiB: 20, maxFiles: 2, compress: true } } } };
    expect(renderEnvironmentTable(changed)).toContain("| Jessy logs (json-file) | 10m × 3 | 20m × 2, compressed | 10m × 3 |");
  });

  test("every documented variable default is the one the stacks declare", () => {
    // Each system's variables table: README for Z3, docs/<system>.md for the others.
    const tables: [string, string][] = [
      ["zcash-", readme],
      ["jessy-", fs.readFileSync(path.join(root, "docs", "jessy.md"), "utf8")],
      ["zfs-sync-", fs.readFileSync(path.join(root, "docs", "zfs-sync.md"), "utf8")],
    ];
    let checked = 0;
    for (const [prefix, text] of tables) {
      for (const [, name, documented] of text.matchAll(/^\| `([a-z0-9_]+)` \|[^\n]*?\(default `([^`]*)`\)/gm)) {
        for (const stack of stacks.filter((s) => s.startsWith(prefix))) {
          const variable = JSON.parse(fs.readFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "utf8")).variable?.[name];
          if (variable?.default === undefined) continue;
          expect([stack, name, String(variable.default)]).toEqual([stack, name, documented]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  test("docs/stacks/ holds a current page for every stack (npm run docs)", () => {
    const pages = fs.readdirSync(path.join(root, "docs", "stacks")).filter((f) => f.endsWith(".md")).sort();
    expect(pages).toEqual(stacks.map((s) => `${s}.md`));
    for (const stack of stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "utf8"));
      const page = fs.readFileSync(path.join(root, "docs", "stacks", `${stack}.md`), "utf8");
      expect([stack, page === renderStackPage(stack, json)]).toEqual([stack, true]);
    }
  });

  test("a stack page shows what the stack holds: a secret's reader, a public port, an internal network, protected data", () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", "zfs-sync-production", "cdk.tf.json"), "utf8"));
    const page = renderStackPage("zfs-sync-production", json);
    expect(page).toContain('sec_tls_private_key -.->|"/run/secrets/tls_private_key"| svc_zfs_sync_production_proxy');
    expect(page).toContain('port_0_0_0_0_443_tcp(["0.0.0.0:443/tcp"]) -->|"8443"| svc_zfs_sync_production_proxy');
    expect(page).toContain('{{"zfs-sync-production-network (internal)"}}');
    expect(page).toContain("zfs-sync-production-postgres-data (data, prevent_destroy)");
    expect(page).not.toMatch(/sec_[a-z_]+ -.->\|"[^"]*"\| svc_[a-z_]*_files\b/);
  });
});
