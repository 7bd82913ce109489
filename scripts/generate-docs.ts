/*
 * Writes the generated parts of README.md (the environment table, from the shipped settings).
 * `npm run docs` regenerates them; `npm run docs -- --check` exits 1 when README.md is out of date.
 */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS } from "../config/environments";
import { renderEnvironmentTable, withEnvironmentTable } from "../tools/environment-table";

const file = path.resolve(__dirname, "..", "README.md");
const current = fs.readFileSync(file, "utf8");
const text = withEnvironmentTable(current, renderEnvironmentTable(ENVIRONMENTS));
if (process.argv.includes("--check")) {
  if (current !== text) {
    process.stderr.write("README.md's environment table is out of date: run `npm run docs`.\n");
    process.exitCode = 1;
  }
} else {
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
