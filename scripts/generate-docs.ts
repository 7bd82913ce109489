/*
 * Writes the generated docs: the README's environment table (from the shipped settings) and a page
 * per stack, docs/stacks/<stack>.md (a Mermaid picture and an inventory, from the synthesized stack).
 * `npm run docs` regenerates them; `npm run docs -- --check` exits 1 when any is out of date.
 */
import * as fs from "fs";
import * as path from "path";
import { Testing } from "../lib/cdk";
import { buildApp } from "../app";
import { ENVIRONMENTS } from "../config/environments";
import { renderEnvironmentTable, withEnvironmentTable } from "../tools/environment-table";
import { renderStackPage } from "../tools/stack-page";

const root = path.resolve(__dirname, "..");
const readmeFile = path.join(root, "README.md");
const pages = new Map<string, string>([[readmeFile, withEnvironmentTable(fs.readFileSync(readmeFile, "utf8"), renderEnvironmentTable(ENVIRONMENTS))]]);
for (const stack of buildApp(Testing.app(), ENVIRONMENTS)) {
  pages.set(path.join(root, "docs", "stacks", `${stack.node.id}.md`), renderStackPage(stack.node.id, JSON.parse(Testing.synth(stack))));
}

const stale = [...pages].filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text).map(([file]) => path.relative(root, file));
if (process.argv.includes("--check")) {
  if (stale.length > 0) {
    process.stderr.write(`out of date: ${stale.join(", ")}: run \`npm run docs\`.\n`);
    process.exitCode = 1;
  }
} else {
  fs.mkdirSync(path.join(root, "docs", "stacks"), { recursive: true });
  for (const [file, text] of pages) fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${stale.length === 0 ? "nothing (all current)" : stale.join(", ")}\n`);
}
