import { MMAP_DIMENSIONS, MMAP_DIRECTORIES, mmapInitScript } from "../../../stacks/jessy/layout";
import { bashWord } from "../../real-readers";

describe("mmap layout (upstream scripts/init-mmap-volumes.sh)", () => {
  test("fourteen dimensional layers D01 … D14", () => {
    expect(MMAP_DIMENSIONS).toHaveLength(14);
    expect(MMAP_DIMENSIONS[0]).toBe("D01");
    expect(MMAP_DIMENSIONS[13]).toBe("D14");
  });
  test("consciousness/D01…D14, proto and temp, parents before children", () => {
    expect(MMAP_DIRECTORIES).toEqual(["consciousness", ...MMAP_DIMENSIONS.map((d) => `consciousness/${d}`), "proto", "temp"]);
  });
  test("the init script fails fast, works in the given root and hands the layout to the given UID", () => {
    const script = mmapInitScript("/data", 4242);
    expect(script.startsWith("set -eu\ncd '/data'\n")).toBe(true);
    expect(script).toContain("chown 4242:4242 . consciousness ");
    expect(script).toContain("chmod 755 . consciousness ");
  });
  test("the root is one shell word whatever it holds", () => {
    const root = "/data/it's a $(dir)";
    const cd = mmapInitScript(root).split("\n")[1];
    expect(bashWord(cd.replace(/^cd /, ""))).toBe(root);
  });
});
