/** Where the tools find the synthesized stacks (tools/model/synth-output.ts): verify and synth-diff take either directory. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../../../tools/lib/cli";
import { loadSynthesized, stackFile, stackFilePath, stacksDirectory, synthesizedStacks } from "../../../tools/model/synth-output";

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-output-"));
  for (const stack of ["demo-dev", "demo-production"]) {
    fs.mkdirSync(path.join(out, "stacks", stack), { recursive: true });
    fs.writeFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "{}");
  }
  fs.mkdirSync(path.join(out, "stacks", "not-synthesized"));
  fs.writeFileSync(path.join(out, "stacks", "manifest.json"), "{}");
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test("the output directory or its stacks directory: the same stacks, the same files", () => {
  for (const dir of [out, path.join(out, "stacks")]) {
    expect(stacksDirectory(dir)).toBe(path.join(out, "stacks"));
    expect(synthesizedStacks(dir).sort()).toEqual(["demo-dev", "demo-production"]);
    expect(stackFilePath(dir, "demo-dev")).toBe(path.join(out, "stacks", "demo-dev", "cdk.tf.json"));
  }
});

test("a directory without stacks, or none at all: no stacks", () => {
  expect(synthesizedStacks(path.join(out, "stacks", "not-synthesized"))).toEqual([]);
  expect(synthesizedStacks(path.join(out, "missing"))).toEqual([]);
  expect(stackFilePath(path.join(out, "missing"), "x")).toBe(path.join(out, "missing", "x", "cdk.tf.json"));
});

test("a stack's parsed file; an unknown stack names the synthesized ones; none synthesized says to synthesize; bad JSON says to synthesize again", () => {
  expect(loadSynthesized(out, "demo-dev")).toEqual({});
  expect(() => stackFile(out, "demo-staging")).toThrow("unknown stack demo-staging; synthesized stacks: demo-dev, demo-production");
  expect(() => stackFile(path.join(out, "missing"), "demo-dev")).toThrow(
    /^no synthesized stacks in .*missing: run `npm run synth` first \(with CDKTF_OUTDIR/,
  );
  fs.mkdirSync(path.join(out, "stacks", "broken-dev"));
  fs.writeFileSync(path.join(out, "stacks", "broken-dev", "cdk.tf.json"), "{");
  expect(() => loadSynthesized(out, "broken-dev")).toThrow(/broken-dev\/cdk\.tf\.json is not valid JSON: run `npm run synth` again$/);
  for (const e of [() => stackFile(out, "x"), () => loadSynthesized(out, "broken-dev")]) expect(e).toThrow(InputError);
});
