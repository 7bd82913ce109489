/**
 * nginxString: one quoted nginx parameter. What nginx makes of it is checked by nginx itself in the
 * programs suite (test/programs/nginx.test.ts: nginx -t reads hostile values back as one parameter).
 */
import { TerraformVariable } from "../../lib/cdk";
import { FileText, nginxString } from "../../lib";
import { synthesizedTemplates } from "../helpers";
import { renderTemplates } from "../real-readers";

describe("nginxString", () => {
  test("double-quotes a value, escaping only the backslash and the double quote", () => {
    expect(nginxString("/run/secrets/tls_certificate")).toBe('"/run/secrets/tls_certificate"');
    expect(nginxString('say "hi"; {x} # not a comment \'')).toBe('"say \\"hi\\"; {x} # not a comment \'"');
    expect(nginxString("back\\slash\\")).toBe('"back\\\\slash\\\\"');
    expect(nginxString("")).toBe('""');
  });
  test.each([
    ["$remote_addr", /"\$" \(nginx would read a variable/],
    ["a\nb", /control character U\+000a/],
    ["a\rb", /control character U\+000d/],
    ["a\u0000b", /control character U\+0000/],
    ["a\u007fb", /control character U\+007f/],
  ])("refuses %j", (value, why) => expect(() => nginxString(value)).toThrow(why));
  test("a Terraform value is quoted by Terraform (jsonencode): a quote or backslash in it stays inside the string", () => {
    const template = synthesizedTemplates((stack) => ({
      conf: FileText.of(`server_name ${nginxString(new TerraformVariable(stack, "server_name", { type: "string" }).stringValue)};\n`),
    })).conf;
    expect(template).toBe('server_name ${replace(jsonencode(var.server_name), "\\u007f", "\\\\u007f")};\n');
    expect(renderTemplates({ c: template }, { server_name: 'a"b\\c' }).c).toBe('server_name "a\\"b\\\\c";\n');
  });
});
