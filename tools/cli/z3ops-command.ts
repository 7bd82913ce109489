/**
 * z3ops: the operator CLI of the deployed stacks (bin of the package; `npx z3ops`, `npm run ops --`).
 *
 *   z3ops status <stack>                 every service: state, health, release, image digest, host
 *   z3ops logs <stack> <service> [-f]    its logs (docker logs / docker service logs)
 *   z3ops exec <stack> <service> -- cmd  a command in its container
 *   z3ops rollback <stack> <release>     re-apply an earlier release through Terraform, then verify
 *   z3ops drift <stack>                  refreshed plan; what changed outside Terraform
 *   z3ops verify <stack>                 smoke test (npm run verify)
 *   z3ops restore <stack> <volume>       restore a volume from its backups (npm run restore)
 *
 * Every command reads the synthesized stack (--out, default $CDKTF_OUTDIR or cdktf.out) and reaches
 * the Docker host the stack's provider deploys to, as `cdktf deploy` does: the docker_host variable
 * (-var, TF_VAR_docker_host, --docker-host), TLS material from docker_cert_path, ssh:// through ssh.
 * Arguments are checked before anything is contacted.
 *
 * Exit codes: 0 ok; 1 a failure found (a service down, drift, a failed rollback or restore); 2 usage.
 */
import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as path from "path";
import { createInterface } from "readline";
import { InputError } from "../lib/cli";
import { DockerCliMissing } from "../lib/docker-cli";
import { DockerError } from "../verify/docker-api";
import { extractVarArgs } from "../verify/variable-values";
import { main as restoreMain, RestoreDeps, RestoreError } from "../restore";
import { main as verifyMain, VerifyDeps } from "../verify/verify-command";
import { DockerRunner, dockerRunner } from "./docker-runner";
import { drift } from "./drift";
import { applyEarlier, checkRelease, earlierStack, RELEASE_ARGUMENT } from "./rollback";
import { findService, loadStack, StackContext } from "./stack-context";
import { renderStatus, status } from "./status";
import { TerraformFailed, TerraformRunner, terraformRunner } from "./terraform-runner";

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** What the commands need of the world; the tests replace Docker, Terraform, the terminal and the streams. */
export interface CliDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly docker?: (ctx: StackContext) => DockerRunner;
  readonly terraform?: TerraformRunner;
  readonly isTTY?: boolean;
  readonly confirm?: (question: string, expected: string) => Promise<boolean>;
  readonly verify?: VerifyDeps;
  readonly restore?: RestoreDeps;
  /** Repository root, for `rollback` from a commit. @default - the current directory */
  readonly repoRoot?: string;
}

interface CommonOptions {
  readonly out?: string;
  readonly dockerHost?: string;
}

const COMMON_HELP = `
Common to every command:
  -var name=value        a Terraform variable's value (also TF_VAR_<name>); repeatable
  TF_VAR_docker_host     the Docker host, as cdktf deploy uses it (unix://, tcp:// with docker_cert_path, ssh://)

Exit codes: 0 ok, 1 a failure found, 2 usage error.
`;

function withCommon(cmd: Command): Command {
  return cmd
    .option("--out <dir>", "synth output directory (default: $CDKTF_OUTDIR or cdktf.out)")
    .option("--docker-host <url>", "unix://, tcp:// or ssh:// (default: the stack's docker_host variable)");
}

