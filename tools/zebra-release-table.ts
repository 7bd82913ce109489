/**
 * docs/zebra-upgrades.md's release and upgrade tables, rendered from config/z3/zebra-releases.ts so
 * that they cannot drift from what the plan-time guard and the alert use. `npm run docs` writes
 * them; a test fails when the page's copy differs.
 */
import {
  ACTIVATION_HEIGHTS,
  dayOf,
  ESTIMATE_ERROR_DAYS,
  mainnetDateOf,
  REGTEST_ACTIVATION_HEIGHTS,
  supportWindow,
  UPGRADES,
  ZEBRA_RELEASES,
  missingActiveUpgrades,
} from "../config/z3/zebra-releases";
import { withBlock } from "./generated-block";

export const RELEASES_START = "<!-- zebra-releases:start (npm run docs) -->";
export const RELEASES_END = "<!-- zebra-releases:end -->";

const n = (x: number) => x.toLocaleString("en-US");

export function renderZebraReleaseTable(): string {
  const releases = [
    "| zebrad | `ESTIMATED_RELEASE_HEIGHT` | `EOS_PANIC_AFTER` (days) | newest upgrade | halts after height | warns from (est.) | plans fail from (est.) | halts (est.) | Mainnet synth |",
    "|---|---:|---:|---|---:|---|---|---|---|",
    ...ZEBRA_RELEASES.map((r) => {
      const w = supportWindow(r);
      const missing = missingActiveUpgrades(r);
      const refuse =
        w.unknownUpgrade && w.unknownUpgrade.refuseFrom < w.refuseFrom
          ? `${dayOf(w.unknownUpgrade.refuseFrom)} (${w.unknownUpgrade.name})`
          : dayOf(w.refuseFrom);
      return `| ${r.version} | ${n(r.estimatedReleaseHeight)} | ${r.endOfSupportDays} | ${r.newestUpgrade} | ${n(w.haltHeight)} | ${dayOf(w.warnAt)} | ${refuse} | ${dayOf(w.haltAt)} | ${missing.length > 0 ? `refused (no ${missing[0]})` : "accepted"} |`;
    }),
  ];
  const upgrades = [
    "| upgrade | Mainnet height | Mainnet activation (est.) | Testnet height | Regtest height (`zebrad.toml`, Zallet `regtest_nuparams`) |",
    "|---|---:|---|---:|---:|",
    ...UPGRADES.map((u) => {
      const regtest = (REGTEST_ACTIVATION_HEIGHTS as Record<string, number>)[u];
      return `| ${u} | ${n(ACTIVATION_HEIGHTS.Mainnet[u])} | ${dayOf(mainnetDateOf(ACTIVATION_HEIGHTS.Mainnet[u]).toISOString())} | ${n(ACTIVATION_HEIGHTS.Testnet[u])} | ${regtest === undefined ? "not activated" : regtest} |`;
    }),
  ];
  return [
    RELEASES_START,
    ...releases,
    "",
    `Dates are estimates from one anchor (zebrad 7.0.0's release height on its publication day) at the target spacing; they can be off by ${ESTIMATE_ERROR_DAYS} days, and plans fail that long before the estimated halt.`,
    "",
    ...upgrades,
    RELEASES_END,
  ].join("\n");
}

/** The page with its generated block replaced; throws when the markers are missing. */
export function withZebraReleaseTable(page: string, table: string): string {
  return withBlock(page, RELEASES_START, RELEASES_END, table, "docs/zebra-upgrades.md");
}
