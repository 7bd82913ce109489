import { Construct, TerraformLocal, TerraformStack } from "../../lib/cdk";
import { Service } from "../../lib";
import {
  dayOf,
  ESTIMATE_ERROR_DAYS,
  missingActiveUpgrades,
  RELEASE_TAG_PATTERN,
  StatedZebraRelease,
  statedRelease,
  supportWindow,
  SupportWindow,
  WARN_DAYS_BEFORE_HALT,
  ZEBRA_RELEASES,
} from "../../config/z3/zebra-releases";

export interface ZebraSupportWindowProps {
  /** Zebra's image reference: the stack's `zebra_image` variable (known at plan time). */
  readonly image: string;
  /** Releases the settings state for images the table does not cover. */
  readonly stated: readonly StatedZebraRelease[];
  /** The Zebra service whose plan is refused outside the window. */
  readonly zebra: Service;
}

/** An RFC 3339 time no plan reaches: "no such limit" without a null in the map. */
const NEVER = "9999-12-31T00:00:00Z";

const FIX =
  "Fix: deploy a supported release (TF_VAR_zebra_image, or z3.images.zebra in the settings): add the new release's ESTIMATED_RELEASE_HEIGHT and EOS_PANIC_AFTER to config/z3/zebra-releases.ts, or state them for its image in z3.zebraReleases (docs/zebra-upgrades.md).";

/**
 * Zebra's end of support as a plan-time condition (Mainnet only: Testnet and Regtest nodes never
 * halt). The windows of every known release sit in a Terraform local keyed by version (and by image
 * for stated releases); the release is looked up from the `zebra_image` value the plan uses, so an
 * override at deploy time is judged like the default. Preconditions on Zebra's resource fail the plan
 * for an unknown release, one within `ESTIMATE_ERROR_DAYS` of its estimated halt, or one that does not
 * know an upgrade about to activate; a `check` block warns from 14 days before the halt, as Zebra does.
 */
export class ZebraSupportWindow extends Construct {
  /** The windows of the releases synth accepts (they know every upgrade known to be active), one per version. */
  readonly deployable: readonly SupportWindow[];

  constructor(scope: Construct, id: string, props: ZebraSupportWindowProps) {
    super(scope, id);
    const stack = TerraformStack.of(this).node.id;
    // By the key the plan looks up: the version for the table's releases, the exact image for stated ones.
    const windows = new Map<string, SupportWindow>(ZEBRA_RELEASES.map((r) => [r.version, supportWindow(r)]));
    for (const s of props.stated) windows.set(s.image, supportWindow(statedRelease(s)));
    const releases = [...ZEBRA_RELEASES, ...props.stated.map(statedRelease)].filter((r) => missingActiveUpgrades(r).length === 0);
    this.deployable = [...new Map(releases.map((r) => [r.version, supportWindow(r)])).values()];

    const table = new TerraformLocal(
      this,
      "zebra_support_windows",
      Object.fromEntries(
        [...windows].map(([key, w]) => [
          key,
          {
            version: w.version,
            halt_height: w.haltHeight,
            halt_day: dayOf(w.haltAt),
            warn_at: w.warnAt,
            warn_day: dayOf(w.warnAt),
            refuse_from: w.refuseFrom,
            refuse_day: dayOf(w.refuseFrom),
            upgrade: w.unknownUpgrade?.name ?? "",
            upgrade_height: w.unknownUpgrade?.height ?? 0,
            upgrade_day: w.unknownUpgrade ? dayOf(w.unknownUpgrade.activatesAt) : "",
            upgrade_refuse_from: w.unknownUpgrade?.refuseFrom ?? NEVER,
          },
        ]),
      ),
    );
    table.overrideLogicalId("zebra_support_windows");
    const image = props.image;
    const release = new TerraformLocal(
      this,
      "zebra_release",
      `\${lookup(${table.fqn}, ${image}, lookup(${table.fqn}, try(regex("${RELEASE_TAG_PATTERN}", ${image})[0], ""), null))}`,
    );
    release.overrideLogicalId("zebra_release");
    const r = (field: string) => `\${try(${release.fqn}.${field}, "")}`;
    const today = '${formatdate("YYYY-MM-DD", plantimestamp())}';
    const known = ZEBRA_RELEASES.map((x) => x.version).join(", ");

    const resource = props.zebra.resource;
    resource.lifecycle = {
      ...(resource.lifecycle ?? {}),
      precondition: [
        ...(resource.lifecycle?.precondition ?? []),
        {
          condition: `\${${release.fqn} != null}`,
          errorMessage: `[${stack}] zebra_image "${image}" is not a Zebra release whose end of support is known: a Mainnet node halts at its release's end of support, so the plan needs it. Known releases (by version tag): ${known}; stated images: ${props.stated.map((s) => s.image).join(", ") || "none"}. ${FIX}`,
        },
        {
          condition: `\${try(timecmp(plantimestamp(), ${release.fqn}.refuse_from) < 0, true)}`,
          errorMessage: `[${stack}] Zebra ${r("version")} (zebra_image "${image}") stops itself on Mainnet at height ${r("halt_height")}, estimated ${r("halt_day")} (±${ESTIMATE_ERROR_DAYS} days); plans refuse it from ${r("refuse_day")} and this plan runs on ${today}. ${FIX}`,
        },
        {
          condition: `\${try(timecmp(plantimestamp(), ${release.fqn}.upgrade_refuse_from) < 0, true)}`,
          errorMessage: `[${stack}] Zebra ${r("version")} (zebra_image "${image}") does not know ${r("upgrade")}, which activates on Mainnet at height ${r("upgrade_height")}, estimated ${r("upgrade_day")} (±${ESTIMATE_ERROR_DAYS} days): it cannot follow the chain past it. This plan runs on ${today}. ${FIX}`,
        },
      ],
    };

    // A warning, not an error: Terraform reports a failed check assertion and goes on.
    TerraformStack.of(this).addOverride("check.zebra_support_window", {
      assert: [
        {
          condition: `\${try(timecmp(plantimestamp(), ${release.fqn}.warn_at) < 0, true)}`,
          error_message: `[${stack}] Zebra ${r("version")} halts on Mainnet at height ${r("halt_height")}, estimated ${r("halt_day")}; Zebra warns from ${r("warn_day")} (${WARN_DAYS_BEFORE_HALT} days before) and plans fail from ${r("refuse_day")}. Plan the upgrade now. ${FIX}`,
        },
      ],
    });
  }
}
