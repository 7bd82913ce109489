import * as fs from "fs";
import * as path from "path";

// The declaration is plain JavaScript: the lane runner (scripts/e2e-lanes.js) reads it without a compiler.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lanes, alone, claimProblems } = require("./e2e/lanes.js") as {
  lanes: { name: string; files: string[]; why: string }[];
  alone: { file: string; why: string }[];
  claimProblems: (files: string[]) => string[];
};

const files = fs
  .readdirSync(path.join(__dirname, "e2e"))
  .filter((f) => f.endsWith(".e2e.test.ts"))
  .map((f) => f.replace(/\.e2e\.test\.ts$/, ""));

describe("e2e lanes (test/e2e/lanes.js)", () => {
  test("claim every e2e file exactly once, each lane with its reason", () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect(claimProblems(files)).toEqual([]);
  });

  test("refuse a file no lane claims, and a lane naming a file that does not exist", () => {
    expect(claimProblems([...files, "11-new-scenario"])).toEqual([expect.stringMatching(/^11-new-scenario\.e2e\.test\.ts is in no lane/)]);
    expect(claimProblems(files.filter((f) => f !== "03-zfs-sync-dev"))).toEqual([
      "test/e2e/lanes.js names 03-zfs-sync-dev, which is not a file of test/e2e",
    ]);
  });

  test("the engine restart runs alone; stacks sharing a state schema share a lane", () => {
    expect(alone.map((a) => a.file)).toEqual(["07-engine-restart"]);
    const laneOf = (f: string) => lanes.find((l) => l.files.includes(f))?.name;
    // Both deploy zcash-staging (schema zcash_staging), both zfs-sync-dev, both use the swarm bed.
    expect(laneOf("04-zcash-staging")).toBe(laneOf("10-remote-hosts"));
    expect(laneOf("03-zfs-sync-dev")).toBe(laneOf("08-upgrade-addresses"));
    expect(laneOf("05-zfs-sync-staging")).toBe(laneOf("09-jessy-staging-swarm"));
  });
});
