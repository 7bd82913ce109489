import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { earlierStack, releasesIn } from "../../tools/cli/rollback";
import { InputError } from "../../tools/lib/cli";

/*
 * `z3ops rollback <stack> <release>` without --from synthesizes the release's commit in a temporary
 * git worktree (tools/cli/rollback.ts). Here with the checkout's own HEAD, for real: git and the synth.
 */
const root = path.resolve(__dirname, "..", "..");
/** The temporary worktrees of a rollback (others may come and go in a shared repository meanwhile). */
const worktrees = () =>
  execFileSync("git", ["-C", root, "worktree", "list", "--porcelain"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.startsWith("worktree ") && l.includes("z3ops-release-"));

test("a release's commit is synthesized in a temporary worktree with that release's label, and the worktree is removed", () => {
  const commit = execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const release = `0.1.0+${commit}`;
  const earlier = earlierStack("zfs-sync-dev", release, undefined, root);
  expect(earlier.source).toBe(`commit ${commit}`);
  expect(releasesIn(earlier.config)).toEqual([release]);
  expect(worktrees()).toEqual([]);
}, 300_000);

test("a commit the checkout does not have is an input error, and no worktree is left", () => {
  expect(() => earlierStack("zfs-sync-dev", "0.1.0+0000000", undefined, root)).toThrow(InputError);
  expect(() => earlierStack("zfs-sync-dev", "0.1.0+0000000", undefined, root)).toThrow(
    /commit 0000000 of release 0\.1\.0\+0000000 is not in this checkout/,
  );
  expect(worktrees()).toEqual([]);
  expect(fs.existsSync(root)).toBe(true);
});
