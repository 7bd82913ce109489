import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** The step runner of the bootstrap scripts (scripts/lib/step-runner.sh). */
const LIB = path.resolve(__dirname, "..", "..", "scripts", "lib", "step-runner.sh");

function run(body: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-c", `set -euo pipefail\nSTEP_LOG_NAME=boot STEP_NAME_WIDTH=12\n. "${LIB}"\n${body}`], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TMPDIR: process.env.TMPDIR ?? "/tmp" },
    encoding: "utf8",
    timeout: 30_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts/lib/step-runner.sh", () => {
  test("a run of steps prints each step, its note and the summary in order", () => {
    const r = run(`
      one() { STEP_NOTE="made it"; }
      two() { :; }
      run_step "first" one
      skip_step "second" "pass --x"
      run_step "third" two
      print_summary`);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "[boot] ---- first",
      expect.stringMatching(/^\[boot\] {6}first done in \d+\.\ds \(made it\)$/),
      "[boot] ---- second: skipped (pass --x)",
      "[boot] ---- third",
      expect.stringMatching(/^\[boot\] {6}third done in \d+\.\ds$/),
    ]);
    expect(lines.slice(6)).toEqual([
      "==== boot summary ====",
      expect.stringMatching(/^ {2}first {8}ok +\d+\.\ds {2}made it$/),
      "  second       skipped  pass --x",
      expect.stringMatching(/^ {2}third {8}ok +\d+\.\ds {2}$/),
      expect.stringMatching(/^ {2}total: \d+\.\ds$/),
      "",
    ]);
  });

  test("fail names the running step, marks it FAILED in the summary and exits with its code", () => {
    const r = run(`
      bad() { fail 7 "no provider"; }
      run_step "ok step" true
      run_step "bad step" bad
      echo unreachable`);
    expect(r.status).toBe(7);
    expect(r.stdout).not.toContain("unreachable");
    expect(r.stderr).toMatch(
      /^\n\[boot\] ERROR in step 'bad step': no provider\n\n==== boot summary ====\n {2}ok step +ok .*\n {2}bad step {5}FAILED\n {2}total: /,
    );
  });

  test("a failing command inside a step fails it with the command and its exit code", () => {
    const r = run(`
      broken() { local x=1; false; echo "not reached $x"; }
      run_step "broken" broken`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\[boot\] ERROR in step 'broken': command failed \(exit 1\) at line \d+: false\n/);
    expect(r.stdout).not.toContain("not reached");
  });

  test("fail outside a step names no step", () => {
    const r = run(`fail 3 "no root"`);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^\n\[boot\] ERROR: no root\n/);
  });

  test("mktmp makes a directory that is gone when the script exits", () => {
    const r = run(`mktmp d probe; test -d "$d"; echo "$d"`);
    expect(r.status).toBe(0);
    const dir = r.stdout.trim();
    expect(path.basename(dir)).toMatch(/^z3-boot\.probe\.\w{6}$/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
