/** yamlFile: documents as Terraform writes them and PyYAML (YAML 1.1) and the yaml library read them. */
import { parse } from "yaml";
import { TerraformVariable } from "../../lib/cdk";
import { yamlFile } from "../../lib";
import { synthesizedTemplates } from "../helpers";
import { HOSTILE_VALUES, readYamls, renderForEach, renderTemplates } from "../real-readers";

/** The files after Terraform wrote them. */
const rendered = (files: Record<string, ReturnType<typeof yamlFile>>) => renderTemplates(synthesizedTemplates(() => files));

/** Strings a YAML 1.1 reader would take for something else when written plain. */
const LOOK_ALIKES = [
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "true",
  "~",
  "null",
  "0755",
  "0x1F",
  "1:20",
  "1e3",
  ".inf",
  "2001-12-14",
  "-",
  ":",
  "? x",
  "&a",
  "*a",
  "!tag",
  "|",
  "> x",
  "@x",
  "`x",
  "%x",
  " lead",
  "trail ",
  "",
  "a: b",
  "#x",
  "[x]",
  "{x}",
];

/** Characters a YAML stream may not hold raw (DEL, C1 controls, U+FFFE, C0 controls) and YAML 1.1's other line breaks. */
const NON_PRINTABLE = [
  "\u0085",
  "\u0080x",
  "x\u009f",
  "\ufffe",
  "del\u007f",
  "nul\u0000",
  "bell\u0007",
  "esc\u001b",
  "ls\u2028ps\u2029",
  "nel\u0085x",
];

describe("yamlFile", () => {
  const doc = {
    values: Object.fromEntries([...HOSTILE_VALUES, ...LOOK_ALIKES, ...NON_PRINTABLE].map((v, i) => [`v${i}`, v])),
    list: [...HOSTILE_VALUES, ...LOOK_ALIKES, ...NON_PRINTABLE],
    rules: [{ alert: HOSTILE_VALUES[1], labels: { severity: HOSTILE_VALUES[10] } }],
    number: 9102,
    flag: true,
  };
  const text = rendered({ f: yamlFile(doc) }).f;

  test("every hostile, look-alike or non-printable string reads back as itself in PyYAML, and adds no key", () => {
    expect(readYamls({ f: text }).f).toEqual(doc);
  });
  test("the yaml library reads the same document, as YAML 1.1 and as YAML 1.2", () => {
    expect(parse(text, { version: "1.1" })).toEqual(doc);
    expect(parse(text)).toEqual(doc);
  });
  test("a Terraform value, alone or inside text, is one string and adds no key, whatever it holds", () => {
    const templates = synthesizedTemplates((stack) => {
      const secret = new TerraformVariable(stack, "secret", { type: "string", sensitive: true }).stringValue;
      return { f: yamlFile({ database_url: `postgresql://zfssync:${secret}@postgres:5432/zfssync`, password: secret, after: "kept" }) };
    });
    const files = renderForEach(templates.f, "secret", HOSTILE_VALUES);
    expect(readYamls(Object.fromEntries(HOSTILE_VALUES.map((v, i) => [v, files[i]])))).toEqual(
      Object.fromEntries(
        HOSTILE_VALUES.map((v) => [v, { database_url: `postgresql://zfssync:${v}@postgres:5432/zfssync`, password: v, after: "kept" }]),
      ),
    );
  });
  test("plain strings stay plain (readable), numbers and booleans keep their types", () => {
    const file = yamlFile({ scrape_interval: "15s", targets: ["zebra:9999"], port: 9102, send_resolved: true });
    expect(file.template).toBe("scrape_interval: 15s\ntargets:\n  - zebra:9999\nport: 9102\nsend_resolved: true\n");
  });
  test("a comment heads the file as # lines; a line break in it stays a comment", () => {
    const file = rendered({ f: yamlFile({ a: 1 }, "first line\nsecond: line") }).f;
    expect(file.split("\n").slice(0, 2)).toEqual(["# first line", "# second: line"]);
    expect(readYamls({ f: file }).f).toEqual({ a: 1 });
  });
});
