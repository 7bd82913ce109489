import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, PLAN_SUMMARY_MARKER, summarizePlans, summarizeStack } from "../../tools/plan-summary";
import { container, FIXTURES, loadFixture, plan, RECORDED_SECRETS, volume } from "./plan-fixtures";

const ROOT = path.resolve(__dirname, "..", "..");
const update = loadFixture("docker-update.plan.json");
const create = loadFixture("docker-create.plan.json");
const reapply = loadFixture("docker-reapply.plan.json");

/** Every string leaf of the plan that Terraform marks sensitive, plus sensitive variable values. */
function sensitiveStrings(p: Record<string, unknown>): string[] {
  const out: string[] = [];
  const collect = (value: unknown, marks: unknown): void => {
    if (marks === true) {
      const walk = (v: unknown): void => {
        if (typeof v === "string" && v.length >= 6) out.push(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") Object.values(v).forEach(walk);
      };
      walk(value);
    } else if (Array.isArray(value) && Array.isArray(marks)) value.forEach((v, i) => collect(v, marks[i]));
    else if (value && typeof value === "object" && marks && typeof marks === "object") {
      for (const [k, v] of Object.entries(value)) collect(v, (marks as Record<string, unknown>)[k]);
    }
  };
  for (const rc of (p.resource_changes as { change: Record<string, unknown> }[]) ?? []) {
    collect(rc.change.before, rc.change.before_sensitive);
    collect(rc.change.after, rc.change.after_sensitive);
  }
  return out;
}

describe("summarizePlans on recorded plans (kreuzwerker/docker 3.6.2, Terraform 1.11)", () => {
  test("a production plan that replaces a stateful volume and destroys another is blocked (exit 2)", () => {
    const result = summarizePlans([{ stack: "demo-production", plan: update }]);
    expect(result.exitCode).toBe(2);
    expect(result.blocking.map((c) => c.address).sort()).toEqual(["docker_volume.data", "docker_volume.scratch"]);
    expect(result.verdict).toMatch(/^⛔ \*\*Blocked:\*\* `demo-production` would destroy or replace 2 volumes/);
    const md = result.markdown;
    expect(md.startsWith(`${PLAN_SUMMARY_MARKER}\n## Terraform plan summary: demo-production\n`)).toBe(true);
    expect(md).toContain("| `demo-production` | production (gated) | 1 | 1 | **2** | **1** |");
    expect(md).toContain(
      "stateful volume `docker_volume.data` (`plansum-fixture-data`) is replaced (forced by `name`); the new volume starts empty. _(gated)_",
    );
    expect(md).toContain("volume `docker_volume.scratch` (`plansum-fixture-scratch`) is destroyed (removed from the configuration)");
    expect(md).toContain(
      "long-running container `docker_container.api` (`plansum-fixture-api`) is stopped, removed and recreated (forced by `env`, `volumes`, `upload`)",
    );
    // Attention comes before the per-resource details, blocking findings first.
    expect(md.indexOf("### Attention")).toBeLessThan(md.indexOf("<details>"));
    expect(md.indexOf("docker_volume.data")).toBeLessThan(md.indexOf("**downtime**"));
  });

  test("--allow-data-loss keeps the findings but exits 0", () => {
    const result = summarizePlans([{ stack: "demo-production", plan: update }], { allowDataLoss: true });
    expect(result.exitCode).toBe(0);
    expect(result.blocking).toHaveLength(2);
    expect(result.verdict).toMatch(/^⚠️ \*\*Data loss allowed\*\*/);
    expect(result.markdown).toContain("_(gated)_");
  });

  test("the same plan for staging is reported but not gated", () => {
    const result = summarizePlans([{ stack: "demo-staging", plan: update }]);
    expect(result.exitCode).toBe(0);
    expect(result.blocking).toEqual([]);
    expect(result.verdict).toBe("⚠️ **Review needed:** 2 volumes destroyed or replaced; 1 long-running container with downtime.");
    expect(result.markdown).not.toContain("_(gated)_");
  });

  test("--gate-env extends gating to staging", () => {
    expect(summarizePlans([{ stack: "demo-staging", plan: update }], { gatedEnvironments: ["production", "staging"] }).exitCode).toBe(2);
  });

  test("a stack name without an environment is gated like production", () => {
    const result = summarizePlans([{ stack: "demo", plan: update }]);
    expect(result.exitCode).toBe(2);
    expect(result.markdown).toContain("unknown (gated)");
    expect(result.markdown).toContain("it is gated like production");
  });

  test("attribute-level diff: forced paths, in-place updates, the provider's not-applied healthcheck", () => {
    const s = summarizeStack({ stack: "demo-staging", plan: update });
    const api = s.resources.find((r) => r.address === "docker_container.api")!;
    expect(api.action).toBe("replace");
    expect(api.replaceBecause).toEqual(["env", "volumes", "upload"]);
    expect(api.diffLines).toEqual(
      expect.arrayContaining([
        '- env = "LOG_LEVEL=info"  # forces replacement',
        '+ env = "LOG_LEVEL=debug"  # forces replacement',
        '- env = "DB_PASSWORD=(hidden)"  # forces replacement; hidden value changed',
        "+ upload[0].content = (sensitive value)  # forces replacement; hidden value changed",
        '+ volumes = {container_path = "/logs", volume_name = "plansum-fixture-logs"}  # forces replacement',
      ]),
    );
    // Unchanged set elements (read_only false vs unset) are not reported.
    expect(api.diffLines.join("\n")).not.toContain("/run/secrets");
    const worker = s.resources.find((r) => r.address === "docker_container.worker")!;
    expect(worker.action).toBe("update");
    expect(worker.diffLines).toEqual([
      '- healthcheck[0].interval = "10s"  # not applied by the provider',
      '+ healthcheck[0].interval = "30s"  # not applied by the provider',
      "- healthcheck[0].retries = 3  # not applied by the provider",
      "+ healthcheck[0].retries = 5  # not applied by the provider",
      "- memory = 32",
      "+ memory = 48",
      "- memory_swap = 64",
    ]);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toContain(
      "`docker_container.worker`: in-place change of `healthcheck` is recorded in the state but **not applied**",
    );
  });

  test("a plan of creations only is not gated, even in production", () => {
    const result = summarizePlans([{ stack: "demo-production", plan: create }]);
    expect(result.exitCode).toBe(0);
    expect(result.stacks[0].counts).toEqual({ add: 8, change: 0, replace: 0, destroy: 0 });
    expect(result.verdict).toBe("✅ **No downtime or data loss found** in 8 changes.");
    expect(result.markdown).not.toContain("### Attention");
  });

  test("re-planning an applied configuration shows the provider's memory_swap drift as in-place updates", () => {
    const s = summarizeStack({ stack: "demo-dev", plan: reapply });
    expect(s.counts).toEqual({ add: 0, change: 2, replace: 0, destroy: 0 });
    expect(s.resources.map((r) => r.diffLines)).toEqual([["- memory_swap = 128"], ["- memory_swap = 64"]]);
  });

  test("no sensitive value, uploaded secret or credential-like env value is ever printed", () => {
    for (const fixture of [update, create, reapply]) {
      const secrets = [...RECORDED_SECRETS, ...sensitiveStrings(fixture)];
      for (const stack of ["demo-production", "demo-staging"]) {
        for (const maxLength of [60_000, 2_000]) {
          const md = summarizePlans([{ stack, plan: fixture }], { maxLength, allowDataLoss: true }).markdown;
          for (const secret of secrets) expect(md).not.toContain(secret);
        }
      }
    }
    // The canaries really are in the recorded plans, so the check above can fail.
    const raw = JSON.stringify(update);
    for (const secret of ["tok-canary-v2-9876543210", "hunter2-canary-v2"]) expect(raw).toContain(secret);
  });
});

describe("summarizePlans on small plans", () => {
  const img = "sha256:5ad15091fba974d1320b6601c00a4c680827994f2f16c08be9add33fc8a5b9d5";

  test("in-place changes of tmpfs, init, cpu_period and cpu_quota are warned about", () => {
    const before = container("web");
    const after = { ...container("web"), tmpfs: { "/tmp": "rw,size=64m" }, init: true, cpu_period: 100000, cpu_quota: 50000, memory: 128 };
    const s = summarizeStack({
      stack: "web-staging",
      plan: plan([{ address: "docker_container.web", actions: ["update"], before, after }]),
    });
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toContain("`cpu_period`, `cpu_quota`, `init`, `tmpfs`");
    expect(s.callouts).toEqual([]);
    expect(s.resources[0].diffLines).toContain("+ memory = 128");
    expect(s.resources[0].diffLines).toContain('+ tmpfs["/tmp"] = "rw,size=64m"  # not applied by the provider');
  });

  test("a replacement forced by an image that is only known after apply", () => {
    const s = summarizeStack({
      stack: "web-production",
      plan: plan([
        {
          address: "docker_container.web",
          actions: ["delete", "create"],
          before: container("web", { id: "abc" }),
          after: { ...container("web"), image: null },
          after_unknown: { id: true, image: true },
          replace_paths: [["image"]],
          action_reason: "replace_because_cannot_update",
        },
      ]),
    });
    expect(s.resources[0].diffLines).toEqual([
      `- image = "${img}"  # forces replacement`,
      "+ image = (known after apply)  # forces replacement",
    ]);
    expect(s.resources[0].unknownCount).toBe(1);
    expect(s.callouts.map((c) => c.kind)).toEqual(["downtime"]);
  });

  test("one-shot containers (must_run = false) are not called out for downtime", () => {
    const s = summarizeStack({
      stack: "job-production",
      plan: plan([
        {
          address: "docker_container.migrate",
          actions: ["delete", "create"],
          before: container("migrate", { must_run: false, attach: true }),
          after: container("migrate", { must_run: false, attach: true, env: ["X=1"] }),
          replace_paths: [["env"]],
        },
      ]),
    });
    expect(s.counts.replace).toBe(1);
    expect(s.callouts).toEqual([]);
  });

  test("in production any volume delete is gated, stateful or not; networks and secrets are called out", () => {
    const result = summarizePlans([
      {
        stack: "web-production",
        plan: plan([
          {
            address: "docker_volume.cache",
            actions: ["delete"],
            before: volume("web-cache", false),
            action_reason: "delete_because_no_resource_config",
          },
          {
            address: "docker_network.backend",
            actions: ["create", "delete"],
            before: { name: "web-backend", internal: false },
            after: { name: "web-backend", internal: true },
            replace_paths: [["internal"]],
          },
          {
            address: "docker_secret.token",
            actions: ["delete"],
            before: { name: "token", data: "c2VjcmV0LXZhbHVlLWNhbmFyeQ==" },
            before_sensitive: { data: true },
          },
          { address: "data.docker_network.external", actions: ["read"], after: { name: "ext" } },
        ]),
      },
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.blocking.map((c) => c.address)).toEqual(["docker_volume.cache"]);
    expect(result.stacks[0].counts).toEqual({ add: 0, change: 0, replace: 1, destroy: 2 });
    const kinds = result.stacks[0].callouts.map((c) => `${c.kind} ${c.address}`);
    expect(kinds).toEqual(["data-loss docker_volume.cache", "disruption docker_network.backend", "disruption docker_secret.token"]);
    expect(result.markdown).toContain(
      "network `docker_network.backend` (`web-backend`) is replaced (forced by `internal`); attached containers lose this network",
    );
    expect(result.markdown).not.toContain("c2VjcmV0LXZhbHVlLWNhbmFyeQ");
    expect(result.markdown).not.toContain("data.docker_network.external");
  });

  test("a stateful volume replaced in staging is called out but not gated", () => {
    const result = summarizePlans([
      {
        stack: "db-staging",
        plan: plan([
          {
            address: "docker_volume.pg",
            actions: ["delete", "create"],
            before: volume("pg", true),
            after: { ...volume("pg2", true), id: null, mountpoint: null },
            after_unknown: { id: true, mountpoint: true },
            replace_paths: [["name"]],
          },
        ]),
      },
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stacks[0].callouts[0].text).toContain("stateful volume `docker_volume.pg` (`pg`) is replaced");
  });

  test("credentials in env, flags, URLs, maps and label pairs are hidden; _FILE references are not", () => {
    const before = container("api", {
      env: ["API_TOKEN=abc-canary-1", "DB_PASSWORD_FILE=/run/secrets/db", "LOG=info"],
      command: ["server", "--rpc-password=pw-canary-2", "--db", "postgres://app:pw-canary-3@db:5432/app"],
      labels: [{ label: "api-secret", value: "label-canary-4" }],
    });
    const after = container("api", {
      env: ["API_TOKEN=abc-canary-5", "DB_PASSWORD_FILE=/run/secrets/db2", "LOG=info"],
      command: ["server", "--rpc-password=pw-canary-6", "--db", "postgres://app:pw-canary-7@db:5432/app"],
      labels: [{ label: "api-secret", value: "label-canary-8" }],
    });
    const s = summarizeStack({
      stack: "api-dev",
      plan: plan([
        {
          address: "docker_container.api",
          actions: ["delete", "create"],
          before,
          after,
          replace_paths: [["env"], ["command"], ["labels"]],
        },
      ]),
    });
    const text = s.resources[0].diffLines.join("\n");
    for (let i = 1; i <= 8; i++) expect(text).not.toMatch(new RegExp(`canary-${i}\\b`));
    expect(text).toContain('"API_TOKEN=(hidden)"');
    expect(text).toContain('"DB_PASSWORD_FILE=/run/secrets/db2"');
    expect(text).toContain('"--rpc-password=(hidden)"');
    expect(text).toContain('"postgres://app:(hidden)@db:5432/app"');
    expect(text).toContain("- labels[0].value = (sensitive value)  # forces replacement; hidden value changed");
  });

  test("sensitive marks hide values in nested blocks and whole collections", () => {
    const before = container("api", { upload: [{ file: "/run/secrets/t", content: "upload-canary-1" }], env: ["A=env-canary-2"] });
    const after = container("api", { upload: [{ file: "/run/secrets/t", content: "upload-canary-3" }], env: ["A=env-canary-4"] });
    const s = summarizeStack({
      stack: "api-dev",
      plan: plan([
        {
          address: "docker_container.api",
          actions: ["delete", "create"],
          before,
          after,
          before_sensitive: { env: true },
          after_sensitive: { env: true, upload: [{ content: true }] },
          replace_paths: [["upload"], ["env"]],
        },
      ]),
    });
    const text = s.resources[0].diffLines.join("\n");
    expect(text).not.toMatch(/canary/);
    expect(text).toContain("- env = (sensitive value)");
    expect(text).toContain("+ upload[0].content = (sensitive value)");
    // Uploaded file contents are hidden even where the plan does not mark them sensitive.
    expect(text).toContain("- upload[0].content = (file content hidden)");
  });

  test("a replacement triggered by replace_triggered_by says so", () => {
    const result = summarizePlans([
      {
        stack: "web-staging",
        plan: plan([
          {
            address: "docker_container.web",
            actions: ["delete", "create"],
            before: container("web"),
            after: container("web"),
            action_reason: "replace_by_triggers",
          },
        ]),
      },
    ]);
    expect(result.markdown).toContain(
      "long-running container `docker_container.web` (`web`) is stopped, removed and recreated (`replace_triggered_by`).",
    );
    expect(result.markdown).toContain("triggered by `replace_triggered_by`");
  });

  test("a replacement triggered by the service's files loader says a file or secret changed", () => {
    const result = summarizePlans([
      {
        stack: "web-staging",
        plan: plan([
          {
            address: "docker_container.web_files",
            actions: ["delete", "create"],
            before: container("web-files"),
            after: container("web-files"),
            replace_paths: [["upload"]],
          },
          {
            address: "docker_container.web",
            actions: ["delete", "create"],
            before: container("web"),
            after: container("web"),
            action_reason: "replace_by_triggers",
          },
        ]),
      },
    ]);
    expect(result.markdown).toContain(
      "(`replace_triggered_by`: its files loader `docker_container.web_files` is replaced, so an uploaded file or secret changed)",
    );
  });

  test("credential label pairs in sets are hidden element by element", () => {
    const labels = (v: string) => [
      { label: "service", value: "api" },
      { label: "api-secret", value: v },
    ];
    const s = summarizeStack({
      stack: "api-dev",
      plan: plan([
        {
          address: "docker_container.api",
          actions: ["delete", "create"],
          before: container("api", { labels: labels("pair-canary-1") }),
          after: container("api", { labels: labels("pair-canary-2") }),
          replace_paths: [["labels"]],
        },
      ]),
    });
    expect(s.resources[0].diffLines).toEqual([
      '- labels = {label = "api-secret", value = (hidden)}  # forces replacement; hidden value changed',
      '+ labels = {label = "api-secret", value = (hidden)}  # forces replacement; hidden value changed',
    ]);
  });

  test("moves, imports, forget and unknown actions are reported without counting as changes", () => {
    const s = summarizeStack({
      stack: "x-dev",
      plan: plan([
        {
          address: "docker_volume.b",
          previous_address: "docker_volume.a",
          actions: ["no-op"],
          before: volume("v", true),
          after: volume("v", true),
        },
        { address: "docker_volume.c", actions: ["forget"], before: volume("c", false) },
        { address: "docker_volume.d", actions: ["frobnicate"] },
      ]),
    });
    expect(s.counts).toEqual({ add: 0, change: 0, replace: 0, destroy: 0 });
    expect(s.notes.join("\n")).toContain("`docker_volume.a` moves to `docker_volume.b` (no change).");
    expect(s.notes.join("\n")).toContain("`docker_volume.c` is removed from the state but not destroyed");
    expect(s.warnings.join("\n")).toContain('`docker_volume.d`: unrecognized actions `["frobnicate"]`');
    expect(s.callouts).toEqual([]);
  });

  test("no changes, partial plans and output changes", () => {
    expect(summarizePlans([{ stack: "x-dev", plan: plan([]) }]).verdict).toBe("✅ **No changes.**");
    const partial = summarizePlans([
      { stack: "x-dev", plan: plan([], { complete: false, output_changes: { url: { actions: ["update"], before: "a", after: "b" } } }) },
    ]);
    expect(partial.verdict).toBe("✅ **No changes**, but read the 1 warning.");
    expect(partial.markdown).toContain("The plan is **partial**");
    expect(partial.markdown).toContain("Outputs: `url` (update)");
  });

  test("bad input: exit 1 with a clear message, other stacks still summarized", () => {
    const cases: [unknown, RegExp][] = [
      [{ hello: 1 }, /no format_version/],
      [{ format_version: "2.0" }, /unsupported format_version "2.0"/],
      [{ format_version: "1.0", values: { root_module: {} } }, /state JSON/],
      [{ ...plan([]), errored: true }, /the plan errored/],
      [
        { format_version: "1.2", resource_changes: [{ address: "x.y", type: "x", change: {} }] },
        /resource_changes\[0\] \(x\.y\): change\.actions/,
      ],
      ["text", /not a JSON object/],
    ];
    for (const [bad, message] of cases) {
      const result = summarizePlans([
        { stack: "ok-dev", plan: plan([]) },
        { stack: "bad-dev", plan: bad },
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.errors.join("\n")).toMatch(message);
      expect(result.verdict).toMatch(/^❌ \*\*Error:\*\*/);
      expect(result.markdown).toContain("| `ok-dev` | dev | 0 | 0 | 0 | 0 |");
    }
    expect(summarizePlans([]).exitCode).toBe(1);
    expect(
      summarizePlans([
        { stack: "a-dev", plan: plan([]) },
        { stack: "a-dev", plan: plan([]) },
      ]).errors,
    ).toEqual(["stack a-dev is given more than once"]);
    // Bad input wins over gating.
    expect(
      summarizePlans([
        { stack: "demo-production", plan: update },
        { stack: "b-dev", plan: {} },
      ]).exitCode,
    ).toBe(1);
  });

  test("long summaries drop attribute details, then cut, to stay under maxLength", () => {
    const full = summarizePlans([{ stack: "demo-staging", plan: update }]);
    expect(full.markdown).toContain("<details>");
    const short = summarizePlans([{ stack: "demo-staging", plan: update }], { maxLength: 2500 });
    expect(short.markdown.length).toBeLessThanOrEqual(2500);
    expect(short.markdown).not.toContain("<details>");
    expect(short.markdown).toContain("attribute details omitted");
    expect(short.markdown).toContain("### Attention");
    const tiny = summarizePlans([{ stack: "demo-staging", plan: update }], { maxLength: 1000 });
    expect(tiny.markdown.length).toBeLessThanOrEqual(1000);
    expect(tiny.markdown).toContain("Summary cut to fit");
  });
});

describe("plan:summary CLI", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-summary-"));
    fs.copyFileSync(path.join(FIXTURES, "docker-update.plan.json"), path.join(dir, "demo-production.plan.json"));
    fs.copyFileSync(path.join(FIXTURES, "docker-create.plan.json"), path.join(dir, "demo-staging.json"));
    fs.writeFileSync(path.join(dir, "binary.tfplan"), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0x00]));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("stack names from file names and --stack; exit 2 for gated data loss", () => {
    const result = main([path.join(dir, "demo-production.plan.json"), "--stack", `other-dev=${path.join(dir, "demo-staging.json")}`]);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain("| `demo-production` | production (gated) |");
    expect(result.output).toContain("| `other-dev` | dev | 8 | 0 | 0 | 0 |");
    expect(result.stderr).toEqual([
      "blocked: demo-production docker_volume.data, demo-production docker_volume.scratch (data loss; --allow-data-loss to proceed)",
    ]);
    expect(main([path.join(dir, "demo-production.plan.json"), "--allow-data-loss"]).exitCode).toBe(0);
  });

  test("usage and input errors exit 1 with a clear message", () => {
    expect(() => main([])).toThrow(/no plan files given/);
    expect(() => main(["--stack", "noequals"])).toThrow(/--stack needs <name>=<plan.json>/);
    expect(() => main(["--frob", "x.json"])).toThrow(/unknown option --frob/);
    expect(() => main(["--max-length", "12", "x.json"])).toThrow(/--max-length needs an integer/);
    const missing = main([path.join(dir, "nope-dev.json")]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr?.[0]).toMatch(/^error: nope-dev: cannot read plan .*nope-dev\.json: ENOENT$/);
    const binary = main(["--stack", `bin-dev=${path.join(dir, "binary.tfplan")}`]);
    expect(binary.exitCode).toBe(1);
    expect(binary.stderr?.[0]).toContain("looks like a binary plan file: convert it with `terraform show -json");
    expect(main(["--help"]).output).toContain("Exit codes: 0 written; 2 a gated");
  });

  test("npm run plan:summary runs the launcher: Markdown on stdout or --output, exit codes", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(scripts["plan:summary"]).toBe("node tools/run.js plan-summary");
    const run = (args: string[]) =>
      spawnSync("node", [path.join(ROOT, "tools", "run.js"), "plan-summary", ...args], { cwd: ROOT, encoding: "utf8" });
    const blocked = run([path.join(dir, "demo-production.plan.json")]);
    expect(blocked.status).toBe(2);
    expect(blocked.stdout.startsWith(PLAN_SUMMARY_MARKER)).toBe(true);
    expect(blocked.stderr).toContain("blocked: demo-production docker_volume.data");
    const out = path.join(dir, "summary.md");
    const ok = run(["--output", out, path.join(dir, "demo-staging.json")]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe("");
    expect(fs.readFileSync(out, "utf8")).toContain("## Terraform plan summary: demo-staging");
    const bad = run([path.join(dir, "binary.tfplan")]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("error: binary: plan");
    const stdin = execFileSync("node", [path.join(ROOT, "tools", "run.js"), "plan-summary", "--stack", "piped-dev=-"], {
      cwd: ROOT,
      encoding: "utf8",
      input: JSON.stringify(reapply),
    });
    expect(stdin).toContain("| `piped-dev` | dev | 0 | 2 | 0 | 0 |");
  });
});
