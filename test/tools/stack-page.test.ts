/**
 * The stack page (tools/stack-page.ts) on a small hand-made synthesized stack: a volume that a
 * container or swarm service labelled `role=backup` mounts is marked backed up in the Mermaid picture
 * and in the inventory; labels are quoted safely; the page links its Graphviz picture. The pages of
 * the app's own stacks are checked in test/docs.test.ts.
 */
import { readStack } from "../../tools/stack-model";
import { renderStackPage } from "../../tools/stack-page";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const labels = (l: Record<string, string>) => Object.entries(l).map(([label, value]) => ({ label, value }));

/** An application with a database, and the backup runner another change adds: it mounts each backed-up volume read-only. */
function fixture(): Json {
  return {
    variable: { docker_host: { type: "string", default: "unix:///var/run/docker.sock" } },
    resource: {
      docker_network: { backend: { name: "demo-backend", internal: true } },
      docker_volume: {
        db_data: { name: "demo-db-data", labels: labels({ stateful: "true" }), lifecycle: { prevent_destroy: true } },
        uploads: { name: "demo-uploads", labels: labels({ stateful: "true" }) },
        cache: { name: "demo-cache" },
      },
      docker_container: {
        db: {
          name: "demo-db",
          networks_advanced: [{ name: "demo-backend" }],
          volumes: [{ volume_name: "demo-db-data", container_path: "/var/lib/postgresql/data" }],
        },
        app: {
          name: "demo-app",
          networks_advanced: [{ name: "demo-backend" }],
          volumes: [
            { volume_name: "demo-uploads", container_path: "/srv/uploads" },
            { volume_name: "demo-cache", container_path: '/srv/"cache"', read_only: true },
          ],
        },
        backup: {
          name: "demo-backup",
          labels: labels({ role: "backup", service: "demo-backup" }),
          networks_advanced: [{ name: "demo-backend" }],
          volumes: [
            { volume_name: "demo-db-data", container_path: "/backup/demo-db-data", read_only: true },
            { volume_name: "demo-uploads", container_path: "/backup/demo-uploads", read_only: true },
          ],
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

describe("a volume mounted by a service labelled role=backup is backed up", () => {
  const page = renderStackPage("demo-dev", fixture());

  test("the model names the services that back up each volume", () => {
    const volumes = Object.fromEntries(readStack(fixture()).volumes.map((v) => [v.name, v.backedUpBy]));
    expect(volumes).toEqual({ "demo-db-data": ["demo-backup"], "demo-uploads": ["demo-backup"], "demo-cache": [] });
  });

  test("the Mermaid picture says so in the volume's node, next to its protection", () => {
    expect(page).toContain('  vol_demo_db_data[("demo-db-data (data, prevent_destroy, backed up)")]');
    expect(page).toContain('  vol_demo_uploads[("demo-uploads (data, backed up)")]');
    expect(page).toContain('  vol_demo_cache[("demo-cache")]');
    // The backup runner mounts them read-only: dashed arrows.
    expect(page).toContain('  svc_demo_backup -.->|"ro /backup/demo-db-data"| vol_demo_db_data');
  });

  test("the inventory's volume table has a Backed up column naming the backup service", () => {
    expect(page).toContain("| Volume | Address | Holds | `prevent_destroy` | Backed up |");
    expect(row(page, "`demo-db-data`")).toEqual([
      ["`demo-db-data`", "`docker_volume.db_data`", "data (`stateful`)", "yes", "yes, by `demo-backup`"],
    ]);
    expect(row(page, "`demo-uploads`")).toEqual([
      ["`demo-uploads`", "`docker_volume.uploads`", "data (`stateful`)", "no", "yes, by `demo-backup`"],
    ]);
    expect(row(page, "`demo-cache`")).toEqual([["`demo-cache`", "`docker_volume.cache`", "not marked stateful", "no", "no"]]);
    expect(page).toContain("Backed up: a container or swarm service labelled `role=backup` mounts the volume.");
  });

  test("without the role=backup label, the same mounts back nothing up", () => {
    const json = fixture();
    json.resource.docker_container.backup.labels = labels({ service: "demo-backup" });
    const unlabelled = renderStackPage("demo-dev", json);
    expect(unlabelled).not.toContain("backed up");
    expect(row(unlabelled, "`demo-db-data`")[0][4]).toBe("no");
  });

  test("a swarm service labelled role=backup counts too", () => {
    const json = fixture();
    delete json.resource.docker_container.backup;
    json.resource.docker_service = {
      backup: {
        name: "demo-backup",
        labels: labels({ role: "backup" }),
        task_spec: {
          container_spec: { mounts: [{ type: "volume", source: "demo-uploads", target: "/backup/demo-uploads", read_only: true }] },
        },
      },
    };
    const swarm = renderStackPage("demo-staging", json);
    expect(swarm).toContain('vol_demo_uploads[("demo-uploads (data, backed up)")]');
    expect(row(swarm, "`demo-uploads`")[0]).toContain("yes, by `demo-backup`");
    expect(row(swarm, "`demo-db-data`")[0][4]).toBe("no");
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
