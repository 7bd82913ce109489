/**
 * The stack page (tools/stack-page.ts) on a small hand-made synthesized stack: a volume is marked
 * backed up where the backup runner (a service labelled `role=backup`) lists it in its sources, not
 * wherever the runner mounts something; a count-gated resource says when it exists; each service's
 * image, limits, capabilities, health check and update order are listed; labels are quoted safely;
 * the page links its Graphviz picture. The pages of the app's own stacks are checked in test/docs.test.ts.
 */
import { readStack } from "../../tools/stack-model";
import { renderStackDot } from "../../tools/stack-dot";
import { renderStackPage } from "../../tools/stack-page";
import { backedUpVolumes, documentedStack, gateOf } from "../../tools/stack-runtime";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const labels = (l: Record<string, string>) => Object.entries(l).map(([label, value]) => ({ label, value }));

/**
 * An application with a database, and a backup runner as lib/backup.ts writes it: it mounts the
 * uploads volume read-only and its own files volume (filled by its files loader), dumps the database
 * over the network, and exists only while `backup_repository` is set.
 */
function fixture(): Json {
  const sources = {
    stack: "demo-dev",
    sources: [
      { kind: "postgres", volume: "demo-db-data", host: "db", port: 5432, database: "demo", user: "demo" },
      { kind: "files", volume: "demo-uploads", companions: [] },
    ],
  };
  const gate = '${var.backup_repository != "" ? 1 : 0}';
  return {
    variable: {
      docker_host: { type: "string", default: "unix:///var/run/docker.sock" },
      backup_repository: { type: "string", default: "" },
      app_image: { type: "string", default: "demo/app:1.2.3" },
    },
    resource: {
      docker_image: {
        app: { name: "${var.app_image}" },
        db: { name: "postgres:15-alpine" },
        backup: { name: "demo/backup:1", count: gate },
      },
      docker_network: { backend: { name: "demo-backend", internal: true }, egress: { name: "demo-backup-egress", count: gate } },
      docker_volume: {
        db_data: { name: "demo-db-data", labels: labels({ stateful: "true" }), lifecycle: { prevent_destroy: true } },
        uploads: { name: "demo-uploads", labels: labels({ stateful: "true" }) },
        cache: { name: "demo-cache" },
        backup_files: { name: "demo-backup-files-etc-restic", count: gate },
      },
      docker_container: {
        db: {
          name: "demo-db",
          image: "${docker_image.db.image_id}",
          networks_advanced: [{ name: "demo-backend" }],
          volumes: [{ volume_name: "demo-db-data", container_path: "/var/lib/postgresql/data" }],
          capabilities: { add: ["CAP_CHOWN", "CAP_SETUID"], drop: ["ALL"] },
          memory: 512,
          memory_swap: 512,
          cpu_quota: 150000,
          cpu_period: 100000,
          cpu_shares: 1024,
          healthcheck: { test: ["CMD", "pg_isready", "-U", "demo"], interval: "10s", timeout: "5s", retries: 5 },
        },
        app: {
          name: "demo-app",
          image: "${docker_image.app.image_id}",
          networks_advanced: [{ name: "demo-backend" }],
          volumes: [
            { volume_name: "demo-uploads", container_path: "/srv/uploads" },
            { volume_name: "demo-cache", container_path: '/srv/"cache"', read_only: true },
          ],
          lifecycle: { create_before_destroy: true },
        },
        backup: {
          name: "demo-backup",
          count: gate,
          image: "${docker_image.backup[0].image_id}",
          labels: labels({ role: "backup", service: "demo-backup" }),
          networks_advanced: [{ name: "demo-backend" }, { name: "demo-backup-egress" }],
          volumes: [
            { volume_name: "demo-uploads", container_path: "/data/demo-uploads", read_only: true },
            { volume_name: "demo-backup-files-etc-restic", container_path: "/etc/restic", read_only: true },
          ],
        },
        backup_files: {
          name: "demo-backup-files",
          count: gate,
          must_run: false,
          labels: labels({ role: "files-loader", service: "demo-backup" }),
          volumes: [{ volume_name: "demo-backup-files-etc-restic", container_path: "/etc/restic" }],
          upload: [{ file: "/etc/restic/sources.json", content: JSON.stringify(sources, null, 2) + "\n" }],
        },
      },
    },
  };
}

const row = (page: string, first: string) =>
  page
    .split("\n")
    .filter((line) => line.startsWith(`| ${first} |`))
    .map((line) => line.slice(2, -2).split(" | "));

