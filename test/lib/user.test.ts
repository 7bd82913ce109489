import { ConstructValidationError, Service } from "../../lib";
import { fileOwnerOf, isRootUser, startsAsRoot } from "../../lib/user";
import { ContainerRunsAsNonRoot } from "../../policy/rules/ContainerRunsAsNonRoot";
import { rawContainer, runRule, scratch } from "../policy/helpers";
import { scratchStack } from "../helpers";

describe("root: one definition", () => {
  test.each([
    ["0", true],
    ["00", true],
    ["root", true],
    ["0:0", true],
    ["0:1000", true],
    ["root:users", true],
    [" 0 ", true],
    ["1000", false],
    ["1000:0", false],
    ["472:0", false],
    ["10", false],
    ["rooter", false],
  ])("isRootUser(%p) is %p: the user part decides, the group does not", (user, root) => expect(isRootUser(user)).toBe(root));

  test("an unset or empty user is the image's own user, taken to start as root", () => {
    expect([startsAsRoot(undefined), startsAsRoot(""), startsAsRoot("  ")]).toEqual([true, true, true]);
    expect(startsAsRoot("1000:1000")).toBe(false);
  });

  test("files for a root reader are owned by 0:0, whatever group its user names", () => {
    expect(fileOwnerOf("0:1000")).toEqual({ uid: "0", gid: "0" });
    expect(fileOwnerOf(undefined)).toEqual({ uid: "0", gid: "0" });
    expect(fileOwnerOf("1000")).toEqual({ uid: "1000", gid: "1000" });
    expect(fileOwnerOf("1000:2000")).toEqual({ uid: "1000", gid: "2000" });
  });
});

describe("Service and ContainerRunsAsNonRoot agree on root", () => {
  const build = (user: string, rootReason?: string) => {
    const s = scratchStack();
    return new Service(s.stack, "App", { name: "app", image: s.image, user, rootReason, networks: [{ network: s.network }] });
  };

  test("fails when uid 0 with another group (0:1000) runs without a rootReason", () => {
    expect(() => build("0:1000")).toThrow(ConstructValidationError);
    expect(() => build("0:1000")).toThrow(/rootReason: got \(not set\)/);
  });

  test.each(["0", "0:1000", "root:users", "1000:0", "1000"])("user %p: the Service's runsAsRoot is what the rule finds", (user) => {
    const service = build(user, "the image needs root for a reason");
    const s = scratch();
    rawContainer(s, { user });
    const { findings } = runRule(s.stack, ContainerRunsAsNonRoot);
    expect(service.runsAsRoot).toBe(findings.length === 1);
    expect(service.runsAsRoot).toBe(isRootUser(user));
  });
});
