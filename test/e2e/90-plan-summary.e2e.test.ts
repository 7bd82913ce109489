import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { App, Construct, LocalBackend, TerraformStack, TerraformVariable } from "../../lib/cdk";
import { DockerProvider } from "../../lib/docker";
import { ContainerImage, Network, Secret, Service, Volume } from "../../lib";
import { summarizePlans, SummaryOptions, SummaryResult } from "../../tools/plan-summary";
import { diffSynth, loadSynthTree } from "../../tools/synth-diff";
import { docker, dockerOk } from "./harness/docker-engine";
import { DOCKER_HOST, E2eConfig, loadConfig, REPO_ROOT } from "./harness/env";
import { detail, say } from "./harness/log";
import { run, tail } from "./harness/process";
import { record, seconds } from "./harness/report";
import { randomString } from "./harness/secrets";
import { StackUnderTest } from "./harness/stacks";
import { assertRunningAndHealthy, assertSecretFile, cleanUp, destroyAndAssertClean, ensureNoConflicts } from "./harness/steps";
import { scenario } from "./harness/suite";
import { Terraform } from "./harness/terraform";
import type { TfJson } from "../tf-json";

/**
 * The review tools on real plans: a small stack of the project's constructs, named like a
 * production stack so the data-loss gate applies, is planned against the local engine once per
 * kind of change (create, in-place update, replacement, volume removed from the configuration,
 * rotated secret), and `summarizePlans` / the `plan:summary` CLI / `diffSynth` are checked on what
 * Terraform and kreuzwerker/docker 3.6.2 really produce. Every Docker name starts with
 * `review-e2e-`, so the stack cannot collide with the other e2e stacks on the same engine.
 */

const STACK = "review-e2e-production";
const PREFIX = "review-e2e-";
/** Built by the global setup (scripts/build-standins-e2e.sh); never pulled. */
const IMAGE = "z3-e2e/base:local";
const SECRET_VARIABLE = "review_e2e_api_token";
const SECRET_PATH = "/run/secrets/api_token";
const MINUTE = 60_000;

const APP = "docker_container.app";
const LOADER = "docker_container.app_files";
const ARCHIVE = "docker_volume.archive";

/** What differs between the synthesized versions of the stack. */
interface Version {
  /** Memory limit: provider 3.6.2 updates memory and memory_swap in place. */
  readonly memoryMiB: number;
  /** A plain environment variable: any env change forces a container replacement. */
  readonly logLevel: string;
  /** false: the archive volume leaves the configuration (Terraform destroys it). */
  readonly archiveVolume: boolean;
  /** false only in the version used to tear the stack down. */
  readonly preventDestroy: boolean;
}

const V1: Version = { memoryMiB: 64, logLevel: "info", archiveVolume: true, preventDestroy: true };
const VERSIONS = {
  v1: V1,
  update: { ...V1, memoryMiB: 96 },
  replace: { ...V1, logLevel: "debug" },
  "volume-removed": { ...V1, archiveVolume: false },
  teardown: { ...V1, preventDestroy: false },
} satisfies Record<string, Version>;
type VersionName = keyof typeof VERSIONS;

/** A production-named stack: one long-running service with a stateful volume and a secret file. */
class ReviewStack extends TerraformStack {
  constructor(scope: Construct, stateFile: string, v: Version) {
    super(scope, STACK);
    const dockerHost = new TerraformVariable(this, "docker_host", {
      type: "string",
      default: DOCKER_HOST,
      nullable: false,
      description: "Docker host to deploy to.",
    });
    new DockerProvider(this, "docker", { host: dockerHost.stringValue });
    new LocalBackend(this, { path: stateFile });

    const image = new ContainerImage(this, "Image", { reference: IMAGE });
    const network = new Network(this, "Network", { name: `${PREFIX}net` });
    const data = new Volume(this, "Data", { name: `${PREFIX}data`, stateful: true, preventDestroy: v.preventDestroy });
    // Data of a retired job: no container mounts it, so removing it is a plain destroy.
    if (v.archiveVolume) new Volume(this, "Archive", { name: `${PREFIX}archive`, stateful: true, preventDestroy: v.preventDestroy });
    const token = new Secret(this, "ApiToken", { variableName: SECRET_VARIABLE, description: "API token of the review e2e service" });
    new Service(this, "App", {
      name: `${PREFIX}app`,
      image,
      user: "1000:1000",
      // PID 1 leaves on SIGTERM within a second: destroys and replacements do not wait for the kill.
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
      environment: { LOG_LEVEL: v.logLevel },
      resources: { memoryMiB: v.memoryMiB },
      healthCheck: { test: ["CMD", "test", "-r", SECRET_PATH], intervalSeconds: 2, timeoutSeconds: 2, retries: 3 },
      waitForHealthySeconds: 60,
      stopTimeoutSeconds: 5,
      networks: [{ network }],
      volumes: [data.mount("/data")],
      secretFiles: [token.file(SECRET_PATH)],
    });
  }
}

