/**
 * Zebra's support window: every zebrad release stops itself on Mainnet some days after it was cut
 * (`zebrad/src/components/sync/end_of_support.rs`). This file is the one table of releases the stacks
 * know, the network upgrades beside it, and the arithmetic from heights to dates that the plan-time
 * guard, the synth-time check and the `ZebraEndOfSupportSoon` alert share. docs/zebra-upgrades.md is
 * generated from it (`npm run docs`).
 */

/** Network upgrades after NU5, in activation order (zebra-chain `NetworkUpgrade`). */
export const UPGRADES = ["NU6", "NU6.1", "NU6.2", "NU6.3", "NU7"] as const;
export type Upgrade = (typeof UPGRADES)[number];

/**
 * Activation heights, from `zebra-chain` 15.0.0 `src/parameters/constants.rs` (the zebra-chain of
 * zebrad 7.0.0). Every earlier zebra-chain that defines an upgrade gives it the same height.
 */
export const ACTIVATION_HEIGHTS: Readonly<Record<"Mainnet" | "Testnet", Readonly<Record<Upgrade, number>>>> = {
  Mainnet: { NU6: 2_726_400, "NU6.1": 3_146_400, "NU6.2": 3_364_600, "NU6.3": 3_428_143, NU7: 3_543_405 },
  Testnet: { NU6: 2_976_000, "NU6.1": 3_536_500, "NU6.2": 4_052_000, "NU6.3": 4_134_000, NU7: 4_465_026 },
};

/** Consensus branch ids (zebra-chain 15.0.0 `CONSENSUS_BRANCH_IDS`), as Zallet's `regtest_nuparams` name upgrades. */
export const BRANCH_IDS = {
  Overwinter: "5ba81b19",
  Sapling: "76b809bb",
  Blossom: "2bb40e60",
  Heartwood: "f5b9230b",
  Canopy: "e9ff75a6",
  NU5: "c2d6d0b4",
  NU6: "c8e71055",
  "NU6.1": "4dec4df0",
  "NU6.2": "5437f330",
  "NU6.3": "37a5165b",
  NU7: "77190ad9",
} as const;

/**
 * Regtest activation heights, one definition for Zebra's `[network.testnet_parameters.activation_heights]`
 * and Zallet's `regtest_nuparams` (every upgrade named in both, so that they agree). Upstream Z3 (#52)
 * now activates NU6.2 and NU6.3 at height 2 as well, with a Zallet beta; the Zallet deployed here
 * (v0.1.0-alpha.3, zcash_protocol 0.7.2) rejects their branch ids, so Regtest stops at NU6.1, as
 * upstream did before (docs/zebra-upgrades.md).
 */
export const REGTEST_ACTIVATION_HEIGHTS: Readonly<Partial<Record<keyof typeof BRANCH_IDS, number>>> = {
  Overwinter: 1,
  Sapling: 1,
  Blossom: 1,
  Heartwood: 1,
  Canopy: 1,
  NU5: 2,
  NU6: 2,
  "NU6.1": 1000,
};

/**
 * Mainnet's target block spacing: 75 s after Blossom (1,152 blocks a day), 25 s from NU7
 * (`POST_NU7_POW_TARGET_SPACING`). A release whose zebra-chain defines Mainnet's NU7 (7.0.0 on)
 * counts its end of support with both; older ones count 1,152 blocks a day throughout.
 */
export const BLOCK_SPACING_SECONDS = { postBlossom: 75, postNu7: 25 } as const;

/** Zebra warns from `EOS_WARN_AFTER = EOS_PANIC_AFTER - 14` days after its release height. */
export const WARN_DAYS_BEFORE_HALT = 14;

