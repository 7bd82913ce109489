import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { BAD_SYSTEMS, OVERRIDDEN_SYSTEMS } from "./fixtures/bad-systems";
import { runBundledEntry as runEntry } from "../helpers";

const root = path.resolve(__dirname, "..", "..");
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe("synth with a bad production stack", () => {
  test("the synth command exits 1 naming the stack, the construct path and the rule, without a stack trace", () => {
    const { status, stderr, outdir } = runEntry(path.join(__dirname, "fixtures", "bad-production-main.ts"));
    expect(status).toBe(1);
    expect(stderr).toContain("synth failed: policy check failed: 1 error in zcash-production");
    expect(stderr).toContain("stack zcash-production (Production pack):");
    expect(stderr).toContain(
      "- Production-ContainerNotPrivileged at docker_container.z3_zebra (zcash-production/Z3/Zebra/Resource): privileged is true",
    );
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(stderr).not.toContain("Encountered Annotations");
    // Nothing is synthesized for Terraform to apply.
    expect(fs.existsSync(path.join(outdir, "stacks", "zcash-production", "cdk.tf.json"))).toBe(false);
  });

  test("synthesize returns 1 and prints the same message in-process", () => {
    let stderr = "";
    const code = synthesize(ENVIRONMENTS, { outdir: tmp("policy-bad-"), stderr: (t) => (stderr += t), systems: BAD_SYSTEMS });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /synth failed: policy check failed: 1 error in zcash-production\n {2}stack zcash-production \(Production pack\):\n {4}- Production-ContainerNotPrivileged at docker_container\.z3_zebra \(zcash-production\/Z3\/Zebra\/Resource\): privileged is true/,
    );
    // The summary printed before the error still covers every stack.
    expect(stderr).toContain("policy zcash-production (Production): 1 error");
    expect(stderr).toContain("policy zcash-dev (Baseline): 0 errors");
  });
});

describe("synth with an escape-hatch override in production", () => {
  test('addOverride("privileged", true) on Zebra fails synth, naming the rule, the resource address and the override; nothing is left to apply', () => {
    let stderr = "";
    const outdir = tmp("policy-override-");
    const code = synthesize(ENVIRONMENTS, { outdir, stderr: (t) => (stderr += t), systems: OVERRIDDEN_SYSTEMS });
    expect(code).toBe(1);
    expect(stderr).toContain(
      "- Production-ContainerNotPrivileged at docker_container.z3_zebra (zcash-production/Z3/Zebra/Resource): privileged is true (escape-hatch overrides on this resource: privileged)",
    );
    expect(fs.existsSync(path.join(outdir, "stacks", "zcash-production", "cdk.tf.json"))).toBe(false);
    // The typed input was never touched: only the JSON shows the change.
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});

describe("synth of the shipped stacks", () => {
  test("main.ts exits 0, prints a policy summary per stack on stdout (nothing on stderr, which the cdktf CLI labels an error) and writes each stack's policy report", () => {
    const { status, stdout, stderr, outdir } = runEntry(path.join(root, "main.ts"));
    expect([status, stderr]).toEqual([0, ""]);
    const stacks = fs.readdirSync(path.join(outdir, "stacks")).sort();
    expect(stacks).toContain("zcash-production");
    for (const stack of stacks) {
      expect(stdout).toContain(`policy ${stack} (`);
      const report = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "policy-report.json"), "utf8"));
      expect([stack, report.stack, report.summary.errors]).toEqual([stack, stack, 0]);
      expect(fs.existsSync(path.join(outdir, "stacks", stack, "cdk.tf.json"))).toBe(true);
    }
  });
});
