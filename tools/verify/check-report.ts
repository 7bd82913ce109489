/** The text report of `npm run verify`: a header, one line per check, a summary line. */
import { Check, CheckStatus } from "./checks";

const SYMBOL: Readonly<Record<CheckStatus, string>> = { pass: "✓", fail: "✗", warn: "!", note: "-" };

export interface ReportInput {
  readonly stack: string;
  /** e.g. "containers", "swarm", "swarm and containers" */
  readonly target: string;
  readonly hostUrl: string;
  readonly hostSource: string;
  readonly local: boolean;
  readonly hostNotes: readonly string[];
  readonly checks: readonly Check[];
}

export function exitCodeOf(checks: readonly Check[]): 0 | 1 {
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

export function renderReport(r: ReportInput): string {
  const width = Math.min(64, Math.max(...r.checks.map((c) => c.what.length), 10));
  const lines = [`verify ${r.stack} (${r.target}) on ${r.hostUrl} (${r.local ? "local" : "remote"}; from ${r.hostSource})`];
  for (const n of r.hostNotes) lines.push(`- ${n}`);
  for (const c of r.checks) lines.push(`${SYMBOL[c.status]} ${c.what.padEnd(width)}  ${c.detail}`);
  const count = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  const failed = count("fail");
  const warnings = count("warn");
  lines.push(
    `${failed ? "FAILED" : "OK"}: ${r.stack}: ${count("pass")} passed, ${failed} failed${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}${count("note") ? `, ${count("note")} not checked` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}
