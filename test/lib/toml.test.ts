/** tomlFile: documents as Terraform writes them and Python's tomllib reads them. */
import { TerraformVariable } from "../../lib/cdk";
import { FileText, tomlFile } from "../../lib";
import { synthesizedTemplates } from "../helpers";
import { HOSTILE_VALUES, readTomls, renderForEach, renderTemplates } from "../real-readers";

/** The files as tomllib reads them after Terraform wrote them. */
const read = (templates: Record<string, string>) => readTomls(renderTemplates(templates));

describe("tomlFile", () => {
  test("every hostile literal value or control character reads back as itself, in tables, arrays and arrays of tables, and adds no key", () => {
    const doc = {
      top: HOSTILE_VALUES[1],
      table: Object.fromEntries(HOSTILE_VALUES.map((v, i) => [`v${i}`, v])),
      list: { values: [...HOSTILE_VALUES] },
      auth: [{ user: HOSTILE_VALUES[0], pwhash: HOSTILE_VALUES[9] }],
      controls: ["nul\u0000", "esc\u001b", "nel\u0085", "c1\u0080\u009f", "ls\u2028ps\u2029", "\ufeffbom"],
    };
    expect(read(synthesizedTemplates(() => ({ f: tomlFile(doc) }))).f).toEqual(doc);
  });

  test("a Terraform value, alone or inside text, is one string and adds no key, whatever it holds", () => {
    const templates = synthesizedTemplates((stack) => {
      const secret = new TerraformVariable(stack, "secret", { type: "string", sensitive: true }).stringValue;
      return {
        f: tomlFile({ validator_settings: { validator_user: "zebra", validator_password: secret, url: `http://zebra:${secret}@host/` } }),
      };
    });
    const files = renderForEach(templates.f, "secret", HOSTILE_VALUES);
    const read = readTomls(Object.fromEntries(HOSTILE_VALUES.map((v, i) => [v, files[i]])));
    expect(read).toEqual(
      Object.fromEntries(
        HOSTILE_VALUES.map((v) => [
          v,
          { validator_settings: { validator_user: "zebra", validator_password: v, url: `http://zebra:${v}@host/` } },
        ]),
      ),
    );
  });

  test("keys are quoted when TOML needs it; numbers, booleans and empty tables keep their types", () => {
    const doc = { heights: { NU5: 2, "NU6.1": 1000, "a b": 3, 'q"uote': 4 }, flags: { on: true, off: false }, empty: {}, ratio: 0.5 };
    expect(read(synthesizedTemplates(() => ({ f: tomlFile(doc) }))).f).toEqual(doc);
  });

  test("a comment heads the file as # lines; a line break in it stays a comment", () => {
    const file = tomlFile({ a: 1 }, "first line\nsecond = line");
    expect(file.template.split("\n").slice(0, 2)).toEqual(["# first line", "# second = line"]);
    expect(read({ f: file.template }).f).toEqual({ a: 1 });
  });

  test("absent (undefined) values are left out", () => {
    expect(read({ f: tomlFile({ a: undefined, b: { c: undefined, d: 1 } }).template }).f).toEqual({ b: { d: 1 } });
  });

  test("fails for a Terraform key, a Terraform number, or a value holding the placeholder word", () => {
    const withVariable = (make: (v: TerraformVariable) => FileText) => () =>
      synthesizedTemplates((stack) => ({ f: make(new TerraformVariable(stack, "v", { type: "string" })) }));
    expect(withVariable((v) => tomlFile({ [v.stringValue]: "x" }))).toThrow(/must be literal text/);
    expect(withVariable((v) => tomlFile({ n: v.numberValue }))).toThrow(/a Terraform number cannot be written/);
    expect(() => tomlFile({ a: "zzfiletextvalue0z" })).toThrow(/may not contain/);
  });
  test("fails for a value mixing text and a Terraform value whose text holds a control character", () => {
    expect(() =>
      synthesizedTemplates((stack) => ({
        f: tomlFile({ a: `del\u007f${new TerraformVariable(stack, "v", { type: "string" }).stringValue}` }),
      })),
    ).toThrow(/control character U\+007f/);
  });
});
