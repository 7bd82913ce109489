/** Where the tools find the synthesized stacks (tools/model/synth-output.ts): verify and synth-diff take either directory. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackFilePath, stacksDirectory, synthesizedStacks } from "../../../tools/model/synth-output";

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
