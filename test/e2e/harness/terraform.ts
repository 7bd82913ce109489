import { join } from "path";
import { E2eConfig, Engine, engineFromEnv, PROVIDER_VERSION_PATTERN } from "./env";
import { run, RunResult, tail } from "./process";
import { say } from "./log";

export interface Change {
  readonly address: string;
  readonly actions: readonly string[];
}

export interface PlanResult {
  /** terraform plan -detailed-exitcode: 0 no changes, 2 changes, 1 error. */
  readonly code: number;
  readonly changes: readonly Change[];
  readonly ms: number;
  readonly text: string;
  /** `terraform show -json` of the saved plan: holds sensitive values in clear, so never logged or written. */
  readonly json?: unknown;
}

export interface TerraformOptions {
  /** `-var` values (non-secret). */
  readonly vars: Readonly<Record<string, string>>;
  /** Sensitive values, passed as TF_VAR_<name> in the environment only. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The stack uses the `pg` backend: PG_CONN_STR is set from the suite's PostgreSQL. */
  readonly pgBackend: boolean;
  /** The engine binary. @default - `TERRAFORM_BINARY_NAME` (engineFromEnv), else terraform */
  readonly engine?: Engine;
}

const MINUTE = 60_000;

/** What driving Terraform needs of the suite's configuration (a unit test gives just these). */
export type TerraformConfig = Pick<E2eConfig, "outDir" | "cliConfigFile" | "pgConnStr">;

/** Terraform (or OpenTofu) driven directly in a synthesized stack directory, as CI and reviewers do. */
export class Terraform {
  readonly dir: string;
  /** `terraform` or `tofu`: the binary every command runs. */
  readonly engine: Engine;
  private planCounter = 0;

  constructor(
    readonly stack: string,
    private readonly config: TerraformConfig,
    private readonly options: TerraformOptions,
  ) {
    this.dir = join(config.outDir, "stacks", stack);
    this.engine = options.engine ?? engineFromEnv();
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", ...extra };
    delete env.TF_LOG;
    if (this.config.cliConfigFile) env.TF_CLI_CONFIG_FILE = this.config.cliConfigFile;
    for (const [k, v] of Object.entries(this.options.secrets)) env[`TF_VAR_${k}`] = v;
    if (this.options.pgBackend) {
      if (!this.config.pgConnStr) throw new Error(`${this.stack} uses the pg backend but the suite has no PostgreSQL`);
      env.PG_CONN_STR = this.config.pgConnStr;
    } else {
      delete env.PG_CONN_STR;
    }
    return env;
  }

  varArgs(overrides: Readonly<Record<string, string>> = {}): string[] {
    return Object.entries({ ...this.options.vars, ...overrides }).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
  }

  async tf(args: readonly string[], timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return run(this.engine, args, { cwd: this.dir, env: this.env(extraEnv), timeoutMs });
  }

  async tfOk(args: readonly string[], timeoutMs: number): Promise<RunResult> {
    const r = await this.tf(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `${this.stack}: ${this.engine} ${args[0]} failed (exit ${r.code}${r.timedOut ? ", timed out" : ""}):\n${tail(r.stderr + "\n" + r.stdout, 60)}`,
      );
    return r;
  }

  /** terraform init; returns the provider line Terraform printed (where it came from). */
  async init(): Promise<{ ms: number; providerLine: string }> {
    const r = await this.tfOk(["init", "-input=false", "-no-color"], 10 * MINUTE);
    const providerLine =
      r.stdout
        .split("\n")
        .find((l) => /kreuzwerker\/docker/.test(l) && /Install|Using/.test(l))
        ?.trim() ?? "(no provider line)";
    if (!PROVIDER_VERSION_PATTERN.test(providerLine))
      throw new Error(`${this.stack}: ${this.engine} init did not install kreuzwerker/docker 4.6.x:\n${tail(r.stdout)}`);
    return { ms: r.ms, providerLine };
  }

