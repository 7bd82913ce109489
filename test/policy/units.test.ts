import * as fs from "fs";
import * as path from "path";

/**
 * The units the Service model writes and the policy rules read are defined once, in
 * lib/service-spec.ts (`BYTES_PER_MIB`, `CPU_PERIOD_MICROSECONDS`): a second definition could drift
 * from the first, and a rule would then judge a limit the construct did not set.
 */
describe("units have one definition", () => {
  const root = path.resolve(__dirname, "../..");
  const sources = ["lib", "policy", "policy/rules"].flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join(dir, f)),
  );
  test.each([
    ["a MiB in bytes", /(?<![\w*] ?)1024 \* 1024(?! \*)/],
    ["the CFS period", /\b100_?000\b/],
  ])("%s is written only in lib/service-spec.ts", (_, pattern) => {
    const writers = sources.filter((f) =>
      fs
        .readFileSync(path.join(root, f), "utf8")
        .split("\n")
        .some((line) => !/^\s*(\/\/|\*)/.test(line) && pattern.test(line)),
    );
    expect(writers).toEqual([path.join("lib", "service-spec.ts")]);
  });
});
