/**
 * Smoke test of a deployed stack, from where the user stands: reads the synthesized stack and checks
 * with the docker CLI against its Docker host that every service runs and is healthy, every one-shot
 * job exited 0, every published port answers where it is declared and nowhere else, and the
 * connections between services work from inside the dependants. See docs/review.md.
 *
 *   npm run verify -- <stack> [--docker-host <url>] [--out <synth dir>] [--wait <seconds>] [-var name=value]...
 *
 * Exit codes: 0 every check passed (warnings allowed); 1 a check failed; 2 bad usage (unknown stack,
 * no synth output, no Docker host).
 */
import { networkInterfaces } from "os";
import * as path from "path";
import { InputError, parseArgs } from "../lib/cli";
import { loadSynthesized } from "../model/synth-output";
import { DockerCliMissing } from "../lib/docker-cli";
import { DockerCli } from "./cli-docker-api";
import { tcpProbe } from "./tcp-probe";
import { verifyStack } from "./checks";
import { DockerApi, TcpProbe } from "./docker-api";
import { dockerHost } from "./docker-host";
import { exitCodeOf, renderReport } from "./check-report";
import { expectedStack, StackModel } from "./expected-stack";
import { extractVarArgs, Variables, VariableBlocks } from "./variable-values";
import { isObject } from "../lib/json";

export const USAGE = `usage: npm run verify -- <stack> [options]

Checks a deployed stack against its Docker host: services running and healthy, one-shot jobs exited 0,
published ports answering on their declared address (and nowhere else), connections between services.

  --docker-host <url>   unix://, tcp:// or ssh:// (default: -var docker_host, TF_VAR_docker_host, the variable's default)
  --out <dir>           synth output directory (default: $CDKTF_OUTDIR or cdktf.out)
  --wait <seconds>      retry the service checks this long while services are still starting (default 0)
  -var name=value       a Terraform variable's value (also TF_VAR_<name>); repeatable
  --help                this text

Exit codes: 0 passed, 1 a check failed, 2 usage error.
`;

/** What main() needs from the world; the tests replace the Docker host and the network. */
export interface VerifyDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly docker?: (url: string, env: Readonly<Record<string, string>>) => DockerApi;
  readonly tcp?: TcpProbe;
  /** @default - the machine's first non-loopback IPv4 address outside Docker's bridges */
  readonly externalAddress?: string | null;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The machine's first non-loopback IPv4 address outside Docker's bridges (as the e2e suite picks it). */
export function externalAddress(): string | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth|lo)/.test(name)) continue;
    const a = (addrs ?? []).find((x) => x.family === "IPv4" && !x.internal);
    if (a) return a.address;
  }
  return undefined;
}

function targetOf(model: StackModel): string {
  const kinds = new Set(model.services.map((s) => s.kind));
  if (kinds.has("swarm"))
    return model.oneShots.length || kinds.has("container") ? "swarm services, one-shot jobs as containers" : "swarm services";
  return "containers";
}

export async function main(argv: readonly string[], deps: VerifyDeps = {}): Promise<{ output: string; exitCode: number }> {
  const env = deps.env ?? process.env;
  const { vars: cliVars, rest } = extractVarArgs(argv);
  const args = parseArgs(rest, { flags: ["help"], values: ["docker-host", "out", "wait"] });
  if (args.flags.has("help")) return { output: USAGE, exitCode: 0 };
  if (args.positional.length !== 1)
    throw new InputError(
      args.positional.length === 0
        ? "which stack? (npm run verify -- <stack>; see --help)"
        : `one stack at a time, got ${args.positional.join(" ")}`,
    );
  const stack = args.positional[0];
  const wait = args.values.get("wait")?.[0];
  if (wait !== undefined && !/^\d+$/.test(wait)) throw new InputError(`--wait ${wait}: expected a number of seconds`);
  const outDir = path.resolve(deps.cwd ?? process.cwd(), args.values.get("out")?.[0] ?? env.CDKTF_OUTDIR ?? "cdktf.out");

  const config = loadSynthesized(outDir, stack);
  const blocks = (isObject(config) && isObject(config.variable) ? config.variable : {}) as unknown as VariableBlocks;
  const vars = new Variables(blocks, cliVars, env);
  const host = dockerHost(args.values.get("docker-host")?.[0], vars, env);
  const model = expectedStack(stack, config, vars);

  const docker = deps.docker ? deps.docker(host.url, host.env) : new DockerCli(host.url, host.env);
  const result = await verifyStack({
    model,
    docker,
    tcp: deps.tcp ?? tcpProbe(),
    host,
    externalAddress: deps.externalAddress === null ? undefined : (deps.externalAddress ?? externalAddress()),
    waitSeconds: wait === undefined ? 0 : Number(wait),
    sleep: deps.sleep,
  });
  const output = renderReport({
    stack,
    target: targetOf(model),
    hostUrl: host.url,
    hostSource: host.source,
    local: host.local,
    hostNotes: host.notes,
    checks: result.checks,
  });
  return { output, exitCode: exitCodeOf(result.checks) };
}

/** Entry point for tools/run.js. */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (r) => {
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    },
    (error: unknown) => {
      if (error instanceof InputError || error instanceof DockerCliMissing) {
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`verify: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
