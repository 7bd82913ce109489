/* eslint-disable */
"use strict";
const fs = require("fs");
const path = require("path");

/**
 * Prints the e2e verdict: the figures the tests recorded (apply and re-plan times,
 * resources, faults) and the total time.
 */
class E2eReporter {
  /** Each file's wall time, in the run's figures (a lane's own file: lanes write at the same time). */
  onTestResult(test, result) {
    const work = process.env.E2E_WORK_DIR;
    const file = process.env.E2E_FIGURES_FILE || (work && path.join(work, "figures.json"));
    if (!file || !result.perfStats) return;
    const figures = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    const name = path.basename(test.path).replace(/\.e2e\.test\.ts$/, "");
    figures["e2e files (s)"] = {
      ...(figures["e2e files (s)"] || {}),
      [name]: Math.round((result.perfStats.end - result.perfStats.start) / 100) / 10,
    };
    fs.writeFileSync(file, JSON.stringify(figures, null, 2));
  }

  onRunComplete(_contexts, results) {
    const out = (s) => process.stderr.write(s + "\n");
    const skipped = results.numPendingTests + results.numTodoTests;
    // A skipped real-engine test proves nothing: the run fails (jest itself exits 0 on skips).
    const ok =
      results.numFailedTests === 0 && results.numRuntimeErrorTestSuites === 0 && results.numFailedTestSuites === 0 && skipped === 0;
    if (ok) process.env.E2E_RUN_OK = "1";
    const started = Number(process.env.E2E_STARTED_AT || Date.now());
    const total = Math.round((Date.now() - started) / 1000);
    const work = process.env.E2E_WORK_DIR;
    const file = process.env.E2E_FIGURES_FILE || (work && path.join(work, "figures.json"));
    const figures = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    out("");
    out("==== e2e figures ====");
    for (const [section, values] of Object.entries(figures)) {
      out(`${section}:`);
      for (const [k, v] of Object.entries(values)) out(`  ${k}: ${v}`);
    }
    out(
      `total e2e time: ${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s (${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped)`,
    );
    if (work) {
      const summary = path.join(
        work,
        "..",
        `z3-e2e-summary-${path.basename(work)}${process.env.E2E_LANE ? `-${process.env.E2E_LANE}` : ""}.json`,
      );
      try {
        fs.writeFileSync(
          summary,
          JSON.stringify({ ok, totalSeconds: total, passed: results.numPassedTests, failed: results.numFailedTests, figures }, null, 2),
        );
        out(`summary: ${summary}`);
      } catch (_) {}
    }
    out(ok ? "E2E PASSED" : `E2E FAILED${skipped > 0 ? ` (${skipped} skipped: every real-engine test must run)` : ""}`);
    if (!ok) this.lastError = new Error("e2e run failed");
  }

  /** Jest exits non-zero when a reporter reports an error: this is how skipped tests fail the run. */
  getLastError() {
    return this.lastError;
  }
}
module.exports = E2eReporter;
