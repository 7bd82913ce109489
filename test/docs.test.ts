import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";
import { renderEnvironmentTable, withEnvironmentTable } from "../tools/environment-table";
import { renderStackDot } from "../tools/stack-dot";
import { renderStackPage } from "../tools/stack-page";
import { renderZebraReleaseTable, withZebraReleaseTable } from "../tools/zebra-release-table";
import { ZEBRA_RELEASES } from "../config/z3/zebra-releases";

/** Every file under `dir`, recursively. */
function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

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

  test("the README's two set-up commands are the package scripts CI runs, and install once", () => {
    expect(readme).toContain("npm run setup && npm run synth");
    expect(readme).toContain("npm run setup && npm test");
    const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
    expect(scripts.setup).toBe("node scripts/setup.js");
    // npm ci deletes node_modules and installs again: the set-up commands do not call it themselves.
    expect(readme).not.toMatch(/npm ci && npm (run synth|test)/);
    const ci = fs.readFileSync(path.join(root, ".ci", "run"), "utf8");
    expect(ci).toMatch(/^npm test\b/m);
  });

  test("the README starts with a contents list and the quickstart; reference follows the guides", () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.slice(0, 3)).toEqual(["Contents", "Quickstart", "Images to build or override"]);
    expect(headings.indexOf("How-to guides")).toBeLessThan(headings.indexOf("Reference"));
    for (const h of headings.slice(1))
      expect([
        h,
        readme.includes(
          `(#${h
            .toLowerCase()
            .replace(/[^a-z0-9 -]/g, "")
            .replace(/ /g, "-")})`,
        ),
      ]).toEqual([h, true]);
    // The images users must build or override, each a checklist item.
    for (const image of [
      "z3-rpc-router:local",
      "zfs-sync:0.2.0",
      "zfs-sync:8569323",
      "jessy-core:1.0.0",
      "jessy-api:1.0.0",
      "z3-infra/backup:1",
    ])
      expect([image, new RegExp(`^- \\[ \\] .*\`${image.replace(/[.]/g, "\\.")}\``, "m").test(readme)]).toEqual([image, true]);
    // No wall of text: every prose paragraph stays short.
    const paragraphs = readme.split(/\n\n+/).filter((p) => !/^(\||```|<!--|- |\d+\. |#)/.test(p.trim()));
    for (const p of paragraphs) expect([p.slice(0, 60), p.split(/\s+/).length <= 150]).toEqual([p.slice(0, 60), true]);
  });

  test("every link from the README and docs/ to a file of the repository points at a file that exists", () => {
    const files = [
      path.join(root, "README.md"),
      ...walk(path.join(root, "docs")).filter((f) => f.endsWith(".md") && !f.includes(`${path.sep}stacks${path.sep}`)),
    ];
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const resolved = path.resolve(path.dirname(file), target);
        expect([path.relative(root, file), target, fs.existsSync(resolved)]).toEqual([path.relative(root, file), target, true]);
      }
    }
  });

  test("the README's environment table is the one rendered from the shipped settings (npm run docs)", () => {
    expect(readme).toBe(withEnvironmentTable(readme, renderEnvironmentTable(ENVIRONMENTS)));
  });

  test("docs/zebra-upgrades.md's release and upgrade tables are the ones rendered from config/z3/zebra-releases.ts (npm run docs)", () => {
    const page = fs.readFileSync(path.join(root, "docs", "zebra-upgrades.md"), "utf8");
    expect(page).toBe(withZebraReleaseTable(page, renderZebraReleaseTable()));
    // A row per release of the table, the shipped default among them.
    for (const r of ZEBRA_RELEASES) expect([r.version, page.includes(`| ${r.version} |`)]).toEqual([r.version, true]);
  });

  test("the environment table reads the settings: a changed rotation changes its row", () => {
    const changed = {
      ...ENVIRONMENTS,
      staging: {
        ...ENVIRONMENTS.staging,
        jessy: { ...ENVIRONMENTS.staging.jessy, logging: { default: { maxSizeMiB: 20, maxFiles: 2, compress: true } } },
      },
    };
    expect(renderEnvironmentTable(changed)).toContain("| Jessy logs (json-file) | 10m × 3 | 20m × 2, compressed | 10m × 3 |");
  });

  test("the environment table states each system's deployment target and the swarm settings", () => {
    const table = renderEnvironmentTable(ENVIRONMENTS);
    expect(table).toContain("| ZFS Sync deployment (`zfsSync.deployment`) | containers | swarm (app × 2, proxy × 2) | containers |");
    expect(table).toContain("| Swarm data node (`swarm.dataNodeLabel`) | no swarm | `node.labels.z3-infra.data==true` | no swarm |");
  });

  test("every documented variable default is the one the stacks declare", () => {
    // Each system's variables table: docs/<system>.md.
    const tables: [string, string][] = [
      ["zcash-", fs.readFileSync(path.join(root, "docs", "z3.md"), "utf8")],
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

  test("docs/stacks/ holds a current page and Graphviz picture for every stack (npm run docs)", () => {
    const generated = (ext: string) =>
      fs
        .readdirSync(path.join(root, "docs", "stacks"))
        .filter((f) => f.endsWith(ext))
        .sort();
    expect(generated(".md")).toEqual(stacks.map((s) => `${s}.md`));
    expect(generated(".dot")).toEqual(stacks.map((s) => `${s}.dot`));
    for (const stack of stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "utf8"));
      const page = fs.readFileSync(path.join(root, "docs", "stacks", `${stack}.md`), "utf8");
      const dot = fs.readFileSync(path.join(root, "docs", "stacks", `${stack}.dot`), "utf8");
      expect([stack, "md", page === renderStackPage(stack, json)]).toEqual([stack, "md", true]);
      expect([stack, "dot", dot === renderStackDot(stack, json)]).toEqual([stack, "dot", true]);
      // The SVG is drawn from the .dot file by `npm run docs` where Graphviz is installed, and checked
      // against Debian 13's dot by test/programs/graphviz.test.ts; the page links it for readers without Mermaid.
      expect([stack, page.includes(`[\`${stack}.svg\`](${stack}.svg)`)]).toEqual([stack, true]);
    }
  });

  test("a stack page shows what the stack holds: a secret's reader, a public port, an internal network, protected data", () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", "zfs-sync-production", "cdk.tf.json"), "utf8"));
    const page = renderStackPage("zfs-sync-production", json);
    expect(page).toContain('sec_tls_private_key -.->|"/run/secrets/tls_private_key"| svc_zfs_sync_production_proxy');
    expect(page).toContain('port_0_0_0_0_443_tcp(["0.0.0.0:443/tcp"]) -->|"8443"| svc_zfs_sync_production_proxy');
    expect(page).toContain('{{"zfs-sync-production-network (internal)"}}');
    // The backup runner dumps the database over the network: backed up, though it mounts no volume of it.
    expect(page).toContain("zfs-sync-production-postgres-data (data, prevent_destroy, backed up)");
    expect(page).not.toMatch(/sec_[a-z_]+ -.->\|"[^"]*"\| svc_[a-z_]*_files\b/);
    expect(page).toContain("Deployment target: **containers**.");
    const dot = renderStackDot("zfs-sync-production", json);
    expect(dot).toContain(
      '"sec_tls_private_key" -> "svc_zfs_sync_production_proxy" [label="/run/secrets/tls_private_key", style="dashed", color="#b36b00"];',
    );
    expect(dot).toContain('"port_0_0_0_0_443_tcp" -> "svc_zfs_sync_production_proxy" [label="8443"];');
    expect(dot).toMatch(
      /"net_zfs_sync_production_network" \[label="zfs-sync-production-network \(internal\)", shape="hexagon", style="filled", fillcolor="#e6e6e6", peripheries=2\]/,
    );
    expect(dot).toMatch(
      /"vol_zfs_sync_production_postgres_data" \[label="zfs-sync-production-postgres-data \(data, prevent_destroy[^"]*\)", shape="cylinder"[^\]]*penwidth=2.5\]/,
    );
  });

  /** The cells of the table row whose first cell is `first`, in a stack page. */
  const row = (page: string, first: string) =>
    page
      .split("\n")
      .filter((line) => line.startsWith(`| ${first} |`))
      .map((line) => line.slice(2, -2).split(" | "));

  test("a swarm stack page shows each service's replicas, placement, update order, ports, files and networks", () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", "zfs-sync-staging", "cdk.tf.json"), "utf8"));
    const page = renderStackPage("zfs-sync-staging", json);
    expect(page).toContain("Deployment target: **swarm**.");
    expect(page).toContain("| Service | Address | User | Replicas | Placement | Update order | Networks | Published ports | Volumes |");
    // Service | Address | User | Replicas | Placement | Update order | … (the first of two rows: the Runtime table follows)
    expect(row(page, "`zfs-sync-staging-app`")[0]).toEqual(
      expect.arrayContaining(["`docker_service.zfs_sync_app`", "2", "anywhere", "start-first"]),
    );
    expect(row(page, "`zfs-sync-staging-proxy`")[0]).toEqual(
      expect.arrayContaining(["`docker_service.zfs_sync_proxy`", "2", "anywhere, at most 1 per node", "`*:443->8443/tcp (host)`"]),
    );
    expect(row(page, "`zfs-sync-staging-postgres`")[0]).toEqual(
      expect.arrayContaining(["1", "data node (`node.labels.z3-infra.data==true`)", "stop-first"]),
    );
    expect(page).toContain('svc_zfs_sync_staging_app["zfs-sync-staging-app (2 replicas)"]');
    expect(page).toContain('svc_zfs_sync_staging_postgres["zfs-sync-staging-postgres (1 replica, data node)"]');
    expect(page).toContain('port_443_tcp_host(["*:443/tcp (host)"]) -->|"8443"| svc_zfs_sync_staging_proxy');
    expect(page).toContain("A swarm port binds every interface");
    // The one-shot migration job stays a container on the data node.
    expect(row(page, "`zfs-sync-staging-migrate` (one-shot)")[0]).toEqual(
      expect.arrayContaining(["`docker_container.zfs_sync_migrate`", "data node (a container on `docker_host`)"]),
    );
    // Secrets reach the proxy as swarm secrets owned by its user, 0400; its configuration as a config.
    const proxyFiles = row(page, "`/run/secrets/tls_certificate`").concat(row(page, "`/run/secrets/tls_private_key`"));
    expect(proxyFiles).toEqual([
      [
        "`/run/secrets/tls_certificate`",
        "`zfs-sync-staging-proxy`",
        "`docker_secret.zfs_sync_proxy_run_secrets_tls_certificate`",
        "`101:101`",
        "`0400`",
        "`tls_certificate`",
      ],
      [
        "`/run/secrets/tls_private_key`",
        "`zfs-sync-staging-proxy`",
        "`docker_secret.zfs_sync_proxy_run_secrets_tls_private_key`",
        "`101:101`",
        "`0400`",
        "`tls_private_key`",
      ],
    ]);
    expect(row(page, "`/etc/nginx/zfs-sync/nginx.conf`")).toEqual([
      expect.arrayContaining(["`docker_config.zfs_sync_proxy_etc_nginx_zfs_sync_nginx_conf`", "`0444`", "–"]),
    ]);
    expect(page).toContain('sec_tls_private_key -.->|"/run/secrets/tls_private_key"| svc_zfs_sync_staging_proxy');
    expect(row(page, "`tls_private_key`")).toContainEqual([
      "`tls_private_key`",
      "`zfs-sync-staging-proxy`",
      "`/run/secrets/tls_private_key`",
    ]);
    // Overlay networks; volumes on the data node; the app's per-node log volume is anonymous, per task.
    expect(row(page, "`zfs-sync-staging-network`")).toEqual([["`zfs-sync-staging-network`", "overlay", "yes", "yes", "no"]]);
    expect(row(page, "`zfs-sync-staging-postgres-data`")).toEqual([expect.arrayContaining(["data (`stateful`), on the data node"])]);
    expect(page).toContain('svc_zfs_sync_staging_app -->|"rw /logs"| anon_zfs_sync_staging_app_logs');
  });

  test("a dev stack page marks only the volumes its backup runner lists, and the runner as existing only while backup_repository is set", () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", "zfs-sync-dev", "cdk.tf.json"), "utf8"));
    const page = renderStackPage("zfs-sync-dev", json);
    expect(row(page, "`zfs-sync-dev-data`")[0][4]).toBe(
      "yes, by `zfs-sync-dev-backup` (restic snapshot of its read-only mount), only while `backup_repository` is set",
    );
    // The runner mounts its own files volumes; it does not back them up.
    for (const own of ["`zfs-sync-dev-backup-files-etc-restic`", "`zfs-sync-dev-backup-files-run-secrets-restic`"])
      expect([own, row(page, own)[0]?.[4]]).toEqual([own, "no"]);
    expect(page).not.toMatch(/backup-files[^\n]*backed up/);
    expect(page).toContain('svc_zfs_sync_dev_backup["zfs-sync-dev-backup (only if backup_repository is set)"]');
    expect(row(page, "`zfs-sync-dev-backup` (only while `backup_repository` is set)")).toHaveLength(1);
    // In production backups are required: the runner always exists.
    const production = renderStackPage(
      "zfs-sync-production",
      JSON.parse(fs.readFileSync(path.join(out, "stacks", "zfs-sync-production", "cdk.tf.json"), "utf8")),
    );
    expect(production).not.toContain("only while");
  });

  test("a stack page lists each service's image, limits, capabilities, health check and update order", () => {
    const staging = renderStackPage(
      "zfs-sync-staging",
      JSON.parse(fs.readFileSync(path.join(out, "stacks", "zfs-sync-staging", "cdk.tf.json"), "utf8")),
    );
    expect(staging).toContain("| Service | Image | Limits | Capabilities | Health check | Update order |");
    expect(row(staging, "`zfs-sync-staging-app`")[1]).toEqual([
      "`zfs-sync-staging-app`",
      "`zfs_sync_image` (default `zfs-sync:8569323`)",
      "memory 1024 MiB, 2 CPU, reserved 1024 MiB",
      "drop ALL; add none",
      "`curl -f http://localhost:8000/api/v1/health` (every 30s, timeout 10s, 3 retries, start period 40s)",
      "start-first (rolling, 1 at a time; on failure rollback)",
    ]);
    const production = renderStackPage(
      "zcash-production",
      JSON.parse(fs.readFileSync(path.join(out, "stacks", "zcash-production", "cdk.tf.json"), "utf8")),
    );
    expect(row(production, "`z3-mainnet-zebra`")[1]).toEqual([
      "`z3-mainnet-zebra`",
      expect.stringMatching(/^`zebra_image` \(default `[^`]+`\)$/),
      expect.stringMatching(/^memory 16384 MiB \(no swap\), \d+ CPU, CPU weight 4096$/),
      "drop ALL; add `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `SETGID`, `SETUID`",
      expect.stringMatching(/^`.+` \(every /),
      "stop-first (replaced: destroyed, then created)",
    ]);
  });

  test("a stack page prints no secret or file content", () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", "zfs-sync-staging", "cdk.tf.json"), "utf8"));
    const page = renderStackPage("zfs-sync-staging", json);
    const dot = renderStackDot("zfs-sync-staging", json);
    for (const content of Object.values<string>(json.locals)) {
      expect(page).not.toContain(content);
      expect(dot).not.toContain(content);
    }
    expect(page).not.toContain("database_url");
    const withDefault = {
      ...json,
      variable: { ...json.variable, tls_private_key: { ...json.variable.tls_private_key, default: "a-private-key-default" } },
    };
    const shown = renderStackPage("zfs-sync-staging", withDefault);
    expect(shown).not.toContain("a-private-key-default");
    expect(shown).toContain("| `tls_private_key` | set (not shown) | yes |");
    expect(renderStackDot("zfs-sync-staging", withDefault)).not.toContain("a-private-key-default");
  });
});
