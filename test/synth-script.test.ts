import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";

/** `npm run synth` (esbuild bundle + code cache) writes exactly what the app synthesizes in-process. */
describe("the fast synth script", () => {
  const root = path.resolve(__dirname, "..");
  const fast = fs.mkdtempSync(path.join(os.tmpdir(), "synth-fast-"));
  const reference = fs.mkdtempSync(path.join(os.tmpdir(), "synth-ref-"));

  test("exits 0 and writes the same cdk.tf.json for every stack as the in-process synth", () => {
    const run = spawnSync(process.execPath, [path.join(root, "scripts", "synth.js")], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: fast },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status).toBe(0);
    expect(synthesize(ENVIRONMENTS, { outdir: reference, stdout: () => undefined, stderr: () => undefined })).toBe(0);
    const stacks = fs.readdirSync(path.join(reference, "stacks")).sort();
    expect(fs.readdirSync(path.join(fast, "stacks")).sort()).toEqual(stacks);
    for (const stack of stacks) {
      const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "utf8"));
      expect([stack, read(fast)]).toEqual([stack, read(reference)]);
    }
  });
});
