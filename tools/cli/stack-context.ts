/**
 * What every operator command starts from: the synthesized stack (`<out>/stacks/<stack>/cdk.tf.json`),
 * the Terraform variables as Terraform would take them, and the Docker host the stack's provider
 * deploys to (unix://, tcp:// with the TLS material of docker_cert_path, ssh://), read as
 * `npm run verify` reads them. Nothing here contacts Docker or Terraform.
 */
import * as path from "path";
import { InputError } from "../lib/cli";
import { isObject } from "../lib/json";
import { DockerHost, dockerHost } from "../verify/docker-host";
import { expectedStack, OneShotModel, ServiceModel, StackModel } from "../verify/expected-stack";
import { Variables, VariableBlocks } from "../verify/variable-values";
import { loadSynthesized, stackFile } from "../model/synth-output";

export interface StackOptions {
  readonly out?: string;
  readonly dockerHost?: string;
  /** `-var name=value` values. */
  readonly vars: Readonly<Record<string, string>>;
}

export interface StackContext {
  readonly stack: string;
  readonly outDir: string;
  /** The stack's Terraform working directory (where `cdktf deploy` runs Terraform). */
  readonly dir: string;
  readonly config: unknown;
  readonly vars: Variables;
  /** `-var` values for Terraform: those given, and docker_host when --docker-host is given. */
  readonly cliVars: Readonly<Record<string, string>>;
  readonly model: StackModel;
  readonly host: DockerHost;
}

const STACK_NAME = /^[a-z0-9][a-z0-9-]*-[a-z0-9]+$/;

export function outDirOf(out: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, out ?? env.CDKTF_OUTDIR ?? "cdktf.out");
}

/** The synthesized stack and its Docker host; InputError for an unknown stack or a missing host. */
export function loadStack(stack: string, opts: StackOptions, env: NodeJS.ProcessEnv, cwd: string): StackContext {
  if (!STACK_NAME.test(stack)) throw new InputError(`${JSON.stringify(stack)} is not a stack name (<system>-<environment>)`);
  const outDir = outDirOf(opts.out, env, cwd);
  const file = stackFile(outDir, stack);
  const config = loadSynthesized(outDir, stack);
  const blocks = (isObject(config) && isObject(config.variable) ? config.variable : {}) as unknown as VariableBlocks;
  const vars = new Variables(blocks, opts.vars, env);
  const host = dockerHost(opts.dockerHost, vars, env);
  const model = expectedStack(stack, config, vars);
  // Terraform reaches the host --docker-host names, as the other commands do.
  const cliVars = opts.dockerHost !== undefined ? { ...opts.vars, docker_host: opts.dockerHost } : opts.vars;
  return { stack, outDir, dir: path.dirname(file), config, vars, cliVars, model, host };
}

export type Deployed = (ServiceModel & { readonly oneShot: false }) | (OneShotModel & { readonly oneShot: true });

/** Services and one-shot jobs that exist with these variables (a count-gated one only when its count is 1). */
export function deployed(model: StackModel): Deployed[] {
  return [
    ...model.services.filter((s) => s.deployed !== false).map((s) => ({ ...s, oneShot: false as const })),
    ...model.oneShots.filter((s) => s.deployed !== false).map((s) => ({ ...s, oneShot: true as const })),
  ];
}

/**
 * A service by its name (`zfs-sync-dev-app`), its name without the stack prefix (`app`), or its
 * Terraform address; an InputError listing the stack's services otherwise.
 */
export function findService(ctx: StackContext, name: string): Deployed {
  const all = deployed(ctx.model);
  const match =
    all.find((s) => s.name === name || s.address === name) ??
    all.find((s) => s.name === `${ctx.stack}-${name}`) ??
    all
      .filter((s) => s.name.endsWith(`-${name}`))
      .reduce<Deployed | undefined>((found, s, _i, list) => (list.length === 1 ? s : found), undefined);
  if (!match)
    throw new InputError(
      `${ctx.stack} has no service ${JSON.stringify(name)}; its services: ${all.map((s) => s.name).join(", ") || "(none)"}`,
    );
  return match;
}
