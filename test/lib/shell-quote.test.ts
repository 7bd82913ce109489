/** shellQuote: one word, read back by bash, dash and the system sh exactly as given. */
import { spawnSync } from "child_process";
import { TerraformStack, TerraformVariable, Testing } from "../../lib/cdk";
import { shellQuote } from "../../lib";
import { bashSyntax, bashWord, HOSTILE_VALUES } from "../real-readers";

/** Words a shell would otherwise expand, split, glob or end a command at. */
const SHELL_HOSTILE = [
  "'",
  "'; rm -rf / #",
  "$(id)",
  "`id`",
  "$HOME ${HOME} $1",
  "*",
  "~",
  "a b\tc",
  "!event",
  "&& true",
  "|| true; x",
  "\\",
  "'\\''",
  "",
];

describe("shellQuote", () => {
  test.each([...HOSTILE_VALUES, ...SHELL_HOSTILE])("%j is one word that bash reads back unchanged", (value) => {
    const word = shellQuote(value);
    expect(bashSyntax(`printf %s ${word}\n`)).toBe("");
    expect(bashWord(word)).toBe(value);
  });
  test("the system sh and dash read the same words", () => {
    const values = [...HOSTILE_VALUES, ...SHELL_HOSTILE];
    const script = values.map((v) => `printf '[%s]' ${shellQuote(v)}`).join("\n");
    for (const shell of ["sh", "dash"].filter((s) => spawnSync("sh", ["-c", `command -v ${s}`]).status === 0)) {
      expect([shell, spawnSync(shell, ["-c", script], { encoding: "utf8" }).stdout]).toEqual([shell, values.map((v) => `[${v}]`).join("")]);
    }
  });
  test("a plain word is single-quoted as it is", () => expect(shellQuote("/app/data/mmap")).toBe("'/app/data/mmap'"));
  test("fails for a Terraform value (no shell quoting at apply time) and for a NUL character", () => {
    const value = new TerraformVariable(new TerraformStack(Testing.app(), "test"), "v", { type: "string" }).stringValue;
    expect(() => shellQuote(value)).toThrow(/holds a Terraform value/);
    expect(() => shellQuote("a\u0000b")).toThrow(/NUL/);
  });
});
