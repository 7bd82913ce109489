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
    expect(page).toContain("zfs-sync-production-postgres-data (data, prevent_destroy)");
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
    // Service | Address | User | Replicas | Placement | Update order | …
    expect(row(page, "`zfs-sync-staging-app`")).toEqual([
      expect.arrayContaining(["`docker_service.zfs_sync_app`", "2", "anywhere", "start-first"]),
    ]);
    expect(row(page, "`zfs-sync-staging-proxy`")).toEqual([
      expect.arrayContaining(["`docker_service.zfs_sync_proxy`", "2", "anywhere, at most 1 per node", "`*:443->8443/tcp (host)`"]),
    ]);
    expect(row(page, "`zfs-sync-staging-postgres`")).toEqual([
      expect.arrayContaining(["1", "data node (`node.labels.z3-infra.data==true`)", "stop-first"]),
    ]);
    expect(page).toContain('svc_zfs_sync_staging_app["zfs-sync-staging-app (2 replicas)"]');
    expect(page).toContain('svc_zfs_sync_staging_postgres["zfs-sync-staging-postgres (1 replica, data node)"]');
    expect(page).toContain('port_443_tcp_host(["*:443/tcp (host)"]) -->|"8443"| svc_zfs_sync_staging_proxy');
    expect(page).toContain("A swarm port binds every interface");
    // The one-shot migration job stays a container on the data node.
    expect(row(page, "`zfs-sync-staging-migrate` (one-shot)")).toEqual([
      expect.arrayContaining(["`docker_container.zfs_sync_migrate`", "data node (a container on `docker_host`)"]),
    ]);
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
