/** FileText: a file's text as a Terraform template, rendered back by Terraform itself. */
import { TerraformLocal, TerraformStack, TerraformVariable, Testing } from "../../lib/cdk";
import { escapeTemplate, FileText } from "../../lib";
import { synthesizedTemplates, synthJson } from "../helpers";
import { HOSTILE_VALUES, renderTemplates } from "../real-readers";

describe("FileText.of", () => {
  test("text without a Terraform sequence is its own template ($name, braces and % alone are not sequences)", () => {
    const text = 'proxy_set_header Host $http_host;\nlocation / { x }\nprintf "%.0f" {{ $value }}\n';
    expect(FileText.of(text).template).toBe(text);
  });
  test('`${` becomes `${"$"}{` (a run of `$` before `{` goes whole into the string) and `%{` becomes `%%{`', () => {
    expect(FileText.of("a ${b} %{c} $${d}").template).toBe('a ${"$"}{b} %%{c} ${"$$"}{d}');
    expect(escapeTemplate("${")).toBe('${"$"}{');
  });
  test("Terraform renders every hostile text back unchanged, also next to a Terraform value", () => {
    const texts = Object.fromEntries(HOSTILE_VALUES.map((v, i) => [`t${i}`, v]));
    const templates = synthesizedTemplates((stack) => {
      const value = new TerraformVariable(stack, "value", { type: "string" }).stringValue;
      return Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, FileText.of(`${v}|${value}|${v}`)]));
    });
    const rendered = renderTemplates(templates, { value: "VALUE" });
    expect(rendered).toEqual(Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, `${v}|VALUE|${v}`])));
  });
  test("a Terraform value whose value holds `${` is written as it is (Terraform does not read a value again)", () => {
    const templates = synthesizedTemplates((stack) => ({
      f: FileText.of(`password = ${new TerraformVariable(stack, "value", { type: "string" }).stringValue}\n`),
    }));
    expect(templates.f).toBe("password = ${var.value}\n");
    expect(renderTemplates(templates, { value: "${var.other} %{ if true }" }).f).toBe("password = ${var.other} %{ if true }\n");
  });
});

describe("FileText.lazy", () => {
  test("produces its text when the stack is synthesized, escaped like FileText.of", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    let text = "made";
    new TerraformLocal(stack, "f", FileText.lazy(() => FileText.of(text)).template);
    text = "synthesized ${x}";
    const template = synthJson(stack).locals!.f;
    expect(template).toBe('synthesized ${"$"}{x}');
    expect(renderTemplates({ f: template }).f).toBe("synthesized ${x}");
  });
});
