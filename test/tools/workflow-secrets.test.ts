/**
 * Who gets which secret in CI, read from the parsed workflows (docs/review.md#who-can-read-what):
 * pull requests never reach production, secrets sit in the env of the steps that use them and
 * nowhere else, nothing is installed or synthesized after a secret entered the job, plans read the
 * state with read-only credentials, production releases only commits of main, and Terraform gets
 * kreuzwerker/docker from the locked build only.
 */
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import { parse } from "yaml";
import { DOCKER_PROVIDER_VERSION_CONSTRAINT } from "../../lib/docker";

const ROOT = path.resolve(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, unknown>;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly secrets?: unknown;
  readonly environment?: string | { readonly name: string };
  readonly env?: Record<string, unknown>;
  readonly needs?: string | string[];
  readonly steps?: Step[];
}
interface Workflow {
  readonly on: unknown;
  readonly env?: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

const files = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const workflows: Record<string, Workflow> = Object.fromEntries(
  files.map((f) => [f, parse(fs.readFileSync(path.join(DIR, f), "utf8")) as Workflow]),
);

/** Event name → its filter (`{ branches: [...] }`, `null` for none). */
function triggers(wf: Workflow): Record<string, unknown> {
  const on = wf.on;
  if (typeof on === "string") return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [e, null]));
  return on as Record<string, unknown>;
}

const SECRET = /\bsecrets\b/;
const hasSecret = (value: unknown) => value !== undefined && SECRET.test(JSON.stringify(value));
const steps = (job: Job) => job.steps ?? [];
const stepSecrets = (step: Step) => hasSecret(step.env) || hasSecret(step.with);

