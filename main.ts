import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { parseArgs } from "util";
import { ENVIRONMENTS } from "./config/environments";
import { SynthOutput, synthesize } from "./app";
import { releaseOf } from "./lib/release";

/** The checkout's commit (`git rev-parse --short HEAD`), or undefined outside a git checkout. */
function commitOf(dir: string): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

/** The release every container and swarm service is labelled with: STACK_RELEASE, else `<version>+<commit>`. */
function release(): string {
  const root = process.cwd();
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  return releaseOf({ override: process.env.STACK_RELEASE, version, commit: process.env.STACK_RELEASE ? undefined : commitOf(root) });
}

/** Entry point: settings → stacks → cdktf.out/stacks/<system>-<env>/cdk.tf.json. */
const USAGE = `Usage: npm run synth -- [--stack <name>]... [--verbose | --quiet]

Synthesizes every stack (or each --stack named) into cdktf.out/stacks/<stack>/cdk.tf.json and judges
it with its policy pack. Prints one line per stack and a total; every finding and suppression, with
its reason, is in cdktf.out/policy-report.md and cdktf.out/stacks/<stack>/policy-report.json.

Options:
  --stack <name>  synthesize only this stack (repeatable), e.g. --stack zcash-dev
  --verbose       also print every error, the warnings and infos per rule, and every suppression
  --quiet         print nothing unless synth fails
  --app           as --quiet: what cdktf.json's app runs for cdktf list, diff and deploy
  -h, --help      print this help

Exit codes: 0 written; 1 settings, construct or policy errors (printed in full); 2 usage.
`;

function main(argv: readonly string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", multiple: true },
        verbose: { type: "boolean" },
        quiet: { type: "boolean" },
        app: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`synth: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.verbose && (values.quiet || values.app)) {
    process.stderr.write(`synth: --verbose and --quiet (or --app) exclude each other\n\n${USAGE}`);
    return 2;
  }
  const output: SynthOutput = values.verbose ? "verbose" : values.quiet || values.app ? "quiet" : "summary";
  return synthesize(ENVIRONMENTS, { stacks: values.stack ?? [], output, release: release() });
}

process.exitCode = main(process.argv.slice(2));
