/**
 * Gating, as the plan summary (`npm run plan:summary`) and the synth diff (`npm run synth:diff`) both
 * decide it: each finding (a Callout) belongs to a stack; only data loss in a gated environment
 * (production by default, `--gate-env` adds more, an unknown environment always is) blocks, and a
 * blocking finding makes the exit code 2 unless `--allow-data-loss` is given. Bad input is exit 1.
 */
import { InputError, ParsedArgs } from "../lib/cli";
import { environmentOf } from "../lib/stack-name";
import { code } from "./markdown";

export type CalloutKind = "data-loss" | "downtime" | "disruption";

/** A finding a reviewer must read: it is listed under "Attention". */
export interface Callout {
  readonly kind: CalloutKind;
  readonly stack: string;
  readonly address: string;
  /** True when this finding alone makes the exit code 2 (without --allow-data-loss). */
  readonly gating: boolean;
  readonly text: string;
}

/** Environments whose data-loss findings fail the command (exit 2) unless data loss is allowed. */
export const DEFAULT_GATED_ENVIRONMENTS: readonly string[] = ["production"];

export interface GateOptions {
  /** Report gated data loss but exit 0. @default false */
  readonly allowDataLoss?: boolean;
  /** Environments where losing a volume is gated (exit 2). Unknown environments always are. @default ["production"] */
  readonly gatedEnvironments?: readonly string[];
}

/** Unknown environments are gated like production: a name that can't be read fails safe. */
export function isGated(environment: string, gated: readonly string[] = DEFAULT_GATED_ENVIRONMENTS): boolean {
  return environment === "unknown" || gated.includes(environment);
}

/**
 * The environment of a stack (read from its name unless given) and whether it is gated, with the
 * finding maker of that stack: only data loss in a gated stack is gating.
 */
export function stackGate(
  stack: string,
  options: GateOptions = {},
  environment: string = environmentOf(stack),
): { environment: string; gated: boolean; callout: (kind: CalloutKind, address: string, text: string) => Callout } {
  const gated = isGated(environment, options.gatedEnvironments ?? DEFAULT_GATED_ENVIRONMENTS);
  return { environment, gated, callout: (kind, address, text) => ({ kind, stack, address, gating: kind === "data-loss" && gated, text }) };
}

/** The findings that block, and the exit code: 1 on any error, 2 when something blocks and data loss is not allowed, else 0. */
export function gate(
  callouts: readonly Callout[],
  errors: readonly string[],
  allowDataLoss = false,
): { blocking: Callout[]; exitCode: 0 | 1 | 2 } {
  const blocking = callouts.filter((c) => c.gating);
  return { blocking, exitCode: errors.length > 0 ? 1 : blocking.length > 0 && !allowDataLoss ? 2 : 0 };
}

/** How many findings of each kind. */
export function countByKind(callouts: readonly Callout[]): Record<CalloutKind, number> {
  const counts: Record<CalloutKind, number> = { "data-loss": 0, downtime: 0, disruption: 0 };
  for (const c of callouts) counts[c.kind]++;
  return counts;
}

/**
 * The verdict when there are findings: blocked (what `blocked` says, after the blocked stacks), data
 * loss allowed, or review needed (`findings`, one phrase per kind). Undefined when there is nothing to
 * say, and the tool says how the change looks.
 */
export function findingsVerdict(o: {
  readonly blocking: readonly Callout[];
  readonly allowDataLoss: boolean;
  readonly findings: readonly string[];
  readonly blocked: (count: number) => string;
}): string | undefined {
  const blockedStacks = [...new Set(o.blocking.map((c) => c.stack))].map(code).join(", ");
  if (o.blocking.length > 0 && !o.allowDataLoss) return `⛔ **Blocked:** ${blockedStacks} ${o.blocked(o.blocking.length)}`;
  if (o.blocking.length > 0) return `⚠️ **Data loss allowed** (--allow-data-loss) in ${blockedStacks}: ${o.findings.join("; ")}.`;
  if (o.findings.length > 0) return `⚠️ **Review needed:** ${o.findings.join("; ")}.`;
  return undefined;
}

const ORDER: readonly CalloutKind[] = ["data-loss", "downtime", "disruption"];
const ICON: Readonly<Record<CalloutKind, string>> = { "data-loss": "🗑️", downtime: "🔁", disruption: "🔌" };

/** The "Attention" section: gating findings first, then data loss, downtime, disruption; nothing when there are none. */
export function attentionSection(callouts: readonly Callout[]): string[] {
  if (callouts.length === 0) return [];
  const sorted = [...callouts].sort((a, b) => Number(b.gating) - Number(a.gating) || ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  return [
    "### Attention",
    "",
    ...sorted.map((c) => `- ${c.gating ? "⛔" : ICON[c.kind]} ${code(c.stack)}: ${c.text}${c.gating ? " _(gated)_" : ""}`),
    "",
  ];
}

/** `--allow-data-loss` and `--gate-env <env>` (repeatable; added to production). */
export function gateOptionsOf(args: ParsedArgs): GateOptions {
  const gateEnvs = args.values.get("gate-env");
  return {
    allowDataLoss: args.flags.has("allow-data-loss"),
    gatedEnvironments: gateEnvs ? [...DEFAULT_GATED_ENVIRONMENTS, ...gateEnvs] : undefined,
  };
}

/** `--max-length <n>`: at least 1000. */
export function maxLengthOf(args: ParsedArgs): number | undefined {
  const text = args.values.get("max-length")?.[0];
  const maxLength = text !== undefined ? Number(text) : undefined;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1000))
    throw new InputError("--max-length needs an integer of at least 1000");
  return maxLength;
}

/** What the command prints on stderr: each error, and on exit 2 what blocked (`what`: the kind of loss). */
export function gateMessages(
  result: { errors: readonly string[]; blocking: readonly Callout[]; exitCode: number },
  what: string,
): string[] {
  const stderr = result.errors.map((e) => `error: ${e}`);
  if (result.exitCode === 2)
    stderr.push(`blocked: ${result.blocking.map((c) => `${c.stack} ${c.address}`).join(", ")} (${what}; --allow-data-loss to proceed)`);
  return stderr;
}
