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

test("every npm run alias of a tool runs it through tools/run.js or the operator CLI (tools/cli/z3ops.js), and --help answers", () => {
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
  const aliases = Object.entries(scripts).flatMap(([alias, command]) => {
    const m = /^node (tools\/run\.js|tools\/cli\/z3ops\.js) ([a-z-]+)$/.exec(command);
    return m ? [[alias, m[1], m[2]]] : [];
  });
  expect(aliases).toEqual([
    ["plan:summary", "tools/run.js", "plan-summary"],
    ["synth:diff", "tools/run.js", "synth-diff"],
    ["verify", "tools/cli/z3ops.js", "verify"],
    ["restore", "tools/cli/z3ops.js", "restore"],
    ["policy", "tools/run.js", "policy"],
    ["tofu:encryption", "tools/run.js", "tofu-encryption"],
  ]);
  const usage = spawnSync("node", [path.join(ROOT, "tools", "run.js"), "nope"], { cwd: ROOT, encoding: "utf8" });
  expect(usage.status).toBe(1);
  expect(usage.stderr).toBe("usage: node tools/run.js <plan-summary|synth-diff|verify|restore|policy|tofu-encryption> [args...]\n");
  // Every tool tools/run.js knows answers --help with its usage, the ones z3ops runs too.
  for (const tool of ["plan-summary", "synth-diff", "verify", "restore", "policy", "tofu-encryption"]) {
    const help = spawnSync("node", [path.join(ROOT, "tools", "run.js"), tool, "--help"], { cwd: ROOT, encoding: "utf8" });
    expect([tool, help.status, help.stdout]).toEqual([tool, 0, expect.stringMatching(/^usage: npm run /i)]);
  }
  for (const [alias, launcher, tool] of aliases.filter(([, launcher]) => launcher === "tools/cli/z3ops.js")) {
    const help = spawnSync("node", [path.join(ROOT, launcher), tool, "--help"], { cwd: ROOT, encoding: "utf8" });
    expect([alias, help.status, help.stdout]).toEqual([alias, 0, expect.stringMatching(new RegExp(`^Usage: z3ops ${tool} `))]);
  }
}, 180_000);