export interface ZebraRelease {
  /** zebrad version, as its image tag and its `zebrad_build_info{version}` metric spell it. */
  readonly version: string;
  /** `ESTIMATED_RELEASE_HEIGHT`: the Mainnet height the release was expected to ship at. */
  readonly estimatedReleaseHeight: number;
  /** `EOS_PANIC_AFTER`: days after that height at which the node halts. */
  readonly endOfSupportDays: number;
  /** The newest network upgrade its zebra-chain defines (it knows every earlier one too). */
  readonly newestUpgrade: Upgrade;
  /** The zebra-chain it depends on (its Cargo.toml). @default - stated in settings, not read from a crate */
  readonly zebraChain?: string;
  /** Day the crate was published (the registry index's `pubtime`): checks the date estimate (`ESTIMATE_ERROR_DAYS`). */
  readonly published?: string;
}

/**
 * Stable zebrad releases from 5.0.0, read from their crates (`cargo info zebrad@<version>`):
 * `src/components/sync/end_of_support.rs` and Cargo.toml. Release candidates are left out.
 */
export const ZEBRA_RELEASES: readonly ZebraRelease[] = [
  {
    version: "5.0.0",
    estimatedReleaseHeight: 3_358_200,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.2",
    zebraChain: "9.0.0",
    published: "2026-06-03",
  },
  {
    version: "5.1.0",
    estimatedReleaseHeight: 3_375_400,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.2",
    zebraChain: "10.0.0",
    published: "2026-06-11",
  },
  {
    version: "5.1.1",
    estimatedReleaseHeight: 3_374_490,
    endOfSupportDays: 44,
    newestUpgrade: "NU6.2",
    zebraChain: "10.0.0",
    published: "2026-06-12",
  },
  {
    version: "5.2.0",
    estimatedReleaseHeight: 3_382_189,
    endOfSupportDays: 37,
    newestUpgrade: "NU6.2",
    zebraChain: "10.1.0",
    published: "2026-06-18",
  },
  {
    version: "6.0.0",
    estimatedReleaseHeight: 3_408_000,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.3",
    zebraChain: "11.1.0",
    published: "2026-07-10",
  },
  {
    version: "6.1.0",
    estimatedReleaseHeight: 3_417_000,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.3",
    zebraChain: "11.2.0",
    published: "2026-07-17",
  },
  {
    version: "6.2.0",
    estimatedReleaseHeight: 3_417_000,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.3",
    zebraChain: "11.2.0",
    published: "2026-07-17",
  },
  {
    version: "6.2.1",
    estimatedReleaseHeight: 3_422_000,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.3",
    zebraChain: "11.2.0",
    published: "2026-07-22",
  },
  {
    version: "6.2.2",
    estimatedReleaseHeight: 3_425_000,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.3",
    zebraChain: "11.2.0",
    published: "2026-07-24",
  },
  {
    version: "6.2.3",
    estimatedReleaseHeight: 3_425_000,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.3",
    zebraChain: "11.3.0",
    published: "2026-07-28",
  },
  {
    version: "6.3.0",
    estimatedReleaseHeight: 3_444_000,
    endOfSupportDays: 105,
    newestUpgrade: "NU6.3",
    zebraChain: "12.0.0",
    published: "2026-08-10",
  },
  // Kept 6.3.0's release height and shortened the window instead.
  {
    version: "6.4.2",
    estimatedReleaseHeight: 3_444_000,
    endOfSupportDays: 84,
    newestUpgrade: "NU6.3",
    zebraChain: "13.0.1",
    published: "2026-09-25",
  },
  {
    version: "7.0.0",
    estimatedReleaseHeight: 3_526_000,
    endOfSupportDays: 56,
    newestUpgrade: "NU7",
    zebraChain: "15.0.0",
    published: "2026-10-22",
  },
];

/**
 * The one anchor from heights to dates: zebrad 7.0.0's `ESTIMATED_RELEASE_HEIGHT` on the day it was
 * published. Any other height is placed from it at the target spacing (75 s, 25 s from NU7).
 */
export const MAINNET_ANCHOR = { height: 3_526_000, date: "2026-10-22T00:00:00Z" } as const;

/**
 * How far the date estimate can be off, in days. Measured: placed from the anchor, the release height
 * of each release that set a new one lands within 5 days of the day it was published (5.0.0: 4.7 days
 * early; every later one 0.5 to 2.4 days off), over the 141 days from 5.0.0 to 7.0.0. The spread holds
 * both the chain's real block times and how far ahead of a release its height was estimated; a test
 * keeps it true for every row of the table. Plans refuse a release this many days before its
 * estimated halt, so that no deploy lands a node that halts before the estimate says it will.
 */
