import * as fs from "fs";
import * as path from "path";
import { POLICY_REPORT_FILE, PolicyReport } from "./report";

/**
 * What `npm run synth` prints and writes about the policy checks of a run: one line per stack and a
 * total on the terminal, every finding and suppression (with its reason) in one Markdown report,
 * `<outdir>/policy-report.md`, next to the per-stack JSON reports.
 */

/** File name of the run's Markdown report, in the output directory (`cdktf.out/policy-report.md`). */
export const POLICY_RUN_REPORT_FILE = "policy-report.md";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `policy <stack> (<Pack>): 0 errors, 19 warnings, 9 infos, 10 suppressed`: one line per stack and pack. */
export function formatStackLines(reports: readonly PolicyReport[]): string {
  return reports
    .map((r) => {
      const s = r.summary;
      return `policy ${r.stack} (${r.pack}): ${plural(s.errors, "error")}, ${plural(s.warnings, "warning")}, ${plural(s.infos, "info")}, ${s.suppressed} suppressed\n`;
    })
    .join("");
}

/** The counts of all reports added up. */
export function totalOf(reports: readonly PolicyReport[]): PolicyReport["summary"] {
  const sum = (key: keyof PolicyReport["summary"]) => reports.reduce((n, r) => n + r.summary[key], 0);
  return { errors: sum("errors"), warnings: sum("warnings"), infos: sum("infos"), suppressed: sum("suppressed") };
}

/**
 * The closing line of a synth: how many stacks were written where, the policy totals, and where
 * every finding and suppression is listed.
 */
export function formatSynthTotal(reports: readonly PolicyReport[], outdir: string, reportFile: string): string {
  const stacks = new Set(reports.map((r) => r.stack)).size;
  const t = totalOf(reports);
  return (
    `wrote ${plural(stacks, "stack")} to ${path.join(outdir, "stacks")} (${plural(t.errors, "error")}, ${plural(t.warnings, "warning")}, ` +
    `${plural(t.infos, "info")}, ${t.suppressed} suppressed); findings and suppressions: ${reportFile}\n`
  );
}

/** A Markdown table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** `` `text` `` for a cell: code spans cannot hold a backtick-free escape, so backticks are dropped. */
function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

/**
 * The Markdown report of a run: a table of every stack's counts, then per stack what was checked,
 * every error, warnings and infos per rule (with the addresses), and every suppression with the
 * construct it is declared on and its reason. Deterministic (no date): a re-run over the same tree
 * writes the same file.
 */
export function renderPolicyMarkdown(reports: readonly PolicyReport[]): string {
  const t = totalOf(reports);
  const lines = [
    "# Policy report",
    "",
    "Written by `npm run synth`: the policy packs' verdict on every synthesized stack (the rules, their levels and fixes: RULES.md).",
    `Each stack's findings are also in \`stacks/<stack>/${POLICY_REPORT_FILE}\` (JSON).`,
    "",
    "| Stack | Pack | Errors | Warnings | Infos | Suppressed | Checked |",
    "|---|---|---|---|---|---|---|",
    ...reports.map((r) => {
      const s = r.summary;
      const checked = Object.entries(r.checked)
        .map(([kind, n]) => `${kind} ×${n}`)
        .join(", ");
      return `| \`${r.stack}\` | ${r.pack} | ${s.errors} | ${s.warnings} | ${s.infos} | ${s.suppressed} | ${checked} |`;
    }),
    `| **total** | | ${t.errors} | ${t.warnings} | ${t.infos} | ${t.suppressed} | |`,
  ];
  for (const r of reports) {
    lines.push("", `## ${r.stack} (${r.pack})`, "");
    const errors = r.findings.filter((f) => f.level === "error");
    if (errors.length > 0) {
      lines.push("Errors:", "");
      for (const f of errors) lines.push(`- ${code(f.id)} at ${code(f.address)} (${code(f.path)}): ${cell(f.details.join("; "))}`);
      lines.push("");
    }
    const others = r.findings.filter((f) => f.level !== "error");
    if (others.length > 0) {
      const byRule = new Map<string, { level: string; addresses: string[] }>();
      for (const f of others) {
        const entry = byRule.get(f.id) ?? { level: f.level, addresses: [] };
        entry.addresses.push(f.address);
        byRule.set(f.id, entry);
      }
      lines.push("| Finding | Level | Count | Resources |", "|---|---|---|---|");
      for (const [id, e] of byRule)
        lines.push(`| ${code(id)} | ${e.level} | ${e.addresses.length} | ${e.addresses.map(code).join(", ")} |`);
      lines.push("");
    }
    if (r.suppressed.length > 0) {
      lines.push("| Suppressed | Construct | Declared by | Reason |", "|---|---|---|---|");
      for (const x of r.suppressed)
        lines.push(`| ${code(x.id)} | ${code(x.path)} | ${cell(x.source)} at ${code(x.declaredAt)} | ${cell(x.reason)} |`);
      lines.push("");
    }
    if (errors.length + others.length + r.suppressed.length === 0) lines.push("No findings, nothing suppressed.", "");
  }
  return lines.join("\n").replace(/\n+$/, "") + "\n";
}

/** Writes `<outdir>/policy-report.md` for the run's reports; returns its path. */
export function writePolicyRunReport(outdir: string, reports: readonly PolicyReport[]): string {
  fs.mkdirSync(outdir, { recursive: true });
  const file = path.join(outdir, POLICY_RUN_REPORT_FILE);
  fs.writeFileSync(file, renderPolicyMarkdown(reports));
  return file;
}
