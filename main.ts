import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { ENVIRONMENTS } from "./config/environments";
import { synthesize } from "./app";
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
process.exitCode = synthesize(ENVIRONMENTS, { release: release() });