export const ESTIMATE_ERROR_DAYS = 5;

const DAY_MS = 86_400_000;

/** Height of Mainnet's last block before NU7: every later block is mined at the post-NU7 spacing. */
const LAST_PRE_NU7 = ACTIVATION_HEIGHTS.Mainnet.NU7 - 1;

/**
 * Seconds from `from` to `to` at the target spacing. `withNu7`: count 25 s blocks from NU7, as the
 * chain does (and as releases that define Mainnet's NU7 estimate); without it, 75 s throughout.
 */
function secondsBetween(from: number, to: number, withNu7: boolean): number {
  const slow = BLOCK_SPACING_SECONDS.postBlossom;
  if (!withNu7) return (to - from) * slow;
  const at = (h: number) => (h <= LAST_PRE_NU7 ? h * slow : LAST_PRE_NU7 * slow + (h - LAST_PRE_NU7) * BLOCK_SPACING_SECONDS.postNu7);
  return at(to) - at(from);
}

/** The height `days` after `from`, as a release estimates it (`estimated_height_after_release`). */
function heightAfterDays(from: number, days: number, withNu7: boolean): number {
  const seconds = days * 86_400;
  const slow = BLOCK_SPACING_SECONDS.postBlossom;
  if (!withNu7 || from + seconds / slow <= LAST_PRE_NU7) return from + Math.floor(seconds / slow);
  const left = seconds - secondsBetween(from, LAST_PRE_NU7, true);
  return LAST_PRE_NU7 + Math.floor(left / BLOCK_SPACING_SECONDS.postNu7);
}

/** Estimated date at which Mainnet reaches `height` (the chain's spacing: 25 s blocks from NU7). */
export function mainnetDateOf(height: number): Date {
  return new Date(Date.parse(MAINNET_ANCHOR.date) + secondsBetween(MAINNET_ANCHOR.height, height, true) * 1000);
}