describe("a volume is backed up where the backup runner lists it in its sources", () => {
  const page = renderStackPage("demo-dev", fixture());

  test("the runner's sources name the volumes and how each is copied; its own files volume is not one of them", () => {
    const backups = backedUpVolumes(fixture());
    expect(Object.fromEntries(backups)).toEqual({
      "demo-db-data": [{ runner: "demo-backup", kind: "postgres", database: "demo" }],
      "demo-uploads": [{ runner: "demo-backup", kind: "files" }],
    });
    const volumes = Object.fromEntries(documentedStack(fixture()).volumes.map((v) => [v.name, v.backedUpBy]));
    expect(volumes).toEqual({
      "demo-db-data": ["demo-backup"],
      "demo-uploads": ["demo-backup"],
      "demo-cache": [],
      "demo-backup-files-etc-restic": [],
    });
  });

  test("the Mermaid and Graphviz pictures say so in the volume's node, next to its protection", () => {
    expect(page).toContain('  vol_demo_db_data[("demo-db-data (data, prevent_destroy, backed up)")]');
    expect(page).toContain('  vol_demo_uploads[("demo-uploads (data, backed up)")]');
    expect(page).toContain('  vol_demo_cache[("demo-cache")]');
    // The backup runner mounts the files volume read-only: dashed arrows.
    expect(page).toContain('  svc_demo_backup -.->|"ro /data/demo-uploads"| vol_demo_uploads');
    const dot = renderStackDot("demo-dev", fixture());
    expect(dot).toContain('label="demo-db-data (data, prevent_destroy, backed up)"');
    expect(dot).not.toMatch(/demo-backup-files-etc-restic[^"]*backed up/);
  });

  test("the inventory's Backed up column names the runner, how it copies the volume and when it runs", () => {
    expect(page).toContain("| Volume | Address | Holds | `prevent_destroy` | Backed up |");
    expect(row(page, "`demo-db-data`")).toEqual([
      [
        "`demo-db-data`",
        "`docker_volume.db_data`",
        "data (`stateful`)",
        "yes",
        "yes, by `demo-backup` (`pg_dump` of database `demo`), only while `backup_repository` is set",
      ],
    ]);
    expect(row(page, "`demo-uploads`")).toEqual([
      [
        "`demo-uploads`",
        "`docker_volume.uploads`",
        "data (`stateful`)",
        "no",
        "yes, by `demo-backup` (restic snapshot of its read-only mount), only while `backup_repository` is set",
      ],
    ]);
    expect(row(page, "`demo-cache`")).toEqual([["`demo-cache`", "`docker_volume.cache`", "not marked stateful", "no", "no"]]);
    // The runner mounts its own files volume, which it does not back up.
    expect(row(page, "`demo-backup-files-etc-restic` (only while `backup_repository` is set)")[0][4]).toBe("no");
  });

  test("a volume the runner mounts but does not list is not backed up", () => {
    const json = fixture();
    json.resource.docker_container.backup.volumes.push({ volume_name: "demo-cache", container_path: "/data/demo-cache", read_only: true });
    expect(row(renderStackPage("demo-dev", json), "`demo-cache`")[0][4]).toBe("no");
  });

  test("without the role=backup label, the same runner backs nothing up", () => {
    const json = fixture();
    json.resource.docker_container.backup.labels = labels({ service: "demo-backup" });
    const unlabelled = renderStackPage("demo-dev", json);
    expect(unlabelled).not.toContain("backed up)");
    expect(row(unlabelled, "`demo-db-data`")[0][4]).toBe("no");
  });
});

describe("a count-gated resource says when it exists", () => {
  const page = renderStackPage("demo-dev", fixture());

  test("the condition in words: a string variable set, a bool variable true, else the expression", () => {
    expect(gateOf({ count: '${var.backup_repository != "" ? 1 : 0}' })).toBe("`backup_repository` is set");
    expect(gateOf({ count: "${var.jessy_test_profile ? 1 : 0}" })).toBe("`jessy_test_profile` is true");
    expect(gateOf({ count: "${length(var.hosts) > 0 ? 1 : 0}" })).toBe("`length(var.hosts) > 0`");
    expect(gateOf({})).toBeUndefined();
  });

  test("the pictures, the services table and the networks table mark the runner and its network", () => {
    expect(page).toContain('  svc_demo_backup["demo-backup (only if backup_repository is set)"]');
    expect(page).toContain('  net_demo_backup_egress{{"demo-backup-egress (only if backup_repository is set)"}}');
    expect(row(page, "`demo-backup` (only while `backup_repository` is set)")[0][1]).toBe("`docker_container.backup`");
    expect(row(page, "`demo-backup-egress` (only while `backup_repository` is set)")).toEqual([
      ["`demo-backup-egress` (only while `backup_repository` is set)", "no"],
    ]);
    expect(page).toContain('label="demo-backup (only if backup_repository is set)"'.replace("label=", ""));
    expect(renderStackDot("demo-dev", fixture())).toContain('[label="demo-backup (only if backup_repository is set)"');
    // Not gated: no mark.
    expect(page).toContain('  svc_demo_app["demo-app"]');
  });
});

describe("the runtime table", () => {
  const page = renderStackPage("demo-dev", fixture());

  test("shows each container's image, limits, capabilities, health check and update order", () => {
    expect(page).toContain("| Container | Image | Limits | Capabilities | Health check | Update order |");
    expect(row(page, "`demo-db`")[1]).toEqual([
      "`demo-db`",
      "`postgres:15-alpine`",
      "memory 512 MiB (no swap), 1.5 CPU, CPU weight 1024",
      "drop ALL; add `CHOWN`, `SETUID`",
      "`pg_isready -U demo` (every 10s, timeout 5s, 5 retries)",
      "stop-first (replaced: destroyed, then created)",
    ]);
    expect(row(page, "`demo-app`")[1]).toEqual([
      "`demo-app`",
      "`app_image` (default `demo/app:1.2.3`)",
      "none",
      "Docker's default set",
      "none (the image's, if any)",
      "start-first (`create_before_destroy`)",
    ]);
    expect(row(page, "`demo-backup`")[0].slice(0, 2)).toEqual(["`demo-backup`", "`demo/backup:1`"]);
  });

  test("shows a swarm service's limits, reservations and rolling update", () => {
    const json = fixture();
    json.resource.docker_service = {
      api: {
        name: "demo-api",
        mode: { replicated: { replicas: 2 } },
        update_config: { order: "start-first", parallelism: 1, failure_action: "rollback" },
        task_spec: {
          container_spec: {
            image: "${docker_image.app.repo_digest}",
            cap_drop: ["ALL"],
            cap_add: [],
            healthcheck: { test: ["CMD-SHELL", "wget -q -O- http://localhost:8080/health"], interval: "30s" },
          },
          resources: { limits: { memory_bytes: 268435456, nano_cpus: 500000000 }, reservation: { memory_bytes: 134217728 } },
        },
      },
    };
    expect(row(renderStackPage("demo-staging", json), "`demo-api`")[1]).toEqual([
      "`demo-api`",
      "`app_image` (default `demo/app:1.2.3`)",
      "memory 256 MiB, 0.5 CPU, reserved 128 MiB",
      "drop ALL; add none",
      "`wget -q -O- http://localhost:8080/health` (every 30s)",
      "start-first (rolling, 1 at a time; on failure rollback)",
    ]);
  });
});

describe("the stack page", () => {
  const page = renderStackPage("demo-dev", fixture());

  test("quotes in a Mermaid label are Mermaid's entity, so the label stays one string", () => {
    expect(page).toContain('  svc_demo_app -.->|"ro /srv/#quot;cache#quot;"| vol_demo_cache');
  });

  test("links the Graphviz picture and its source, relative to the page", () => {
    expect(page).toContain("[`demo-dev.svg`](demo-dev.svg)");
    expect(page).toContain("[`demo-dev.dot`](demo-dev.dot)");
  });
});

describe("variables", () => {
  test("a secret's length check, a terraform_data precondition that reads it, is listed with its validations", () => {
    const json = fixture();
    json.variable.db_password = { type: "string", sensitive: true };
    json.resource.terraform_data = {
      db_password_length: {
        lifecycle: {
          precondition: [
            {
              condition: "${length(var.db_password) >= 16}",
              error_message: "db_password (TF_VAR_db_password) must be at least 16 characters long; its value is not shown.",
            },
          ],
        },
      },
    };
    const model = readStack(json);
    expect(model.variables.find((v) => v.name === "db_password")?.validationMessages).toEqual([
      "db_password (TF_VAR_db_password) must be at least 16 characters long; its value is not shown.",
    ]);
    expect(model.variables.find((v) => v.name === "docker_host")?.validationMessages).toEqual([]);
    expect(row(renderStackPage("demo-dev", json), "`db_password`")).toEqual([
      ["`db_password`", "required", "yes", "db_password (TF_VAR_db_password) must be at least 16 characters long; its value is not shown."],
    ]);
  });
});