/** A job that runs, with the environment it gets: the job itself, or each job of the reusable workflow it calls. */
interface Reached {
  readonly where: string;
  readonly job: Job;
  readonly environment?: string;
}
function reached(file: string): Reached[] {
  const out: Reached[] = [];
  for (const [id, job] of Object.entries(workflows[file].jobs)) {
    const called = /^\.\/\.github\/workflows\/(.+)$/.exec(job.uses ?? "")?.[1];
    if (!called) {
      out.push({ where: `${file} ${id}`, job, environment: envName(job.environment) });
      continue;
    }
    for (const [cid, cjob] of Object.entries(workflows[called].jobs)) {
      let environment = envName(cjob.environment);
      if (environment === "${{ inputs.environment }}") environment = String(job.with?.environment ?? "");
      out.push({ where: `${file} ${id} → ${called} ${cid}`, job: cjob, environment });
    }
  }
  return out;
}
function envName(e: Job["environment"]): string | undefined {
  return typeof e === "object" && e !== null ? e.name : e;
}
const secretNames = (job: Job) => [...JSON.stringify(job).matchAll(/\bsecrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);

const PR_EVENTS = [
  "pull_request",
  "pull_request_target",
  "merge_group",
  "workflow_run",
  "issue_comment",
  "pull_request_review",
  "pull_request_review_comment",
];
const prWorkflows = files.filter((f) => Object.keys(triggers(workflows[f])).some((e) => PR_EVENTS.includes(e)));

describe("pull requests never reach production", () => {
  test("pull-request.yml is the pull request workflow, on pull_request (never pull_request_target)", () => {
    expect(prWorkflows).toEqual(["pull-request.yml"]);
    expect(Object.keys(triggers(workflows["pull-request.yml"]))).toEqual(["pull_request"]);
  });

  test.each(prWorkflows)("no job of %s gets a production environment or a production secret", (f) => {
    const jobs = reached(f);
    const environments = jobs.map((r) => r.environment).filter((e): e is string => !!e);
    // The plans of a pull request: staging-plan only, by name (not an expression that may pick another).
    expect([...new Set(environments)]).toEqual(["staging-plan"]);
    for (const r of jobs) {
      expect([r.where, r.environment ?? ""]).toEqual([r.where, expect.not.stringMatching(/prod/i)]);
      expect([r.where, secretNames(r.job).filter((s) => /prod/i.test(s))]).toEqual([r.where, []]);
    }
    // The stacks it plans are the staging ones.
    const list = steps(workflows[f].jobs.test).find((s) => s.id === "stacks")?.run ?? "";
    expect(list).toMatch(/grep -E -- '-staging\$'/);
    expect(list).not.toMatch(/production/);
  });

  test("production environments are reached only from main, v* tags or a manual run", () => {
    const reaching = files.filter((f) => reached(f).some((r) => /prod/i.test(r.environment ?? "")));
    expect(reaching.sort()).toEqual(["apply-production.yml", "drift.yml", "plan-production.yml"]);
    for (const f of reaching) {
      const on = triggers(workflows[f]);
      // A schedule runs the default branch (main) only, and only the nightly drift plan has one.
      const events = Object.keys(on).filter((e) => e !== "push" && e !== "workflow_dispatch" && !(f === "drift.yml" && e === "schedule"));
      expect([f, events]).toEqual([f, []]);
      const push = (on.push ?? {}) as { branches?: string[]; tags?: string[] };
      for (const b of push.branches ?? []) expect([f, b]).toEqual([f, "main"]);
      for (const t of push.tags ?? []) expect([f, t]).toEqual([f, "v*"]);
    }
    expect(triggers(workflows["plan-production.yml"])).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
  });

  test("drift.yml: a manual run off main is refused before any secret; only the report job writes issues, with the run's token", () => {
    const wf = workflows["drift.yml"];
    expect(Object.keys(triggers(wf)).sort()).toEqual(["schedule", "workflow_dispatch"]);
    for (const id of ["stacks", "drift"]) {
      const all = steps(wf.jobs[id]);
      expect([id, (all[0] as Step & { if?: string }).if]).toEqual([id, "github.ref != 'refs/heads/main'"]);
      expect([id, all.findIndex(stepSecrets)]).toEqual([id, expect.not.stringMatching(/^0$/)]);
    }
    const drift = steps(wf.jobs.drift);
    const run = drift.find((s) => s.name === "z3ops drift");
    expect(run?.env?.PG_CONN_STR).toBe("${{ secrets.PG_CONN_STR_READONLY }}");
    expect(run?.run).toContain('"$RUNNER_TEMP/secrets/tf-vars.json"');
    expect(drift.find((s) => s.name === "Remove the secrets")?.run).toContain('rm -rf "$RUNNER_TEMP/secrets"');
    const writers = Object.entries(wf.jobs).filter(
      ([, j]) => (j as { permissions?: Record<string, string> }).permissions?.issues === "write",
    );
    expect(writers.map(([id]) => id)).toEqual(["report"]);
    expect(secretNames(wf.jobs.report)).toEqual([]);
  });
});

describe("secrets only in the steps that use them", () => {
  test.each(files)("%s holds no secret in workflow-level or job-level env", (f) => {
    const wf = workflows[f];
    expect(hasSecret(wf.env)).toBe(false);
    for (const [id, job] of Object.entries(wf.jobs)) expect([id, hasSecret(job.env)]).toEqual([id, false]);
  });

  test.each(files)("%s never writes a secret into a run: script (only through env)", (f) => {
    for (const job of Object.values(workflows[f].jobs)) {
      for (const step of steps(job)) expect(step.run ?? "").not.toMatch(/\$\{\{[^}]*\bsecrets\b/);
    }
  });

  test.each(files)("%s installs (npm ci --ignore-scripts) and synthesizes before any secret enters the job", (f) => {
    for (const [id, job] of Object.entries(workflows[f].jobs)) {
      const all = steps(job);
      const firstSecret = all.findIndex(stepSecrets);
      all.forEach((step, i) => {
        const run = step.run ?? "";
        const where = `${f} ${id} step ${i} (${step.name ?? run.split("\n")[0]})`;
        if (/\bnpm (ci|install|i|rebuild)\b/.test(run)) {
          expect([where, run]).toEqual([where, expect.stringMatching(/\bnpm ci --ignore-scripts\b/)]);
          expect([where, run]).toEqual([where, expect.not.stringMatching(/\bnpm (install|i|rebuild)\b/)]);
        }
        if (/\bnpm (ci|install|i|rebuild)\b|\bnpm run synth\b/.test(run)) {
          expect([where, stepSecrets(step)]).toEqual([where, false]);
          expect([where, firstSecret === -1 || i < firstSecret]).toEqual([where, true]);
        }
      });
    }
  });

  test("Terraform variables and the ssh-agent reach the plan step through files, not $GITHUB_ENV", () => {
    for (const f of ["terraform-plan.yml", "terraform-apply.yml"]) {
      for (const step of steps(workflows[f].jobs[Object.keys(workflows[f].jobs)[0]])) {
        const run = step.run ?? "";
        expect(run).not.toMatch(/(SSH_AUTH_SOCK|\$name<<).*GITHUB_ENV/);
      }
    }
    const plan = steps(workflows["terraform-plan.yml"].jobs.plan);
    expect(plan.find((s) => s.name === "Terraform variables from the environment")?.run).toContain('>"$RUNNER_TEMP/secrets/tf-vars.json"');
    expect(plan.find((s) => s.name === "plan")?.run).toContain('"$RUNNER_TEMP/secrets/tf-vars.json"');
    expect(plan.find((s) => s.name === "Remove the secrets")?.run).toContain('rm -rf "$RUNNER_TEMP/secrets"');
  });
});

describe("plans read the state with read-only credentials", () => {
  const plan = steps(workflows["terraform-plan.yml"].jobs.plan);
  const apply = steps(workflows["terraform-apply.yml"].jobs.apply);

  test("terraform-plan.yml: PG_CONN_STR_READONLY, no backend DDL, no state lock", () => {
    expect(secretNames(workflows["terraform-plan.yml"].jobs.plan)).not.toContain("PG_CONN_STR");
    const withState = plan.filter((s) => s.env?.PG_CONN_STR !== undefined);
    expect(withState.map((s) => s.name)).toEqual(["init", "plan"]);
    for (const s of withState) {
      expect(s.env).toEqual({
        PG_CONN_STR: "${{ secrets.PG_CONN_STR_READONLY }}",
        PG_SKIP_SCHEMA_CREATION: "true",
        PG_SKIP_TABLE_CREATION: "true",
        PG_SKIP_INDEX_CREATION: "true",
      });
    }
    expect(plan.find((s) => s.name === "plan")?.run).toMatch(/"\$ENGINE" -chdir="\$STACK_DIR" plan -input=false -lock=false /);
  });

  test("terraform-apply.yml: the state credentials only where the state is used (init, apply)", () => {
    expect(apply.filter((s) => s.env?.PG_CONN_STR !== undefined).map((s) => [s.name, s.env?.PG_CONN_STR])).toEqual([
      ["init", "${{ secrets.PG_CONN_STR }}"],
      ["apply (saved plan)", "${{ secrets.PG_CONN_STR }}"],
    ]);
  });
});

describe("production releases only commits of main", () => {
  const ANCESTRY = /git merge-base --is-ancestor "\$GITHUB_SHA" origin\/main/;

  test("apply-production.yml checks the tag's commit before any job with a secret starts", () => {
    const wf = workflows["apply-production.yml"];
    const first = steps(wf.jobs.stacks);
    const check = first.findIndex((s) => ANCESTRY.test(s.run ?? ""));
    expect(check).toBeGreaterThan(-1);
    // main is fetched: the whole history at checkout, and main again by name.
    const checkout = first.findIndex((s) => (s.uses ?? "").startsWith("actions/checkout@"));
    expect(checkout).toBeLessThan(check);
    expect(first[checkout].with?.["fetch-depth"]).toBe(0);
    expect(first[check].run).toMatch(/git fetch [^\n]*refs\/heads\/main/);
    expect(first[check].run).toMatch(/::error::[^\n]*not on main[\s\S]*exit 1/);
    // Before anything is installed, and every other job waits for it.
    expect(first.findIndex((s) => /npm ci/.test(s.run ?? ""))).toBeGreaterThan(check);
    const needs = (id: string): string[] => {
      const n = wf.jobs[id].needs;
      const direct = n === undefined ? [] : Array.isArray(n) ? n : [n];
      return [...direct, ...direct.flatMap(needs)];
    };
    for (const id of Object.keys(wf.jobs).filter((j) => j !== "stacks"))
      expect([id, needs(id)]).toEqual([id, expect.arrayContaining(["stacks"])]);
    expect(wf.jobs.apply.uses).toBe("./.github/workflows/terraform-apply.yml");
  });

  test("the apply job checks it again before it decrypts or applies anything", () => {
    const apply = steps(workflows["terraform-apply.yml"].jobs.apply);
    const check = apply.findIndex((s) => ANCESTRY.test(s.run ?? ""));
    expect(check).toBeGreaterThan(-1);
    expect(apply[check].run).toMatch(/::error::[^\n]*not on main[\s\S]*exit 1/);
    expect(apply[0].with?.["fetch-depth"]).toBe(0);
    const firstSecret = apply.findIndex(stepSecrets);
    const applies = apply.findIndex((s) => /"\$ENGINE" -chdir="\$STACK_DIR" apply /.test(s.run ?? ""));
    expect(applies).toBeGreaterThan(-1);
    expect(check).toBeLessThan(firstSecret);
    expect(check).toBeLessThan(applies);
  });
});

describe("Terraform gets kreuzwerker/docker from the locked build only", () => {
  const lock = fs.readFileSync(path.join(ROOT, ".terraform.lock.hcl"), "utf8");

  test("the committed .terraform.lock.hcl locks the version the stacks require, with its checksums", () => {
    const block = /provider "registry\.terraform\.io\/kreuzwerker\/docker" \{([\s\S]*?)\n\}/.exec(lock)?.[1] ?? "";
    const version = /version\s+= "([^"]+)"/.exec(block)?.[1] ?? "";
    expect(/constraints = "([^"]+)"/.exec(block)?.[1]).toBe(DOCKER_PROVIDER_VERSION_CONSTRAINT);
    // Terraform's "~> 4.6.0" is semver's "~4.6.0".
    expect(semver.satisfies(version, DOCKER_PROVIDER_VERSION_CONSTRAINT.replace("~>", "~").replace(/\s+/g, ""))).toBe(true);
    expect(block).toMatch(/hashes = \[\n\s+"h1:[A-Za-z0-9+/]{43}=",\n/);
    // The only provider: the stacks need no other.
    expect(lock.match(/^provider "/gm)).toHaveLength(1);
  });

  test.each(["terraform-plan.yml", "terraform-apply.yml"])(
    "%s prepares the engine (lock file, mirror) from the run's provider artifact, then inits with -lockfile=readonly",
    (f) => {
      const job = workflows[f].jobs[Object.keys(workflows[f].jobs)[0]];
      const init = steps(job).find((s) => s.name === "init")?.run ?? "";
      expect(init).toMatch(/"\$ENGINE" -chdir="\$STACK_DIR" init -input=false -lockfile=readonly/);
      // From the run's provider artifact, through a mirror that is the provider's only source
      // (scripts/ci-engine.sh writes it, and the stack's lock file; test/tools/ci-engine.test.ts).
      const names = steps(job).map((s) => s.name);
      const download = steps(job).find(
        (s) => (s.uses ?? "").startsWith("actions/download-artifact@") && s.with?.name === "terraform-provider-docker",
      );
      expect(download).toBeDefined();
      const engine = steps(job).find((s) => s.uses === "./.github/actions/engine");
      expect(engine?.with).toEqual({
        engine: "${{ inputs.engine }}",
        providers: "${{ runner.temp }}/terraform-providers",
        tofu: "${{ runner.temp }}/opentofu",
        "stack-dir": "cdktf.out/stacks/${{ inputs.stack }}",
      });
      expect(names.indexOf(engine?.name)).toBeLessThan(names.indexOf("init"));
    },
  );

  test("every terraform init in the workflows is read-only on the lock file", () => {
    let inits = 0;
    for (const f of files) {
      for (const job of Object.values(workflows[f].jobs)) {
        for (const step of steps(job)) {
          for (const m of (step.run ?? "").matchAll(/(?:\bterraform|\btofu|"\$ENGINE") (?:-chdir=\S+ )?init\b[^\n]*/g)) {
            inits++;
            expect([f, m[0]]).toEqual([f, expect.stringContaining("-lockfile=readonly")]);
          }
        }
      }
    }
    expect(inits).toBe(3);
  });

  test("the provider is built with the Go release of the lock, checked against it, without secrets", () => {
    const script = fs.readFileSync(path.join(ROOT, "scripts", "provider-lock.sh"), "utf8");
    const goVersion = /^readonly PROVIDER_GO_VERSION="go([\d.]+)"$/m.exec(script)?.[1];
    const build = workflows["terraform-provider.yml"].jobs.build;
    const all = steps(build);
    expect(all.find((s) => (s.uses ?? "").startsWith("actions/setup-go@"))?.with).toEqual({ "go-version": goVersion, cache: false });
    const runs = all.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("bash scripts/bootstrap-engine.sh --skip-docker");
    expect(runs).toContain('bash scripts/provider-lock.sh --check --mirror "$RUNNER_TEMP/z3-infra/terraform-providers"');
    expect(build.environment).toBeUndefined();
    expect(hasSecret(build)).toBe(false);
    // Every workflow that plans builds it first, in a job the plans wait for.
    for (const f of ["pull-request.yml", "plan-production.yml", "apply-production.yml"]) {
      const jobs = workflows[f].jobs;
      expect([f, jobs.provider?.uses]).toEqual([f, "./.github/workflows/terraform-provider.yml"]);
      expect([f, jobs.plan.needs]).toEqual([f, expect.arrayContaining(["provider"])]);
    }
  });
});

describe("Node", () => {
  const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;

  test("the workflows use the Node release the project is tested with, which package.json engines admits", () => {
    const major = semver.major(process.version);
    expect(semver.satisfies(process.version, engines)).toBe(true);
    // Only the tested release line: a Node that was never tested fails `npm ci` (engine-strict).
    expect(semver.satisfies(`${major + 2}.0.0`, engines)).toBe(false);
    for (const f of files) {
      for (const job of Object.values(workflows[f].jobs)) {
        for (const step of steps(job).filter((s) => (s.uses ?? "").startsWith("actions/setup-node@"))) {
          expect([f, String(step.with?.["node-version"])]).toEqual([f, String(major)]);
        }
      }
    }
  });
});

describe("the plan's policy gate", () => {
  test("terraform-plan.yml runs npm run policy on the saved plan's JSON and fails before the plan is encrypted (nothing to apply)", () => {
    const job = workflows["terraform-plan.yml"].jobs[Object.keys(workflows["terraform-plan.yml"].jobs)[0]];
    const names = steps(job).map((s) => s.name);
    const gate = steps(job).findIndex((s) => /npm run --silent policy -- "\$STACK" "\$plan_json"/.test(s.run ?? ""));
    expect(gate).toBeGreaterThan(names.indexOf("plan"));
    expect(gate).toBeLessThan(names.indexOf("Encrypt the plan"));
    const run = steps(job)[gate].run ?? "";
    // The JSON is of the plan just made, and a refusal ends the job.
    expect(run).toMatch(
      /show -json tfplan\n\s*\) >"\$plan_json"[\s\S]*npm run --silent policy[\s\S]*policy=\$\?[\s\S]*if \[ "\$policy" -ne 0 \]; then[\s\S]*exit 1/,
    );
  });
});

describe("the engine is an input of the plan and apply workflows, and OpenTofu's state is encrypted", () => {
  const reusable = ["terraform-provider.yml", "terraform-plan.yml", "terraform-apply.yml"];
  const ENGINE_SETTING = "${{ vars.TERRAFORM_BINARY_NAME || 'terraform' }}";

  test.each(reusable)("%s takes `engine`, terraform by default", (f) => {
    const on = triggers(workflows[f]) as { workflow_call: { inputs: Record<string, { type: string; default: string }> } };
    expect(on.workflow_call.inputs.engine).toMatchObject({ type: "string", default: "terraform" });
  });

  test("every caller passes the one setting, TERRAFORM_BINARY_NAME, to every provider, plan and apply job", () => {
    let calls = 0;
    for (const f of files) {
      for (const [id, job] of Object.entries(workflows[f].jobs)) {
        if (!reusable.some((r) => job.uses === `./.github/workflows/${r}`)) continue;
        calls++;
        expect([f, id, job.with?.engine]).toEqual([f, id, ENGINE_SETTING]);
      }
    }
    expect(calls).toBe(9);
  });

  test.each(["terraform-plan.yml", "terraform-apply.yml"])(
    "%s: OpenTofu gets the run's build and the state key before init; no engine command runs before it",
    (f) => {
      const job = steps(workflows[f].jobs[Object.keys(workflows[f].jobs)[0]]);
      const names = job.map((s) => s.name);
      const tofu = job.find((s) => (s.uses ?? "").startsWith("actions/download-artifact@") && s.with?.name === "opentofu");
      expect(tofu?.with?.path).toBe("${{ runner.temp }}/opentofu");
      expect((tofu as { if?: string }).if).toBe("inputs.engine == 'tofu'");
      const setupTerraform = job.find((s) => (s.uses ?? "").startsWith("hashicorp/setup-terraform@")) as { if?: string };
      expect(setupTerraform.if).toBe("inputs.engine != 'tofu'");
      const enc = job.find((s) => s.name === "State encryption (OpenTofu)") as Step & { if?: string };
      expect(enc.if).toBe("inputs.engine == 'tofu'");
      expect(enc.run).toBe('bash scripts/ci-state-encryption.sh "$RUNNER_TEMP/secrets/engine.env"');
      expect(enc.env).toEqual({
        TOFU_STATE_PASSPHRASE: "${{ secrets.TOFU_STATE_PASSPHRASE }}",
        TOFU_STATE_PASSPHRASE_PREVIOUS: "${{ secrets.TOFU_STATE_PASSPHRASE_PREVIOUS }}",
      });
      expect(names.indexOf(enc.name)).toBeLessThan(names.indexOf("init"));
      // Every engine command reads the key file; none is `terraform` by name.
      const engineCommand = /"\$ENGINE" -chdir="\$STACK_DIR" (\w+)/g;
      let commands = 0;
      job.forEach((s, i) => {
        const run = s.run ?? "";
        expect([s.name, run]).not.toEqual([s.name, expect.stringMatching(/\bterraform -chdir/)]);
        for (const m of run.matchAll(engineCommand)) {
          commands++;
          expect(i).toBeGreaterThan(names.indexOf(enc.name));
          const before = run.slice(0, m.index);
          expect([s.name, m[1], before]).toEqual([s.name, m[1], expect.stringContaining('. "$RUNNER_TEMP/secrets/engine.env"')]);
        }
      });
      expect(commands).toBe(f === "terraform-plan.yml" ? 3 : 4);
    },
  );

  test("no npm command runs in a shell that holds the state key (it is sourced in a subshell there)", () => {
    for (const f of ["terraform-plan.yml", "terraform-apply.yml"]) {
      for (const s of steps(workflows[f].jobs[Object.keys(workflows[f].jobs)[0]])) {
        const run = s.run ?? "";
        const source = run.indexOf('. "$RUNNER_TEMP/secrets/engine.env"');
        const npm = run.indexOf("npm run", source);
        if (source === -1 || npm === -1) continue;
        // The key is sourced inside `( … )` that closes before the npm command.
        const open = run.lastIndexOf("(", source);
        const close = run.indexOf("\n)", source) + 1 || run.indexOf(")", source);
        expect([f, s.name, open > -1 && close > source && close < npm]).toEqual([f, s.name, true]);
      }
    }
  });

  test("the apply refuses a plan made with another engine or version", () => {
    const apply = steps(workflows["terraform-apply.yml"].jobs.apply);
    const check = apply.find((s) => s.name === "Check and decrypt the plan")?.run ?? "";
    expect(check).toMatch(/planned_engine="\$\(jq -r \.engine "\$meta"\) \$\(jq -r \.engine_version "\$meta"\)"/);
    expect(check).toMatch(/if \[ "\$planned_engine" != "\$engine" \]; then\n[^\n]*::error::[^\n]*\n\s*exit 1/);
    const plan = steps(workflows["terraform-plan.yml"].jobs.plan);
    expect(plan.find((s) => s.name === "Encrypt the plan")?.run).toContain("engine: $engine, engine_version: $engine_version");
  });
});
