/**
 * Rust crate sources from the Rust crate registry, read to check configuration keys against what a
 * release really reads: `cargo info <crate>@<version>` downloads the crate into cargo's cache, where
 * its source is unpacked (or unpacked here from the `.crate` archive).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const cargoHome = process.env.CARGO_HOME ?? path.join(os.homedir(), ".cargo");

/** The directory of `<name>-<version>`'s unpacked source, downloading the crate when needed. */
export function crateSource(name: string, version: string): string {
  const find = (): string | undefined => {
    const src = path.join(cargoHome, "registry", "src");
    for (const index of fs.existsSync(src) ? fs.readdirSync(src) : []) {
      const dir = path.join(src, index, `${name}-${version}`);
      if (fs.existsSync(path.join(dir, "Cargo.toml"))) return dir;
    }
    const cache = path.join(cargoHome, "registry", "cache");
    for (const index of fs.existsSync(cache) ? fs.readdirSync(cache) : []) {
      const archive = path.join(cache, index, `${name}-${version}.crate`);
      if (!fs.existsSync(archive)) continue;
      const into = fs.mkdtempSync(path.join(os.tmpdir(), "crate-"));
      execFileSync("tar", ["-xzf", archive, "-C", into]);
      return path.join(into, `${name}-${version}`);
    }
    return undefined;
  };
  const found = find();
  if (found) return found;
  // `cargo info` needs a directory outside any Cargo workspace.
  execFileSync("cargo", ["info", `${name}@${version}`], { cwd: os.tmpdir(), stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 });
  const downloaded = find();
  if (!downloaded) throw new Error(`cargo info ${name}@${version} did not leave the crate in ${cargoHome}/registry`);
  return downloaded;
}

/** The version a crate's Cargo.toml requires of a dependency (`[dependencies.<dep>] version = "…"`, or `dep = "…"`). */
export function dependencyVersion(crateDir: string, dep: string): string {
  const toml = fs.readFileSync(path.join(crateDir, "Cargo.toml"), "utf8");
  const table = new RegExp(
    `^\\[dependencies\\.${dep.replace(/-/g, "[-_]")}\\]\\s*\\n(?:[^\\[].*\\n)*?version = "=?\\^?([0-9][^"]*)"`,
    "m",
  ).exec(toml);
  const inline = new RegExp(`^${dep}\\s*=\\s*(?:"=?\\^?([0-9][^"]*)"|\\{[^}]*version\\s*=\\s*"=?\\^?([0-9][^"]*)")`, "m").exec(toml);
  const v = table?.[1] ?? inline?.[1] ?? inline?.[2];
  if (!v) throw new Error(`${path.basename(crateDir)}/Cargo.toml does not name a version of ${dep}`);
  // A requirement such as "13.0" names its lowest release, which is what the registry holds.
  return v.split(".").length === 2 ? `${v}.0` : v;
}

/** The serde names of the fields of struct `name` in a Rust source file: renames, aliases and `rename_all = "PascalCase"` applied. */
export function serdeFields(file: string, name: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const start = new RegExp(`^\\s*(?:pub(?:\\([a-z]+\\))?\\s+)?struct ${name}\\s*\\{`, "m").exec(text);
  if (!start) throw new Error(`no struct ${name} in ${file}`);
  const attrs = text.slice(Math.max(0, text.lastIndexOf("#[derive", start.index)), start.index);
  const pascal = /rename_all\s*=\s*"PascalCase"/.test(attrs);
  const body: string[] = [];
  let depth = 0;
  for (const line of text.slice(start.index + start[0].length).split("\n")) {
    depth += (line.match(/[{(<[]/g) ?? []).length - (line.match(/[})>\]]/g) ?? []).length;
    if (depth < 0) break;
    body.push(line);
  }
  const fields: string[] = [];
  let pending: string[] = [];
  for (const line of body) {
    const attr = /^\s*#\[serde\((.*)\)\]/.exec(line);
    if (attr) {
      pending.push(attr[1]);
      continue;
    }
    const field = /^\s*(?:pub(?:\([a-z]+\))?\s+)?([a-z_][a-z0-9_]*)\s*:/.exec(line);
    if (field) {
      const own = pending.join(",");
      const rename = /rename\s*=\s*"([^"]+)"/.exec(own)?.[1];
      const serdeName = rename ?? (pascal ? field[1].replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()) : field[1]);
      fields.push(serdeName, ...[...own.matchAll(/alias\s*=\s*"([^"]+)"/g)].map((m) => m[1]));
      pending = [];
    } else if (!/^\s*(\/\/|#\[)/.test(line) && line.trim() !== "") {
      pending = [];
    }
  }
  return fields;
}
