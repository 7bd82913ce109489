/**
 * Where `npm run synth` leaves the stacks: `<out>/stacks/<stack>/cdk.tf.json`. A tool is given the
 * output directory (`cdktf.out`) or its `stacks` directory; both are accepted.
 */
import * as fs from "fs";
import * as path from "path";

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