/** Estimated Mainnet height at `date` (the inverse of `mainnetDateOf`, rounded down). */
export function mainnetHeightAt(date: Date): number {
  const seconds = (date.getTime() - Date.parse(MAINNET_ANCHOR.date)) / 1000;
  const toNu7 = secondsBetween(MAINNET_ANCHOR.height, LAST_PRE_NU7, true);
  if (seconds <= toNu7) return MAINNET_ANCHOR.height + Math.floor(seconds / BLOCK_SPACING_SECONDS.postBlossom);
  return LAST_PRE_NU7 + Math.floor((seconds - toNu7) / BLOCK_SPACING_SECONDS.postNu7);
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const isoTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** What the guard and the alert need to know about one release on Mainnet. */
export interface SupportWindow {
  readonly version: string;
  /** The last height the node runs at: `EOS_PANIC_AFTER` days after its release height, as it counts them. */
  readonly haltHeight: number;
  /** The height from which Zebra logs its own warning (`EOS_WARN_AFTER`, 14 days earlier). */
  readonly warnHeight: number;
  /** Estimated date of `haltHeight`, RFC 3339. */
  readonly haltAt: string;
  /** Estimated date of `warnHeight`, RFC 3339: plans warn from here. */
  readonly warnAt: string;
  /** `haltAt` less `ESTIMATE_ERROR_DAYS`, RFC 3339: plans fail from here. */
  readonly refuseFrom: string;
  /** The first Mainnet upgrade the release does not know, if any: it cannot follow the chain past it. */
  readonly unknownUpgrade?: { readonly name: Upgrade; readonly height: number; readonly activatesAt: string; readonly refuseFrom: string };
}

/** The upgrades a release knows (its `newestUpgrade` and every earlier one). */
export function knownUpgrades(release: Pick<ZebraRelease, "newestUpgrade">): Upgrade[] {
  return UPGRADES.slice(0, UPGRADES.indexOf(release.newestUpgrade) + 1);
}

const minusError = (d: Date) => isoTime(new Date(d.getTime() - ESTIMATE_ERROR_DAYS * DAY_MS));

/** The release's window on Mainnet. */
export function supportWindow(release: ZebraRelease): SupportWindow {
  const withNu7 = knownUpgrades(release).includes("NU7");
  const haltHeight = heightAfterDays(release.estimatedReleaseHeight, release.endOfSupportDays, withNu7);
  const warnHeight = heightAfterDays(release.estimatedReleaseHeight, release.endOfSupportDays - WARN_DAYS_BEFORE_HALT, withNu7);
  const halt = mainnetDateOf(haltHeight);
  const unknown = UPGRADES.find((u) => !knownUpgrades(release).includes(u));
  const activation = unknown && mainnetDateOf(ACTIVATION_HEIGHTS.Mainnet[unknown]);
  return {
    version: release.version,
    haltHeight,
    warnHeight,
    haltAt: isoTime(halt),
    warnAt: isoTime(mainnetDateOf(warnHeight)),
    refuseFrom: minusError(halt),
    unknownUpgrade:
      unknown && activation
        ? {
            name: unknown,
            height: ACTIVATION_HEIGHTS.Mainnet[unknown],
            activatesAt: isoTime(activation),
            refuseFrom: minusError(activation),
          }
        : undefined,
  };
}

/** A day as the docs and messages print it. */
export const dayOf = (rfc3339: string) => isoDay(new Date(rfc3339));

/**
 * A release the settings state for an image the table does not cover (a newer release, a digest, a
 * rebuilt image): the numbers come from that release's `end_of_support.rs`.
 */
export interface StatedZebraRelease {
  /** The exact image reference it applies to. */
  readonly image: string;
  readonly version: string;
  readonly estimatedReleaseHeight: number;
  readonly endOfSupportDays: number;
  /** The newest Mainnet upgrade its zebra-chain defines. @default - the newest at or below its release height */
  readonly newestUpgrade?: Upgrade;
}

/** A stated release as a table row. */
export function statedRelease(stated: StatedZebraRelease): ZebraRelease {
  const passed = UPGRADES.filter((u) => ACTIVATION_HEIGHTS.Mainnet[u] <= stated.estimatedReleaseHeight);
  return {
    version: stated.version,
    estimatedReleaseHeight: stated.estimatedReleaseHeight,
    endOfSupportDays: stated.endOfSupportDays,
    newestUpgrade: stated.newestUpgrade ?? passed[passed.length - 1] ?? UPGRADES[0],
  };
}

/**
 * The tag of an image reference read as a release version (`repo:7.0.0` or `repo:v7.0.0`, any
 * registry or repository: mirrors keep the tag). The plan-time guard applies the same pattern.
 */
export const RELEASE_TAG_PATTERN = ":v?([0-9]+[.][0-9]+[.][0-9]+)$";

/** The release an image runs: a stated one by exact reference, else the table's by its tag. */
export function releaseOfImage(image: string, stated: readonly StatedZebraRelease[] = []): ZebraRelease | undefined {
  const own = stated.find((s) => s.image === image);
  if (own) return statedRelease(own);
  const version = new RegExp(RELEASE_TAG_PATTERN).exec(image)?.[1];
  return ZEBRA_RELEASES.find((r) => r.version === version);
}

/**
 * The Mainnet upgrades already active when synth runs, known without a clock: those at or below the
 * newest release height in the table (the chain had passed it when that release shipped).
 */
export function upgradesKnownActive(): Upgrade[] {
  const newest = Math.max(...ZEBRA_RELEASES.map((r) => r.estimatedReleaseHeight));
  return UPGRADES.filter((u) => ACTIVATION_HEIGHTS.Mainnet[u] <= newest);
}

/** The upgrades known to be active on Mainnet that `release` does not know: synth refuses it on Mainnet when there is one. */
export function missingActiveUpgrades(release: Pick<ZebraRelease, "newestUpgrade">): Upgrade[] {
  const known = knownUpgrades(release);
  return upgradesKnownActive().filter((u) => !known.includes(u));
}
