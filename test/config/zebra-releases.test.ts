import {
  ACTIVATION_HEIGHTS,
  ESTIMATE_ERROR_DAYS,
  mainnetDateOf,
  mainnetHeightAt,
  MAINNET_ANCHOR,
  releaseOfImage,
  supportWindow,
  upgradesKnownActive,
  ZEBRA_RELEASES,
} from "../../config/z3/zebra-releases";
import { clone, problems } from "./settings-helpers";

const release = (version: string) => ZEBRA_RELEASES.find((r) => r.version === version)!;

describe("the release table", () => {
  test("halt and warning heights are the ones each release computes itself", () => {
    // 7.0.0 counts 75 s blocks to NU7 and 25 s ones after it (its own test in tests/unit/end_of_support.rs).
    expect(supportWindow(release("7.0.0"))).toMatchObject({ haltHeight: 3_684_728, warnHeight: 3_636_344 });
    // Releases without Mainnet's NU7 count 1,152 blocks a day.
    expect(supportWindow(release("5.0.0"))).toMatchObject({ haltHeight: 3_479_160, warnHeight: 3_463_032 });
    expect(supportWindow(release("6.3.0")).haltHeight).toBe(3_444_000 + 105 * 1_152);
  });

  test(`the date estimate places every new release height within ${ESTIMATE_ERROR_DAYS} days of its publication`, () => {
    const seen = new Set<number>();
    const off: string[] = [];
    for (const r of ZEBRA_RELEASES) {
      if (seen.has(r.estimatedReleaseHeight) || r.published === undefined) continue; // a reused height says nothing of its own day
      seen.add(r.estimatedReleaseHeight);
      const days = (mainnetDateOf(r.estimatedReleaseHeight).getTime() - Date.parse(`${r.published}T00:00:00Z`)) / 86_400_000;
      if (Math.abs(days) > ESTIMATE_ERROR_DAYS) off.push(`${r.version}: ${days.toFixed(1)} days`);
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
    expect(off).toEqual([]);
  });

  test("dates: 7.0.0 halts mid-December 2026, warns 14 days before and is refused the error margin before", () => {
    const w = supportWindow(release("7.0.0"));
    expect(w).toMatchObject({ haltAt: "2026-12-17T00:00:00Z", warnAt: "2026-12-03T00:00:00Z", refuseFrom: "2026-12-12T00:00:00Z" });
    expect(w.unknownUpgrade).toBeUndefined();
    expect(mainnetDateOf(MAINNET_ANCHOR.height).toISOString()).toBe("2026-10-22T00:00:00.000Z");
  });

  test("heights and dates convert both ways, across NU7's change of spacing", () => {
    for (const h of [3_400_000, 3_526_000, ACTIVATION_HEIGHTS.Mainnet.NU7 - 1, ACTIVATION_HEIGHTS.Mainnet.NU7 + 1, 3_684_728]) {
      expect(mainnetHeightAt(mainnetDateOf(h))).toBe(h);
    }
    expect(mainnetHeightAt(new Date("2026-12-17T00:00:00Z"))).toBe(3_684_728);
  });

  test("a release without an upgrade names it, with its estimated activation", () => {
    expect(supportWindow(release("6.3.0")).unknownUpgrade).toMatchObject({
      name: "NU7",
      height: ACTIVATION_HEIGHTS.Mainnet.NU7,
      activatesAt: expect.stringMatching(/^2026-11-0/),
    });
    expect(supportWindow(release("5.0.0")).unknownUpgrade?.name).toBe("NU6.3");
  });

  test("images resolve by version tag on any repository (mirrors keep the tag), stated ones by exact reference", () => {
    expect(releaseOfImage("zfnd/zebra:7.0.0")?.version).toBe("7.0.0");
    expect(releaseOfImage("registry.internal:5000/mirror/zebra:v6.3.0")?.version).toBe("6.3.0");
    expect(releaseOfImage("zfnd/zebra:7.0.0-custom")).toBeUndefined();
    expect(releaseOfImage("zfnd/zebra:latest")).toBeUndefined();
    const stated = [
      { image: "zfnd/zebra@sha256:" + "a".repeat(64), version: "7.1.0", estimatedReleaseHeight: 3_700_000, endOfSupportDays: 70 },
    ];
    expect(releaseOfImage(stated[0].image, stated)).toMatchObject({ version: "7.1.0", newestUpgrade: "NU7" });
    // Cut before NU7 activated but defining it: stated, else read from the release height.
    const early = [{ ...stated[0], estimatedReleaseHeight: 3_530_000 }];
    expect(releaseOfImage(early[0].image, early)?.newestUpgrade).toBe("NU6.3");
    expect(releaseOfImage(early[0].image, [{ ...early[0], newestUpgrade: "NU7" as const }])?.newestUpgrade).toBe("NU7");
  });

  test("at synth, NU6.3 is known to be active on Mainnet and NU7 is left to the plan's clock", () => {
    expect(upgradesKnownActive()).toEqual(["NU6", "NU6.1", "NU6.2", "NU6.3"]);
  });
});

describe("settings: a Mainnet Zebra inside its support window", () => {
  test("production refuses a release that predates an active upgrade, naming it", () => {
    const all = clone();
    all.production.z3.images.zebra = "zfnd/zebra:5.0.0";
    expect(problems(all)).toEqual([
      '[production] z3.images.zebra: got "zfnd/zebra:5.0.0"; allowed: a Zebra release that knows NU6.3 (active on Mainnet since height 3,428,143): 5.0.0 knows upgrades up to NU6.2 and cannot follow the chain',
    ]);
  });

  test("production refuses an image whose end of support is unknown, and says how to state it", () => {
    const all = clone();
    all.production.z3.images.zebra = "zfnd/zebra:7.9.0";
    const [line, ...rest] = problems(all);
    expect(rest).toEqual([]);
    expect(line).toMatch(
      /^\[production\] z3\.images\.zebra: got "zfnd\/zebra:7\.9\.0"; allowed: a Zebra release whose end of support is known: .*7\.0\.0.*z3\.zebraReleases/,
    );
  });

  test("a stated release makes such an image deployable", () => {
    const all = clone();
    all.production.z3.images.zebra = "zfnd/zebra:7.9.0";
    all.production.z3.zebraReleases = [
      { image: "zfnd/zebra:7.9.0", version: "7.9.0", estimatedReleaseHeight: 3_700_000, endOfSupportDays: 56 },
    ];
    expect(problems(all)).toEqual([]);
  });

  test("a stated release is checked strictly: unknown keys, a height before NU6, a window of a year or more", () => {
    const all = clone();
    all.production.z3.zebraReleases = [
      { image: "zfnd/zebra:7.9.0", version: "7.9.0", estimatedReleaseHeight: 1_000, endOfSupportDays: 1e21, haltHeight: 1 } as never,
    ];
    expect(problems(all)).toEqual([
      "[production] z3.zebraReleases.0.estimatedReleaseHeight: got 1000; allowed: an integer from 2726400 to 20000000",
      "[production] z3.zebraReleases.0.endOfSupportDays: got 1e+21; allowed: an integer from 1 to 365",
      "[production] z3.zebraReleases.0.haltHeight: got 1; allowed: no key `haltHeight` (keys of z3.zebraReleases.0: image, version, estimatedReleaseHeight, endOfSupportDays, newestUpgrade)",
    ]);
  });

  test("Testnet and Regtest nodes do not halt: any pinned release is accepted there", () => {
    const all = clone();
    all.staging.z3.images.zebra = "zfnd/zebra:5.0.0";
    all.dev.z3.images.zebra = "z3-e2e/zebra:1";
    expect(problems(all)).toEqual([]);
  });
});
