/**
 * Where `npm run synth` leaves the stacks: `<out>/stacks/<stack>/cdk.tf.json`. A tool is given the
 * output directory (`cdktf.out`) or its `stacks` directory; both are accepted. The one place the
 * tools find and parse a synthesized stack's file; tools/model/synthesized-stack.ts reads its content.
 */
import * as fs from "fs";
import * as path from "path";
import { InputError } from "../lib/cli";

/** The directory that holds one directory per stack: `<dir>/stacks` when there is one, else `dir`. */
export function stacksDirectory(dir: string): string {
  return fs.existsSync(path.join(dir, "stacks")) ? path.join(dir, "stacks") : dir;
}

/** `<stacks directory>/<stack>/cdk.tf.json`, whether or not it exists. */
export function stackFilePath(dir: string, stack: string): string {
  return path.join(stacksDirectory(dir), stack, "cdk.tf.json");
}

/** The stacks synthesized into `dir`, in directory order; none when `dir` does not exist. */
export function synthesizedStacks(dir: string): string[] {
  const stacksDir = stacksDirectory(dir);
  if (!fs.existsSync(stacksDir)) return [];
  return fs
    .readdirSync(stacksDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(stacksDir, e.name, "cdk.tf.json")))
    .map((e) => e.name);
}

/**
 * `<out>/stacks/<stack>/cdk.tf.json` (or `<out>/<stack>/cdk.tf.json` when `outDir` is the stacks
 * directory); an InputError naming the synthesized stacks when there is no such stack, or saying to
 * synthesize when there are none.
 */
export function stackFile(outDir: string, stack: string): string {
  const file = stackFilePath(outDir, stack);
  if (fs.existsSync(file)) return file;
  const known = synthesizedStacks(outDir);
  if (known.length === 0)
    throw new InputError(
      `no synthesized stacks in ${outDir}: run \`npm run synth\` first${outDir.endsWith("cdktf.out") ? "" : " (with CDKTF_OUTDIR set to that directory)"}`,
    );
  throw new InputError(`unknown stack ${stack}; synthesized stacks: ${known.sort().join(", ")}`);
}

/** A stack's parsed `cdk.tf.json` (see stackFile); an InputError when it is not JSON. Read it with readSynthesizedStack. */
export function loadSynthesized(outDir: string, stack: string): unknown {
  const file = stackFile(outDir, stack);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw new InputError(`${file} is not valid JSON: run \`npm run synth\` again`);
  }
}
