/**
 * Gating as the plan summary and the synth diff share it (tools/review/gating.ts): the rule on its
 * own, then both tools deciding the same way on the same loss of a volume.
 */
import { parseArgs } from "../../../tools/lib/cli";
import { summarizePlans } from "../../../tools/plan-summary";
import {
  attentionSection,
  Callout,
  countByKind,
  findingsVerdict,
  gate,
  gateMessages,
  gateOptionsOf,
  isGated,
  maxLengthOf,
  stackGate,
} from "../../../tools/review/gating";
import { diffSynth } from "../../../tools/synth-diff";
import { plan, volume } from "../plan-fixtures";

describe("the rule", () => {
  test("production is gated by default, --gate-env adds environments, an unknown environment always is", () => {
    expect(["dev", "staging", "production", "unknown"].map((e) => isGated(e))).toEqual([false, false, true, true]);
    expect(["dev", "staging", "production"].map((e) => isGated(e, ["production", "staging"]))).toEqual([false, true, true]);
    expect(stackGate("zcash-prod").environment).toBe("unknown");
    expect(stackGate("zcash-prod").gated).toBe(true);
    expect(stackGate("zcash-dev", {}, "production")).toMatchObject({ environment: "production", gated: true });
  });

  test("only data loss in a gated stack is gating; downtime and disruption never are", () => {
    const production = stackGate("zcash-production");
    const dev = stackGate("zcash-dev");
    expect(
      (["data-loss", "downtime", "disruption"] as const).map((kind) => [
        production.callout(kind, "x", "t").gating,
        dev.callout(kind, "x", "t").gating,
      ]),
    ).toEqual([
      [true, false],
      [false, false],
      [false, false],
    ]);
    expect(dev.callout("downtime", "docker_container.a", "text")).toEqual({
      kind: "downtime",
      stack: "zcash-dev",
      address: "docker_container.a",
      gating: false,
      text: "text",
    });
  });

  test("exit code: 1 on any error (even when something blocks), 2 when something blocks unless data loss is allowed, else 0", () => {
    const blocking = stackGate("a-production").callout("data-loss", "docker_volume.v", "t");
    const other = stackGate("a-dev").callout("data-loss", "docker_volume.w", "t");
    expect(gate([blocking, other], [])).toEqual({ blocking: [blocking], exitCode: 2 });
    expect(gate([blocking, other], [], true)).toEqual({ blocking: [blocking], exitCode: 0 });
    expect(gate([blocking], ["bad input"], true).exitCode).toBe(1);
    expect(gate([other], []).exitCode).toBe(0);
  });

  test("the verdict: blocked, data loss allowed, review needed, or nothing to say", () => {
    const blocking = [stackGate("a-production").callout("data-loss", "docker_volume.v", "t")];
    const o = { findings: ["1 volume lost"], blocked: (n: number) => `would lose ${n}.` };
    expect(findingsVerdict({ ...o, blocking, allowDataLoss: false })).toBe("⛔ **Blocked:** `a-production` would lose 1.");
    expect(findingsVerdict({ ...o, blocking, allowDataLoss: true })).toBe(
      "⚠️ **Data loss allowed** (--allow-data-loss) in `a-production`: 1 volume lost.",
    );
    expect(findingsVerdict({ ...o, blocking: [], allowDataLoss: false })).toBe("⚠️ **Review needed:** 1 volume lost.");
    expect(findingsVerdict({ ...o, findings: [], blocking: [], allowDataLoss: false })).toBeUndefined();
  });

  test("the Attention list: gating findings first, then data loss, downtime, disruption; nothing when there are none", () => {
    const { callout } = stackGate("a-production");
    const dev = stackGate("a-dev").callout;
    const callouts: Callout[] = [
      callout("disruption", "n", "network"),
      dev("data-loss", "v", "dev volume"),
      callout("downtime", "c", "container"),
      callout("data-loss", "w", "production volume"),
    ];
    expect(attentionSection(callouts)).toEqual([
      "### Attention",
      "",
      "- ⛔ `a-production`: production volume _(gated)_",
      "- 🗑️ `a-dev`: dev volume",
      "- 🔁 `a-production`: container",
      "- 🔌 `a-production`: network",
      "",
    ]);
    expect(attentionSection([])).toEqual([]);
    expect(countByKind(callouts)).toEqual({ "data-loss": 2, downtime: 1, disruption: 1 });
  });

  test("options and messages of both commands", () => {
    const args = parseArgs(["--allow-data-loss", "--gate-env", "staging", "--max-length", "5000"], {
      flags: ["allow-data-loss"],
      values: ["gate-env", "max-length"],
    });
    expect(gateOptionsOf(args)).toEqual({ allowDataLoss: true, gatedEnvironments: ["production", "staging"] });
    expect(maxLengthOf(args)).toBe(5000);
    const none = parseArgs([], { flags: ["allow-data-loss"], values: ["gate-env", "max-length"] });
    expect(gateOptionsOf(none)).toEqual({ allowDataLoss: false, gatedEnvironments: undefined });
    expect(maxLengthOf(none)).toBeUndefined();
    expect(() => maxLengthOf(parseArgs(["--max-length", "999"], { flags: [], values: ["max-length"] }))).toThrow(
      "--max-length needs an integer of at least 1000",
    );
    const blocking = [stackGate("a-production").callout("data-loss", "docker_volume.v", "t")];
    expect(gateMessages({ errors: ["e"], blocking, exitCode: 1 }, "data loss")).toEqual(["error: e"]);
    expect(gateMessages({ errors: [], blocking, exitCode: 2 }, "volume loss")).toEqual([
      "blocked: a-production docker_volume.v (volume loss; --allow-data-loss to proceed)",
    ]);
  });
});

describe("plan-summary and synth-diff gate alike", () => {
  /** A stack that loses its volume `docker_volume.data`: as a plan (delete), and as two synthesized trees. */
  const lose = (stack: string, options: { allowDataLoss?: boolean; gatedEnvironments?: string[] } = {}) => {
    const body = { name: `${stack}-data`, labels: [{ label: "stateful", value: "true" }] };
    const summary = summarizePlans(
      [{ stack, plan: plan([{ address: "docker_volume.data", actions: ["delete"], before: volume(`${stack}-data`, true), after: null }]) }],
      options,
    );
    const diff = diffSynth({ [stack]: { resource: { docker_volume: { data: body } } } }, { [stack]: { resource: {} } }, options);
    return [summary, diff].map((r) => ({
      exitCode: r.exitCode,
      blocking: r.blocking.map((c) => `${c.stack} ${c.address}`),
      gated: r.stacks[0].gated,
      attention: r.markdown.split("\n").filter((l) => l.startsWith("- ⛔") || l.startsWith("- 🗑️")).length,
    }));
  };

  test.each([
    ["demo-production", {}, 2, true],
    ["demo-production", { allowDataLoss: true }, 0, true],
    ["demo-staging", {}, 0, false],
    ["demo-staging", { gatedEnvironments: ["production", "staging"] }, 2, true],
    ["demo", {}, 2, true],
  ])("%s %j: exit %d, gated %s, in both", (stack, options, exitCode, gated) => {
    const [summary, diff] = lose(stack, options);
    expect(summary).toEqual(diff);
    expect(summary).toEqual({ exitCode, blocking: gated ? [`${stack} docker_volume.data`] : [], gated, attention: 1 });
  });
});