/** Runs the CLI; resolves to the exit code. `argv` is without `node` and the script. */
export async function main(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const out = deps.stdout ?? ((t: string) => process.stdout.write(t));
  const err = deps.stderr ?? ((t: string) => process.stderr.write(t));
  // `-var` is Terraform's spelling (one dash, long name), which no option parser takes: taken out
  // first, before `--` only (after it comes the command of `exec`).
  const dashDash = argv.indexOf("--");
  const before = dashDash === -1 ? [...argv] : argv.slice(0, dashDash);
  const after = dashDash === -1 ? [] : argv.slice(dashDash);
  let cliVars: Record<string, string>;
  let rest: string[];
  try {
    ({ vars: cliVars, rest } = extractVarArgs(before));
  } catch (e) {
    err(`error: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  let exitCode: number = EXIT.ok;
  const context = (stack: string, o: CommonOptions) => loadStack(stack, { out: o.out, dockerHost: o.dockerHost, vars: cliVars }, env, cwd);
  const dockerOf = (ctx: StackContext) => (deps.docker ? deps.docker(ctx) : dockerRunner(ctx.host));
  const terraform = () => deps.terraform ?? terraformRunner(env);
  const confirm = async (what: string, expected: string, question: string, yes: boolean | undefined): Promise<boolean> => {
    if (yes) return true;
    const isTTY = deps.isTTY ?? process.stdin.isTTY === true;
    if (!isTTY) throw new InputError(`${what}: confirm with --yes (no terminal to ask on)`);
    if (deps.confirm) return deps.confirm(question, expected);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return (await new Promise<string>((r) => rl.question(question, r))).trim() === expected;
    } finally {
      rl.close();
    }
  };
  const varFlags = () => Object.entries(cliVars).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
  const commonFlags = (o: CommonOptions) => [...(o.out ? ["--out", o.out] : []), ...(o.dockerHost ? ["--docker-host", o.dockerHost] : [])];

  const program = new Command("z3ops")
    .description("Operate the deployed stacks: status, logs, exec, rollback, drift, verify, restore.")
    .addHelpText("after", COMMON_HELP)
    .showHelpAfterError("(see z3ops <command> --help)")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });
  const sub = (name: string) =>
    withCommon(program.command(name).exitOverride().configureOutput({ writeOut: out, writeErr: err }).addHelpText("after", COMMON_HELP));

  sub("status")
    .description("every service of a deployed stack: state, health, release, image digest and host (containers and swarm)")
    .argument("<stack>")
    .action(async (stack: string, o: CommonOptions) => {
      const ctx = context(stack, o);
      const rows = await status(ctx, dockerOf(ctx));
      out(renderStatus(stack, ctx.host.url, rows));
      exitCode = rows.some((r) => r.failed) ? EXIT.failure : EXIT.ok;
    });

  sub("logs")
    .description("a service's logs (docker logs, or docker service logs on a swarm)")
    .argument("<stack>")
    .argument("<service>", "its name, with or without the stack prefix (app or zfs-sync-dev-app)")
    .option("-f, --follow", "follow the log")
    .option("--tail <lines>", "only the last lines", "all")
    .action(async (stack: string, service: string, o: CommonOptions & { follow?: boolean; tail: string }) => {
      if (!/^(all|\d+)$/.test(o.tail)) throw new InputError(`--tail ${o.tail}: a number of lines or "all"`);
      const ctx = context(stack, o);
      const s = findService(ctx, service);
      const kind = !s.oneShot && s.kind === "swarm" ? ["service", "logs"] : ["logs"];
      exitCode = (await dockerOf(ctx).attach([...kind, "--tail", o.tail, ...(o.follow ? ["--follow"] : []), s.name])) === 0 ? 0 : 1;
    });

  sub("exec")
    .description("run a command in a service's container: z3ops exec <stack> <service> -- <command> [args...]")
    .argument("<stack>")
    .argument("<service>")
    .argument("[command...]", "after --")
    .action(async (stack: string, service: string, command: string[], o: CommonOptions) => {
      if (after.length < 2) throw new InputError("which command? z3ops exec <stack> <service> -- <command> [args...]");
      const ctx = context(stack, o);
      const s = findService(ctx, service);
      const docker = dockerOf(ctx);
      let container = s.name;
      if (!s.oneShot && s.kind === "swarm") {
        // A running task of the service on the engine the CLI talks to.
        const r = await docker.capture([
          "ps",
          "-q",
          "--filter",
          `label=com.docker.swarm.service.name=${s.name}`,
          "--filter",
          "status=running",
        ]);
        container = r.stdout.trim().split("\n")[0] ?? "";
        if (r.code !== 0 || container === "")
          throw new DockerError(`no running task of ${s.name} on ${ctx.host.url} (exec reaches tasks on that node only)`);
      }
      const tty = (deps.isTTY ?? process.stdin.isTTY === true) ? ["-it"] : ["-i"];
      exitCode = await docker.attach(["exec", ...tty, container, ...command]);
    });

  sub("rollback")
    .description("re-apply an earlier release's synthesized stack through Terraform, then run verify")
    .argument("<stack>")
    .argument("<release>", "the release label of that deploy (<version>+<commit>, see status)")
    .option("--from <dir>", "that release's synth output directory (default: synthesize its commit in a temporary git worktree)")
    .option("--wait <seconds>", "verify retries this long while services start", "120")
    .option("--yes", "apply without asking (required without a terminal)")
    .action(async (stack: string, release: string, o: CommonOptions & { from?: string; wait: string; yes?: boolean }) => {
      if (!RELEASE_ARGUMENT.test(release)) throw new InputError(`release ${JSON.stringify(release)}: letters, digits, '.', '_', '+', '-'`);
      if (!/^\d+$/.test(o.wait)) throw new InputError(`--wait ${o.wait}: a number of seconds`);
      if (o.from !== undefined && !fs.existsSync(o.from)) throw new InputError(`--from ${o.from}: no such directory`);
      if (!o.yes && !(deps.isTTY ?? process.stdin.isTTY === true))
        throw new InputError(`rolling ${stack} back to ${release}: confirm with --yes (no terminal to ask on)`);
      const ctx = context(stack, o);
      const earlier = earlierStack(stack, release, o.from === undefined ? undefined : path.resolve(cwd, o.from), deps.repoRoot ?? cwd);
      const plan = checkRelease(ctx, release, earlier);
      const ok = await confirm(
        `rolling ${stack} back to ${release}`,
        stack,
        `Roll ${stack} on ${ctx.host.url} back from ${plan.from.join(", ") || "(unlabelled)"} to ${release} (${plan.source})? Type the stack name to go on: `,
        o.yes,
      );
      if (!ok) {
        err("rollback: not confirmed; nothing was changed\n");
        exitCode = EXIT.failure;
        return;
      }
      err(`rollback: applying ${release} (${plan.source}) in ${ctx.dir}\n`);
      const applied = await applyEarlier(ctx, earlier, terraform());
      out(`rolled ${stack} back to ${release}: ${applied}\n`);
      const verified = await verifyMain([stack, "--out", ctx.outDir, "--docker-host", ctx.host.url, "--wait", o.wait, ...varFlags()], {
        env,
        cwd,
        ...deps.verify,
      });
      out(verified.output);
      exitCode = verified.exitCode;
    });

  sub("drift")
    .description("refreshed terraform plan -detailed-exitcode: what changed outside Terraform (nothing printed when clean)")
    .argument("<stack>")
    .option("--output <file>", "also write the Markdown report to this file (when drifted)")
    .action(async (stack: string, o: CommonOptions & { output?: string }) => {
      const ctx = context(stack, o);
      const result = await drift(ctx, terraform());
      if (!result.drifted) {
        err(`drift: ${stack}: none\n`);
        return;
      }
      out(result.markdown);
      if (o.output) fs.writeFileSync(path.resolve(cwd, o.output), result.markdown);
      exitCode = EXIT.failure;
    });

  sub("verify")
    .description("smoke test of a deployed stack (npm run verify): running, healthy, ports, connections")
    .argument("<stack>")
    .option("--wait <seconds>", "retry the service checks this long while services start")
    .action(async (stack: string, o: CommonOptions & { wait?: string }) => {
      const r = await verifyMain([stack, ...commonFlags(o), ...(o.wait ? ["--wait", o.wait] : []), ...varFlags()], {
        env,
        cwd,
        ...deps.verify,
      });
      out(r.output);
      exitCode = r.exitCode;
    });

  sub("restore")
    .description("restore a backed-up volume from its snapshots (npm run restore); --dry-run first")
    .argument("<stack>")
    .argument("<volume>")
    .argument("[snapshot]", 'a snapshot id from --list, or "latest"', "latest")
    .option("--list", "list the volume's snapshots and change nothing")
    .option("--dry-run", "list what would change (files and sizes, or database objects) and change nothing")
    .option("--yes", "restore without asking (required without a terminal)")
    .action(
      async (stack: string, volume: string, snapshot: string, o: CommonOptions & { list?: boolean; dryRun?: boolean; yes?: boolean }) => {
        const argv2 = [
          stack,
          volume,
          snapshot,
          ...commonFlags(o),
          ...(o.list ? ["--list"] : []),
          ...(o.dryRun ? ["--dry-run"] : []),
          ...(o.yes ? ["--yes"] : []),
          ...varFlags(),
        ];
        const r = await restoreMain(argv2, env, { cwd, isTTY: deps.isTTY, confirm: deps.confirm, ...deps.restore });
        out(r.output);
        exitCode = r.exitCode;
      },
    );

  try {
    await program.parseAsync([...rest, ...after], { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof InputError || e instanceof DockerCliMissing) {
      err(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof DockerError || e instanceof TerraformFailed || e instanceof RestoreError) {
      err(`failed: ${e.message}\n`);
      return EXIT.failure;
    }
    err(`z3ops: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.failure;
  }
}

/** Entry point for tools/cli/z3ops.js. */
export function run(argv: readonly string[]): void {
  void main(argv).then((code) => {
    process.exitCode = code;
  });
}