/** One `terraform plan -out` of a version, and its `terraform show -json`. */
interface RealPlan {
  readonly label: string;
  /** plan -detailed-exitcode: 0 no changes, 2 changes. */
  readonly code: number;
  readonly json: unknown;
  /** The show -json text (holds every secret in clear text: never logged). */
  readonly text: string;
  /** The binary plan, relative to the stack directory. */
  readonly planFile: string;
  /** Where the show -json output was written (for the CLI). */
  readonly jsonFile: string;
}

describe("plan summary and synth diff on real plans of a production-named stack", () => {
  let config: E2eConfig;
  let base: string;
  let plansDir: string;
  const synthDirs = {} as Record<VersionName, string>;
  const tfs = {} as Record<VersionName, Terraform>;
  /** v1 through the harness: generated secret, conflict check, health and secret-file checks. */
  let s: StackUnderTest;
  /** The version without prevent_destroy, for terraform destroy (also in afterAll). */
  let teardown: StackUnderTest | undefined;
  let rotated: Terraform;
  let secret: string;
  let rotatedSecret: string;
  /** Set once no review-e2e- object existed before this run: from then on they are this run's to remove. */
  let ownsPrefix = false;
  let deployed = false;
  let destroyed = false;
  const plans: Partial<Record<string, RealPlan>> = {};
  const summaries: SummaryResult[] = [];
  const { step } = scenario();

  beforeAll(() => {
    config = loadConfig();
    base = join(config.workDir, "review-e2e");
    plansDir = join(base, "plans");
    mkdirSync(plansDir, { recursive: true, mode: 0o700 });
  });

  afterAll(async () => {
    // Plan JSON holds the secrets in clear text: never left behind, even in a kept work directory.
    if (plansDir) rmSync(plansDir, { recursive: true, force: true });
    for (const dir of Object.values(synthDirs)) {
      const stackDir = join(dir, "stacks", STACK);
      if (!existsSync(stackDir)) continue;
      for (const f of readdirSync(stackDir)) if (f.endsWith(".tfplan")) rmSync(join(stackDir, f), { force: true });
    }
    if (!ownsPrefix) return;
    if (process.env.E2E_KEEP === "1") {
      say(`${STACK}: E2E_KEEP=1, leaving the stack deployed`);
      return;
    }
    if (deployed && !destroyed && teardown) await cleanUp(teardown);
    // Whatever is left with the prefix (a failed destroy, a run that broke before init) goes, and then nothing may remain.
    let left = await leftovers();
    if (left.containers.length + left.volumes.length + left.networks.length > 0) {
      say(`${STACK}: removing leftovers ${JSON.stringify(left)}`);
      if (left.containers.length) await docker(["rm", "-f", "-v", ...left.containers]);
      if (left.volumes.length) await docker(["volume", "rm", "-f", ...left.volumes]);
      if (left.networks.length) await docker(["network", "rm", ...left.networks]);
      left = await leftovers();
    }
    expect(left).toEqual({ containers: [], volumes: [], networks: [] });
  }, 10 * MINUTE);

  step("synthesizes five versions of the stack with the project's constructs (cdktf App + synth)", async () => {
    const stateFile = join(base, `terraform.${STACK}.tfstate`);
    for (const [name, version] of Object.entries(VERSIONS) as [VersionName, Version][]) {
      const outdir = join(base, "synth", name);
      mkdirSync(outdir, { recursive: true });
      const app = new App({ outdir });
      new ReviewStack(app, stateFile, version);
      app.synth();
      synthDirs[name] = outdir;
    }
    const json = readSynth("v1");
    expect(Object.keys(json.resource).sort()).toEqual([
      "docker_container",
      "docker_image",
      "docker_network",
      "docker_volume",
      "terraform_data",
    ]);
    // The secret's length check, created (and counted) with the rest by the first plan.
    expect(Object.keys(json.resource.terraform_data)).toEqual([`${SECRET_VARIABLE}_length`]);
    expect(Object.keys(json.resource.docker_container).sort()).toEqual(["app", "app_files"]);
    expect(Object.keys(json.resource.docker_volume).sort()).toEqual(["app_files_run_secrets", "archive", "data"]);
    expect(json.resource.docker_volume.archive.lifecycle).toEqual({ prevent_destroy: true });
    expect(readSynth("volume-removed").resource.docker_volume.archive).toBeUndefined();
    expect(readSynth("teardown").resource.docker_volume.data.lifecycle).toBeUndefined();
    // The secret has no value in the configuration: only a sensitive variable, set through TF_VAR_.
    expect(json.variable[SECRET_VARIABLE].sensitive).toBe(true);
  });

  step("no review-e2e- container, volume or network exists yet; terraform init in every version (provider mirror)", async () => {
    s = new StackUnderTest(STACK, { ...config, outDir: synthDirs.v1 });
    secret = s.secrets[SECRET_VARIABLE];
    rotatedSecret = `e2e${randomString(32)}`;
    expect(secret).toBeTruthy();
    await ensureNoConflicts(s);
    const before = await leftovers();
    if (before.containers.length + before.volumes.length + before.networks.length > 0) {
      throw new Error(`the engine already has ${PREFIX}* objects this run did not create: ${JSON.stringify(before)}; remove them first`);
    }
    ownsPrefix = true;
    teardown = new StackUnderTest(STACK, { ...config, outDir: synthDirs.teardown });
    const options = { vars: s.vars, secrets: s.secrets, pgBackend: false };
    for (const name of Object.keys(VERSIONS) as VersionName[]) {
      tfs[name] =
        name === "v1" ? s.tf : name === "teardown" ? teardown.tf : new Terraform(STACK, { ...config, outDir: synthDirs[name] }, options);
    }
    rotated = new Terraform(STACK, { ...config, outDir: synthDirs.v1 }, { ...options, secrets: { [SECRET_VARIABLE]: rotatedSecret } });
    const t0 = Date.now();
    for (const tf of Object.values(tfs)) await tf.init();
    record(STACK, "init s (5 versions)", seconds(Date.now() - t0));
  });

  step("create: the first plan (empty state) adds every resource, calls nothing out, exit 0", async () => {
    const p = await plan(tfs.v1, "create");
    expect(p.code).toBe(2);
    const json = readSynth("v1");
    const addresses = Object.entries(json.resource as Record<string, Record<string, unknown>>).flatMap(([type, byName]) =>
      Object.keys(byName).map((n) => `${type}.${n}`),
    );
    const r = summarize(p);
    const st = r.stacks[0];
    expect(st.environment).toBe("production");
    expect(st.gated).toBe(true);
    expect(st.counts).toEqual({ add: addresses.length, change: 0, replace: 0, destroy: 0 });
    expect(st.resources.map((x) => x.address).sort()).toEqual(addresses.sort());
    expect(st.resources.every((x) => x.action === "create")).toBe(true);
    expect(st.callouts).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.verdict).toBe(`✅ **No downtime or data loss found** in ${addresses.length} changes.`);
    expectVerdictFirst(r);
    expect(r.markdown).toContain(`| \`${STACK}\` | production (gated) | ${addresses.length} | 0 | 0 | 0 |`);
    expect(r.markdown).toContain(`**\`${APP}\`** — create — name \`${PREFIX}app\``);
  });

  step("apply the saved create plan (what CI does); the service runs healthy with its secret file", async () => {
    const r = await tfs.v1.tf(["apply", "-input=false", "-no-color", plans.create!.planFile], 10 * MINUTE);
    deployed = true;
    if (r.code !== 0)
      throw new Error(`terraform apply ${plans.create!.planFile} failed (exit ${r.code}):\n${tail(r.stderr + "\n" + r.stdout, 60)}`);
    record(STACK, "apply s", seconds(r.ms));
    say(`${STACK}: ${r.stdout.match(/Apply complete![^\n]*/)?.[0] ?? "applied"} (${seconds(r.ms)}s)`);
    await assertRunningAndHealthy(s, 2 * MINUTE);
    await assertSecretFile(s, `${PREFIX}app`, SECRET_PATH, SECRET_VARIABLE, "0444", "1000:1000");
    expect(await existingWithPrefix("volume")).toEqual([`${PREFIX}app-files-run-secrets`, `${PREFIX}archive`, `${PREFIX}data`]);
  });

  step("no change: re-planning v1 right after the apply is empty and says so", async () => {
    const p = await plan(tfs.v1, "reapply");
    const r = summarize(p);
    expect(r.stacks[0].resources.map((x) => `${x.address} (${x.action})`)).toEqual([]);
    expect(p.code).toBe(0);
    expect(r.stacks[0].counts).toEqual({ add: 0, change: 0, replace: 0, destroy: 0 });
    expect(r.exitCode).toBe(0);
    expect(r.verdict).toBe("✅ **No changes.**");
    expectVerdictFirst(r);
  });

  step("in-place update: a new memory limit is 1 change, updated in place, no call-out, exit 0", async () => {
    const p = await plan(tfs.update, "update");
    expect(p.code).toBe(2);
    const r = summarize(p);
    const st = r.stacks[0];
    expect(st.counts).toEqual({ add: 0, change: 1, replace: 0, destroy: 0 });
    expect(st.resources.map((x) => [x.address, x.action])).toEqual([[APP, "update"]]);
    expect(st.resources[0].diffLines).toEqual(
      expect.arrayContaining(["- memory = 64", "+ memory = 96", "- memory_swap = 64", "+ memory_swap = 96"]),
    );
    expect(st.callouts).toEqual([]);
    expect(st.warnings).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.verdict).toBe("✅ **No downtime or data loss found** in 1 change.");
    expectVerdictFirst(r);
    expect(r.markdown).toContain(`| \`${STACK}\` | production (gated) | 0 | 1 | 0 | 0 |`);
    expect(r.markdown).toContain(`**\`${APP}\`** — update in place — name \`${PREFIX}app\``);
    expect(r.markdown).not.toContain("### Attention");
  });

  step("replace: a changed env var replaces the service, called out as downtime above the details, forced by env", async () => {
    const p = await plan(tfs.replace, "replace");
    expect(p.code).toBe(2);
    const r = summarize(p);
    const st = r.stacks[0];
    expect(st.counts).toEqual({ add: 0, change: 0, replace: 1, destroy: 0 });
    expect(st.resources.map((x) => [x.address, x.action])).toEqual([[APP, "replace"]]);
    expect(st.resources[0].replaceBecause).toEqual(["env"]);
    expect(st.resources[0].diffLines).toEqual(
      expect.arrayContaining(['- env = "LOG_LEVEL=info"  # forces replacement', '+ env = "LOG_LEVEL=debug"  # forces replacement']),
    );
    expect(st.callouts).toEqual([
      {
        kind: "downtime",
        stack: STACK,
        address: APP,
        gating: false,
        text: `**downtime**: long-running container \`${APP}\` (\`${PREFIX}app\`) is stopped, removed and recreated (forced by \`env\`).`,
      },
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.verdict).toBe("⚠️ **Review needed:** 1 long-running container with downtime.");
    expectVerdictFirst(r);
    expect(r.markdown).toContain(`| \`${STACK}\` | production (gated) | 0 | 0 | **1** | 0 |`);
    // The replacement is at the top: in Attention, right after the table, before the collapsed details.
    const attention = r.markdown.indexOf("### Attention");
    const calloutLine = r.markdown.indexOf(`- 🔁 \`${STACK}\`: **downtime**: long-running container \`${APP}\``);
    const details = r.markdown.indexOf("<details>");
    expect(attention).toBeGreaterThan(0);
    expect(calloutLine).toBeGreaterThan(attention);
    expect(details).toBeGreaterThan(calloutLine);
    expect(r.markdown).toContain(`**\`${APP}\`** — replace — name \`${PREFIX}app\`, forced by \`env\``);
  });

  step(
    "volume removed from the configuration: 1 destroy, called out as gated data loss, exit 2 (0 with allowDataLoss, 0 when not production)",
    async () => {
      const p = await plan(tfs["volume-removed"], "volume-removed");
      expect(p.code).toBe(2);
      const r = summarize(p);
      const st = r.stacks[0];
      expect(st.counts).toEqual({ add: 0, change: 0, replace: 0, destroy: 1 });
      expect(st.resources.map((x) => [x.address, x.action, x.actionReason])).toEqual([
        [ARCHIVE, "delete", "delete_because_no_resource_config"],
      ]);
      const dataLoss = {
        kind: "data-loss",
        stack: STACK,
        address: ARCHIVE,
        gating: true,
        text: `**data loss**: stateful volume \`${ARCHIVE}\` (\`${PREFIX}archive\`) is destroyed (removed from the configuration); its data is deleted.`,
      };
      expect(st.callouts).toEqual([dataLoss]);
      expect(r.blocking).toEqual([dataLoss]);
      expect(r.exitCode).toBe(2);
      expect(r.verdict).toBe(
        `⛔ **Blocked:** \`${STACK}\` would destroy or replace 1 volume (data loss). Apply only after a backup, with \`--allow-data-loss\` (in CI: the \`allow-data-loss\` pull request label).`,
      );
      expectVerdictFirst(r);
      expect(r.markdown).toContain(`| \`${STACK}\` | production (gated) | 0 | 0 | 0 | **1** |`);
      expect(r.markdown).toContain(`- ⛔ \`${STACK}\`: ${dataLoss.text} _(gated)_`);
      expect(r.markdown.indexOf("### Attention")).toBeLessThan(r.markdown.indexOf("<details>"));
      expect(r.markdown).toContain(`**\`${ARCHIVE}\`** — destroy — name \`${PREFIX}archive\`, no longer in the configuration`);

      const allowed = summarize(p, { allowDataLoss: true });
      expect(allowed.exitCode).toBe(0);
      expect(allowed.blocking).toEqual([dataLoss]);
      expect(allowed.verdict).toBe(`⚠️ **Data loss allowed** (--allow-data-loss) in \`${STACK}\`: 1 volume destroyed or replaced.`);
      expectVerdictFirst(allowed);

      // The same plan under a staging name: listed, not gated.
      const staging = summarizePlans([{ stack: "review-e2e-staging", plan: p.json }]);
      expect(staging.exitCode).toBe(0);
      expect(staging.blocking).toEqual([]);
      expect(staging.verdict).toBe("⚠️ **Review needed:** 1 volume destroyed or replaced.");
    },
  );

  step(
    "CLI end to end: npm run plan:summary -- --stack review-e2e-production=<plan.json> exits 2 and prints the same Markdown",
    async () => {
      const p = plans["volume-removed"]!;
      const r = await run("npm", ["run", "plan:summary", "--", "--stack", `${STACK}=${p.jsonFile}`], {
        cwd: REPO_ROOT,
        timeoutMs: 3 * MINUTE,
      });
      expect(r.timedOut).toBe(false);
      expect({ code: r.code, stderr: r.stderr.split("\n").filter((l) => l.startsWith("blocked:") || l.startsWith("error:")) }).toEqual({
        code: 2,
        stderr: [`blocked: ${STACK} ${ARCHIVE} (data loss; --allow-data-loss to proceed)`],
      });
      expect(r.stdout).toContain(summarize(p).markdown);
    },
  );

  step(
    "sensitive value change: a rotated secret replaces the files loader and the service; neither value is printed, the change is reported masked",
    async () => {
      const p = await plan(rotated, "rotated-secret");
      expect(p.code).toBe(2);
      // The plan JSON itself carries both values in clear text: the summary is what must hide them.
      expect(p.text.includes(secret)).toBe(true);
      expect(p.text.includes(rotatedSecret)).toBe(true);
      const r = summarize(p);
      const st = r.stacks[0];
      expect(st.counts).toEqual({ add: 0, change: 0, replace: 2, destroy: 0 });
      const loader = st.resources.find((x) => x.address === LOADER);
      const app = st.resources.find((x) => x.address === APP);
      expect(st.resources.map((x) => [x.address, x.action]).sort()).toEqual([
        [APP, "replace"],
        [LOADER, "replace"],
      ]);
      expect(loader!.replaceBecause).toEqual(["upload"]);
      expect(app!.actionReason).toBe("replace_by_triggers");
      // Only the uploaded content changed: reported as a hidden change of a masked value.
      expect(loader!.diffLines.filter((l) => l.startsWith("- ") || l.startsWith("+ "))).toEqual([
        "- upload[0].content = (sensitive value)  # forces replacement; hidden value changed",
        "+ upload[0].content = (sensitive value)  # forces replacement; hidden value changed",
      ]);
      expect(r.markdown).toContain("hidden value changed");
      expect(st.callouts).toEqual([
        {
          kind: "downtime",
          stack: STACK,
          address: APP,
          gating: false,
          text: `**downtime**: long-running container \`${APP}\` (\`${PREFIX}app\`) is stopped, removed and recreated (\`replace_triggered_by\`: its files loader \`${LOADER}\` is replaced, so an uploaded file or secret changed).`,
        },
      ]);
      expect(r.exitCode).toBe(0);
      expect(r.verdict).toBe("⚠️ **Review needed:** 1 long-running container with downtime.");
      expectVerdictFirst(r);
      expect(r.markdown).toContain(`**\`${APP}\`** — replace — name \`${PREFIX}app\`, triggered by \`replace_triggered_by\``);
    },
  );

  step("no summary of any real plan contains a secret value (clear, JSON-escaped or base64)", async () => {
    expect(summaries.length).toBeGreaterThanOrEqual(8);
    const needles = [secret, rotatedSecret].flatMap((v) => [v, Buffer.from(v).toString("base64")]);
    const leaks = summaries.flatMap((r, i) =>
      needles.filter((n) => r.markdown.includes(n) || JSON.stringify(r).includes(n)).map(() => `summary #${i}`),
    );
    // Only which summary, never the values, reaches the failure message.
    expect(leaks).toEqual([]);
    // Checked clean: the Markdown goes into the run's log for whoever reads the e2e output.
    for (const r of summaries) detail(`--- plan summary (${r.verdict}) ---\n${r.markdown}`);
  });

  step(
    "diffSynth v1 → volume removed flags the removed volume as gated data loss (exit 2); in-place and replacement versions agree with the plans",
    async () => {
      const v1 = loadSynthTree(synthDirs.v1);
      const removed = diffSynth(v1, loadSynthTree(synthDirs["volume-removed"]), { baseLabel: "v1", headLabel: "volume-removed" });
      expect(removed.exitCode).toBe(2);
      const st = removed.stacks.find((x) => x.stack === STACK)!;
      expect(st.gated).toBe(true);
      expect(st.resources.map((x) => [x.address, x.status, x.name])).toEqual([[ARCHIVE, "removed", `${PREFIX}archive`]]);
      expect(st.callouts).toEqual([
        {
          kind: "data-loss",
          stack: STACK,
          address: ARCHIVE,
          gating: true,
          text: `**data loss**: stateful volume \`${ARCHIVE}\` (\`${PREFIX}archive\`) is removed: Terraform destroys it and its data. Its \`prevent_destroy\` goes with the removed resource block, so Terraform will not refuse.`,
        },
      ]);
      expect(removed.verdict).toMatch(/^⛔ \*\*Blocked:\*\* `review-e2e-production` would lose 1 volume/);
      expect(removed.markdown).toContain(`${PREFIX}archive`);
      expect(diffSynth(v1, loadSynthTree(synthDirs["volume-removed"]), { allowDataLoss: true }).exitCode).toBe(0);

      const update = diffSynth(v1, loadSynthTree(synthDirs.update)).stacks[0];
      expect(update.resources.map((x) => [x.address, x.status, x.forcedBy])).toEqual([[APP, "changed", []]]);
      expect(update.callouts).toEqual([]);

      const replace = diffSynth(v1, loadSynthTree(synthDirs.replace)).stacks[0];
      expect(replace.resources.map((x) => [x.address, x.status, x.forcedBy])).toEqual([[APP, "changed", ["env"]]]);
      expect(replace.callouts.map((c) => [c.kind, c.address, c.gating])).toEqual([["downtime", APP, false]]);

      // The teardown version only drops prevent_destroy: both volumes are reported as losing it.
      const td = diffSynth(v1, loadSynthTree(synthDirs.teardown)).stacks[0];
      expect(td.callouts).toEqual([]);
      expect([...td.warnings].sort()).toEqual([
        `\`${ARCHIVE}\` (\`${PREFIX}archive\`) loses \`prevent_destroy\`: Terraform will no longer refuse to destroy it.`,
        `\`docker_volume.data\` (\`${PREFIX}data\`) loses \`prevent_destroy\`: Terraform will no longer refuse to destroy it.`,
      ]);
    },
  );

  step("terraform destroy (version without prevent_destroy): no review-e2e- container, volume or network is left", async () => {
    await destroyAndAssertClean(teardown!);
    destroyed = true;
    expect(await leftovers()).toEqual({ containers: [], volumes: [], networks: [] });
  });

  // ------------------------------------------------------------------------------------------

  function readSynth(name: VersionName): TfJson {
    return JSON.parse(readFileSync(join(synthDirs[name], "stacks", STACK, "cdk.tf.json"), "utf8"));
  }

  function summarize(p: RealPlan, options: SummaryOptions = {}): SummaryResult {
    const r = summarizePlans([{ stack: STACK, plan: p.json }], options);
    summaries.push(r);
    return r;
  }

  /** terraform plan -detailed-exitcode -out, then show -json (kept in memory and in a private file). */
  async function plan(tf: Terraform, label: string): Promise<RealPlan> {
    const planFile = `${label}.tfplan`;
    const r = await tf.tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", `-out=${planFile}`, ...tf.varArgs()], 10 * MINUTE);
    if (r.code !== 0 && r.code !== 2)
      throw new Error(
        `${STACK}: terraform plan (${label}) failed (exit ${r.code}${r.timedOut ? ", timed out" : ""}):\n${tail(r.stderr + "\n" + r.stdout, 60)}`,
      );
    // show -json prints sensitive values in clear text: never logged.
    const show = await run(tf.engine, ["show", "-json", planFile], { cwd: tf.dir, env: tf.env(), timeoutMs: 2 * MINUTE, quiet: true });
    if (show.code !== 0) throw new Error(`${STACK}: terraform show -json ${planFile} failed (exit ${show.code}):\n${tail(show.stderr)}`);
    const jsonFile = join(plansDir, `${STACK}.${label}.plan.json`);
    writeFileSync(jsonFile, show.stdout, { mode: 0o600 });
    const p: RealPlan = { label, code: r.code, json: JSON.parse(show.stdout), text: show.stdout, planFile, jsonFile };
    plans[label] = p;
    record(STACK, `plan s (${label})`, seconds(r.ms));
    say(`${STACK}: plan ${label}: exit ${r.code} (${seconds(r.ms)}s)`);
    return p;
  }
});

/** The verdict is the first line under the heading. */
function expectVerdictFirst(r: SummaryResult): void {
  const lines = r.markdown.split("\n");
  expect(lines[0]).toBe("<!-- plan-summary -->");
  expect(lines[1]).toBe(`## Terraform plan summary: ${STACK}`);
  expect(lines[3]).toBe(r.verdict);
}

async function existingWithPrefix(kind: "container" | "volume" | "network"): Promise<string[]> {
  const args = kind === "container" ? ["ps", "-a", "--format", "{{.Names}}"] : [kind, "ls", "--format", "{{.Name}}"];
  return (await dockerOk(args))
    .split("\n")
    .filter((n) => n.startsWith(PREFIX))
    .sort();
}

async function leftovers(): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  return {
    containers: await existingWithPrefix("container"),
    volumes: await existingWithPrefix("volume"),
    networks: await existingWithPrefix("network"),
  };
}
