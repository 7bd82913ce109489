/**
 * `npm run setup` (scripts/setup.js), the install step of the README's two set-up commands: it runs
 * `npm ci` only when node_modules is not what package-lock.json pins, so that the second command
 * installs nothing after the first. Checked on hand-made lockfiles in a scratch directory.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { staleReason } = require("../scripts/setup.js") as { staleReason: (root: string) => string | undefined };

type Packages = Record<string, { version: string; integrity?: string; optional?: boolean }>;

/** A project with package.json, package-lock.json and, unless `installed` is undefined, npm's record of an install. */
function project(lock: Packages, installed: Packages | undefined, dependencies: Record<string, string> = { a: "1.0.0" }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "setup-"));
  fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "p", dependencies }));
  fs.writeFileSync(
    path.join(root, "package-lock.json"),
    JSON.stringify({ packages: { "": { name: "p", dependencies: { a: "1.0.0" } }, ...lock } }),
  );
  if (installed) {
    fs.mkdirSync(path.join(root, "node_modules"));
    fs.writeFileSync(path.join(root, "node_modules", ".package-lock.json"), JSON.stringify({ packages: installed }));
  }
  return root;
}

const A = { "node_modules/a": { version: "1.0.0", integrity: "sha512-a" } };
const OTHER_PLATFORM = { "node_modules/@esbuild/darwin-arm64": { version: "0.25.5", integrity: "sha512-d", optional: true } };

describe("npm run setup installs only when node_modules differs from the lockfile", () => {
  test("a fresh clone (no node_modules) installs", () => {
    expect(staleReason(project(A, undefined))).toMatch(/^no node_modules/);
  });

  test("an install of exactly the locked packages is current, another platform's optional packages missing", () => {
    expect(staleReason(project({ ...A, ...OTHER_PLATFORM }, A))).toBeUndefined();
  });

  test("another version, a package not installed or not locked, or package.json ahead of the lockfile installs", () => {
    expect(staleReason(project(A, { "node_modules/a": { version: "0.9.0", integrity: "sha512-old" } }))).toBe(
      "node_modules/a is 0.9.0, locked 1.0.0",
    );
    expect(staleReason(project({ ...A, "node_modules/b": { version: "2.0.0", integrity: "sha512-b" } }, A))).toBe(
      "node_modules/b is locked but not installed",
    );
    expect(staleReason(project(A, { ...A, "node_modules/c": { version: "1.0.0" } }))).toBe("node_modules/c is installed but not locked");
    expect(staleReason(project(A, A, { a: "1.0.0", b: "2.0.0" }))).toMatch(/^package\.json's dependencies differ/);
  });
});
