import * as fs from "fs";
import * as path from "path";
import { ALL_RULES, SWARM_GAPS } from "../../policy";
import * as rules from "../../policy/rules";
import { renderRulesMarkdown } from "../../policy/rules-doc";

const root = path.resolve(__dirname, "..", "..");
const rulesDir = path.join(root, "policy", "rules");

describe("RULES.md", () => {
  test("is the text generated from the rule definitions (run `npm run rules` after changing a rule)", () => {
    expect(fs.readFileSync(path.join(root, "RULES.md"), "utf8")).toBe(renderRulesMarkdown());
  });

  test("documents every rule with its levels, why and fix", () => {
    const text = renderRulesMarkdown();
    for (const rule of ALL_RULES) {
      expect(text).toContain(`### ${rule.id}\n`);
      expect(text).toContain(
        `Baseline: **${rule.levels.baseline}** (\`Baseline-${rule.id}\`); Production: **${rule.levels.production}** (\`Production-${rule.id}\`)`,
      );
      expect(text).toContain(`- **Why:** ${rule.why}`);
      expect(text).toContain(`- **Fix:** ${rule.fix}`);
    }
  });

  test("says per rule what it does with swarm services, and names the gap where swarm cannot express the control", () => {
    const text = renderRulesMarkdown();
    expect(text).toContain("| Rule | Baseline | Production | Swarm services | Checks |");
    const leads = {
      checked: "Checked:",
      "by-construction": "Compliant by construction:",
      gap: "Gap, recorded as a suppression with this reason:",
    };
    for (const rule of ALL_RULES) {
      const section = text.slice(text.indexOf(`### ${rule.id}\n`)).split("\n### ")[0];
      expect([rule.id, section]).toEqual([
        rule.id,
        expect.stringContaining(`- **Swarm services:** ${leads[rule.swarm.coverage]} ${rule.swarm.text}`),
      ]);
    }
    for (const gap of Object.values(SWARM_GAPS)) expect(text).toContain(gap.reason);
    expect(ALL_RULES.filter((r) => r.swarm.coverage === "gap").map((r) => r.id)).toEqual([
      "ContainerNoNewPrivileges",
      "ContainerCpuPrioritySet",
      "ContainerPidsLimited",
    ]);
  });

  test("says that the pids limit cannot be enforced with provider 4.6", () => {
    expect(renderRulesMarkdown()).toMatch(
      /`ContainerPidsLimited` cannot be enforced: docker_container in kreuzwerker\/docker 4\.6 has no `pids_limit`/,
    );
  });
});

describe("rule files", () => {
  const files = fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith(".ts") && f !== "index.ts")
    .map((f) => f.replace(/\.ts$/, ""))
    .sort();

  test("one file per rule, named for the rule id, exporting the rule under that name", () => {
    expect(files).toEqual(ALL_RULES.map((r) => r.id).sort());
    for (const id of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(rulesDir, id));
      expect([id, mod[id]?.id]).toEqual([id, id]);
      expect((rules as Record<string, unknown>)[id]).toBe(mod[id]);
    }
  });

  test("ids are unique PascalCase names and every rule carries its metadata", () => {
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
    for (const r of ALL_RULES) {
      expect([r.id, /^[A-Z][A-Za-z]+$/.test(r.id)]).toEqual([r.id, true]);
      for (const field of [r.description, r.why, r.fix, r.reference]) expect([r.id, field.trim().length > 10]).toEqual([r.id, true]);
      expect(["error", "warning", "info"]).toContain(r.levels.baseline);
      expect(["error", "warning", "info"]).toContain(r.levels.production);
    }
  });

  test("the production pack is never laxer than the baseline", () => {
    const rank = { info: 0, warning: 1, error: 2 } as const;
    for (const r of ALL_RULES) expect([r.id, rank[r.levels.production] >= rank[r.levels.baseline]]).toEqual([r.id, true]);
  });
});
