/*
 * Writes RULES.md from the policy rule definitions. `npm run rules` regenerates it;
 * `npm run rules -- --check` exits 1 when the file is out of date.
 */
import * as fs from "fs";
import * as path from "path";
import { renderRulesMarkdown } from "../policy/rules-doc";

const file = path.resolve(__dirname, "..", "RULES.md");
const text = renderRulesMarkdown();
if (process.argv.includes("--check")) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  if (current !== text) {
    process.stderr.write("RULES.md is out of date: run `npm run rules`.\n");
    process.exitCode = 1;
  }
} else {
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
