/** Minimal argument parsing and the CLI error convention (exit 1 with a clear message). */
import * as fs from "fs";

/** Bad input or usage: the commands exit 1 and print the message. */
export class InputError extends Error {}

export interface ParsedArgs {
  readonly flags: Set<string>;
  readonly values: Map<string, string[]>;
  readonly positional: string[];
}

/**
 * Parses `--flag`, `--opt value`, `--opt=value` and positionals (everything after `--` is
 * positional). Unknown options are an InputError.
 */
export function parseArgs(argv: readonly string[], spec: { flags: readonly string[]; values: readonly string[] }): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {
      flags.add("help");
      continue;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq !== -1) throw new InputError(`option --${name} takes no value`);
      flags.add(name);
    } else if (spec.values.includes(name)) {
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        i++;
      }
      if (value === undefined || value === "") throw new InputError(`option --${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      throw new InputError(`unknown option ${arg} (see --help)`);
    }
  }
  return { flags, values, positional };
}

export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (text.trim() === "") throw new InputError(`${what} ${file} is empty`);
  try {
    return JSON.parse(text);
  } catch {
    // Control characters near the start: a binary file (a saved plan is a zip archive).
    // eslint-disable-next-line no-control-regex
    const binary = text.startsWith("PK") || /[\u0000-\u0008]/.test(text.slice(0, 512));
    throw new InputError(
      binary
        ? `${what} ${file} is not JSON; it looks like a binary plan file: convert it with \`terraform show -json ${file} > plan.json\``
        : `${what} ${file} is not valid JSON`,
    );
  }
}

/** Writes the result and sets the exit code; InputErrors become a message and exit 1. */
export function runCli(main: () => { output: string; exitCode: number; outputFile?: string; stderr?: string[] }): void {
  try {
    const result = main();
    if (result.outputFile) fs.writeFileSync(result.outputFile, result.output);
    else process.stdout.write(result.output);
    for (const line of result.stderr ?? []) process.stderr.write(`${line}\n`);
    process.exitCode = result.exitCode;
  } catch (error) {
    if (error instanceof InputError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