  async validate(): Promise<void> {
    const r = await this.tfOk(["validate", "-json", "-no-color"], 5 * MINUTE);
    const result = JSON.parse(r.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string }[] };
    if (!result.valid)
      throw new Error(`${this.stack}: ${this.engine} validate: ${result.diagnostics.map((d) => `${d.severity}: ${d.summary}`).join("; ")}`);
  }

  async apply(
    opts: { overrides?: Readonly<Record<string, string>>; extra?: readonly string[]; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    return this.tf(
      ["apply", "-auto-approve", "-input=false", "-no-color", ...(opts.extra ?? []), ...this.varArgs(opts.overrides)],
      opts.timeoutMs ?? 20 * MINUTE,
    );
  }

  async applyOk(
    opts: { overrides?: Readonly<Record<string, string>>; extra?: readonly string[]; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    say(`${this.stack}: ${this.engine} apply${opts.overrides ? ` ${JSON.stringify(opts.overrides)}` : ""}`);
    const r = await this.apply(opts);
    if (r.code !== 0)
      throw new Error(
        `${this.stack}: ${this.engine} apply failed (exit ${r.code}${r.timedOut ? ", timed out" : ""}):\n${tail(r.stderr + "\n" + r.stdout, 60)}`,
      );
    say(`${this.stack}: ${r.stdout.match(/Apply complete![^\n]*/)?.[0] ?? "applied"} (${(r.ms / 1000).toFixed(1)}s)`);
    return r;
  }

  /** terraform plan -detailed-exitcode, and the planned changes from `terraform show -json`. */
  async plan(
    opts: { overrides?: Readonly<Record<string, string>>; extra?: readonly string[]; timeoutMs?: number } = {},
  ): Promise<PlanResult> {
    const planFile = `tfplan.${++this.planCounter}`;
    const r = await this.tf(
      [
        "plan",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
        `-out=${planFile}`,
        ...(opts.extra ?? []),
        ...this.varArgs(opts.overrides),
      ],
      opts.timeoutMs ?? 10 * MINUTE,
    );
    if (r.code !== 0 && r.code !== 2) return { code: r.code, changes: [], ms: r.ms, text: r.stderr + r.stdout };
    // show -json prints sensitive values in clear text: parsed here, never logged.
    const show = await run(this.engine, ["show", "-json", planFile], {
      cwd: this.dir,
      env: this.env(),
      timeoutMs: 2 * MINUTE,
      quiet: true,
    });
    const json = JSON.parse(show.stdout) as { resource_changes?: { address: string; change: { actions: string[] } }[] };
    const changes = (json.resource_changes ?? [])
      .filter((c) => !(c.change.actions.length === 1 && ["no-op", "read"].includes(c.change.actions[0])))
      .map((c) => ({ address: c.address, actions: c.change.actions }));
    return { code: r.code, changes, ms: r.ms, text: r.stdout, json };
  }

  async destroy(opts: { timeoutMs?: number } = {}): Promise<RunResult> {
    return this.tf(["destroy", "-auto-approve", "-input=false", "-no-color", ...this.varArgs()], opts.timeoutMs ?? 15 * MINUTE);
  }

  async stateList(): Promise<string[]> {
    const r = await this.tfOk(["state", "list"], 2 * MINUTE);
    return r.stdout.split("\n").filter(Boolean);
  }
}

/** "docker_container.x (replace), ..." for messages. */
export function describeChanges(changes: readonly Change[]): string {
  return changes.map((c) => `${c.address} (${c.actions.join("+")})`).join(", ") || "(none)";
}

/** The `# resource must be replaced` sections of plan text, for failure messages. */
export function planExcerpt(text: string, lines = 80): string {
  const out = text.split("\n").filter((l) => /^\s*[#~+-]|forces replacement|->/.test(l));
  return out.slice(0, lines).join("\n");
}
