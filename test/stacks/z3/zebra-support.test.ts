import { Testing } from "../../../lib/cdk";
import { ENVIRONMENTS } from "../../../config/environments";
import { ZEBRA_RELEASES } from "../../../config/z3/zebra-releases";
import { ZcashStack } from "../../../stacks/z3/zcash-stack";
import { synthJson, TfJson } from "../../helpers";
import type { TfValue } from "../../tf-json";
import { EnvironmentSettings } from "../../../config/settings";

const synth = (settings: EnvironmentSettings): TfJson => synthJson(new ZcashStack(Testing.app(), settings));
const prod = synth(ENVIRONMENTS.production);
/** The support windows local, an object (the JSON's locals are typed as file templates): release → its row. */
const supportWindows = (json: TfJson) => json.locals.zebra_support_windows as unknown as Record<string, Record<string, TfValue>>;

describe("Zebra's support window in the synthesized plan (Mainnet)", () => {
  test("every release of the table is a row of the local the plan looks up, with its dates", () => {
    const windows = supportWindows(prod);
    expect(Object.keys(windows)).toEqual(ZEBRA_RELEASES.map((r) => r.version));
    // 7.0.0's window: the figures test/config/zebra-releases.test.ts states.
    expect(windows["7.0.0"]).toEqual({
      version: "7.0.0",
      halt_height: 3_684_728,
      halt_day: "2026-12-17",
      warn_at: "2026-12-03T00:00:00Z",
      warn_day: "2026-12-03",
      refuse_from: "2026-12-12T00:00:00Z",
      refuse_day: "2026-12-12",
      upgrade: "",
      upgrade_height: 0,
      upgrade_day: "",
      upgrade_refuse_from: "9999-12-31T00:00:00Z",
    });
    expect(windows["6.3.0"]).toMatchObject({ upgrade: "NU7", upgrade_height: 3_543_405 });
  });

  test("the release is looked up from the image the plan uses (the variable), exact image first, then its version tag", () => {
    expect(prod.locals!.zebra_release).toBe(
      '${lookup(local.zebra_support_windows, var.zebra_image, lookup(local.zebra_support_windows, try(regex(":v?([0-9]+[.][0-9]+[.][0-9]+)$", var.zebra_image)[0], ""), null))}',
    );
  });

  test("Zebra's container carries the three preconditions; a check block warns", () => {
    const pre = prod.resource.docker_container.z3_zebra.lifecycle.precondition as { condition: string; error_message: string }[];
    expect(pre.map((p) => p.condition)).toEqual([
      "${local.zebra_release != null}",
      "${try(timecmp(plantimestamp(), local.zebra_release.refuse_from) < 0, true)}",
      "${try(timecmp(plantimestamp(), local.zebra_release.upgrade_refuse_from) < 0, true)}",
    ]);
    for (const p of pre) expect(p.error_message).toMatch(/^\[zcash-production\] .*Fix: deploy a supported release/);
    expect(prod.check.zebra_support_window.assert[0].condition).toBe(
      "${try(timecmp(plantimestamp(), local.zebra_release.warn_at) < 0, true)}",
    );
  });

  test("Testnet and Regtest stacks have no guard (their nodes never halt)", () => {
    for (const env of ["dev", "staging"] as const) {
      const json = synth(ENVIRONMENTS[env]);
      expect([env, json.locals?.zebra_release, json.check, json.resource.docker_container.z3_zebra.lifecycle?.precondition]).toEqual([
        env,
        undefined,
        undefined,
        undefined,
      ]);
    }
  });

  test("a stated release is a row keyed by its exact image", () => {
    const image = "registry.internal/zebra@sha256:" + "b".repeat(64);
    const json = synth({
      ...ENVIRONMENTS.production,
      z3: {
        ...ENVIRONMENTS.production.z3,
        zebraReleases: [{ image, version: "7.1.0", estimatedReleaseHeight: 3_700_000, endOfSupportDays: 70 }],
      },
    });
    expect(supportWindows(json)[image]).toMatchObject({ version: "7.1.0" });
  });
});
