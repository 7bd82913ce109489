/**
 * The tools' layout: every file in tools/ has a name no other source file of the repository has (a
 * search for a file name finds one file), and every `npm run` alias of a tool reaches its entry
 * through tools/run.js.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const SKIP = new Set(["node_modules", ".build", "cdktf.out", ".git", ".gen", "coverage"]);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sources(file);
    return /\.(ts|js)$/.test(e.name) ? [path.relative(ROOT, file)] : [];
  });
}

test("no file in tools/ shares its name with another source file of the repository", () => {
  const byName = new Map<string, string[]>();
  for (const file of sources(ROOT)) byName.set(path.basename(file), [...(byName.get(path.basename(file)) ?? []), file]);
  const shared = sources(path.join(ROOT, "tools"))
    .map((file) => byName.get(path.basename(file))!)
    .filter((files) => files.length > 1);
  expect(shared).toEqual([]);
  expect(byName.get("docker.ts")).toEqual(["lib/docker.ts"]);
});

test("every npm run alias of a tool runs its entry through tools/run.js, and --help answers", () => {
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
  const aliases = Object.entries(scripts).flatMap(([alias, command]) => {
    const m = /^node tools\/run\.js ([a-z-]+)$/.exec(command);
    return m ? [[alias, m[1]]] : [];
  });
  expect(aliases).toEqual([
    ["plan:summary", "plan-summary"],
    ["synth:diff", "synth-diff"],
    ["verify", "verify"],
    ["restore", "restore"],
    ["policy", "policy"],
    ["tofu:encryption", "tofu-encryption"],
  ]);
  const usage = spawnSync("node", [path.join(ROOT, "tools", "run.js"), "nope"], { cwd: ROOT, encoding: "utf8" });
  expect(usage.status).toBe(1);
  expect(usage.stderr).toBe("usage: node tools/run.js <plan-summary|synth-diff|verify|restore|policy|tofu-encryption> [args...]\n");
  for (const [alias, tool] of aliases) {
    const help = spawnSync("node", [path.join(ROOT, "tools", "run.js"), tool, "--help"], { cwd: ROOT, encoding: "utf8" });
    expect([alias, help.status, help.stdout]).toEqual([
      alias,
      0,
      expect.stringMatching(new RegExp(`^usage: npm run (-s )?${alias} --`, "i")),
    ]);
  }
}, 120_000);
