import { Testing } from "../../lib/cdk";
import { buildApp } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { SystemStack } from "../../stacks/system-stack";
import { synthJson } from "../helpers";

/**
 * Remote hosts and a private registry: the deployment inputs every stack takes for them, how they
 * reach the provider, and that credentials exist in the synthesized JSON only as variable references.
 * The real-engine side (a TLS host, an ssh host, a registry with htpasswd) is
 * test/e2e/10-remote-hosts.e2e.test.ts.
 */
const stacks = buildApp(Testing.app(), ENVIRONMENTS).map((stack) => ({ id: stack.node.id, json: synthJson(stack) }));
const CREDENTIALS = ["registry_username", "registry_password"];

/** Every path of the JSON whose key or string value names a registry credential. */
function credentialMentions(value: unknown, path = ""): string[] {
  const here = typeof value === "string" && /registry_(username|password)/.test(value) ? [path] : [];
  if (value === null || typeof value !== "object") return here;
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [
    ...(/registry_(username|password)/.test(k) ? [`${path}.${k} (key)`] : []),
    ...credentialMentions(v, `${path}.${k}`),
  ]);
}

describe("registry credentials and remote-host inputs in every stack", () => {
  test.each(stacks.map((s) => [s.id, s.json] as const))(
    "%s: registry_address is optional and validated, the credentials sensitive and empty by default",
    (_id, json) => {
      const v = json.variable!;
      expect(v.registry_address).toMatchObject({ type: "string", default: "", nullable: false });
      expect(v.registry_address.sensitive).toBeUndefined();
      for (const name of CREDENTIALS) {
        expect([name, v[name]]).toEqual([
          name,
          { type: "string", default: "", nullable: false, sensitive: true, description: expect.any(String) },
        ]);
      }
      // The cross-check lives on the non-sensitive address: Terraform prints the value of the variable a
      // failed validation belongs to, sensitive or not.
      expect(v.registry_address.validation.map((r: { condition: string }) => r.condition)).toEqual([
        expect.stringContaining("can(regex("),
        '${var.registry_address == "" || (var.registry_username != "" && var.registry_password != "")}',
      ]);
      expect(v.docker_ssh_opts).toMatchObject({ type: "list(string)", default: [], nullable: false });
    },
  );

  test.each(stacks.map((s) => [s.id, s.json] as const))(
    "%s: the provider logs in only while registry_address is set, with variable references only",
    (_id, json) => {
      const [provider] = json.provider.docker;
      expect(provider.dynamic).toEqual({
        registry_auth: {
          for_each: "${toset(compact([var.registry_address]))}",
          iterator: "each",
          content: { address: "${each.value}", username: "${var.registry_username}", password: "${var.registry_password}" },
        },
      });
      expect(provider.registry_auth).toBeUndefined();
      // Always set (an empty list too): provider 4.6 crashes on its DOCKER_SSH_OPTS default.
      expect(provider.ssh_opts).toBe("${var.docker_ssh_opts}");
    },
  );

  test.each(stacks.map((s) => [s.id, s.json] as const))(
    "%s: credentials appear only as variable references; no output reads them",
    (_id, json) => {
      expect(credentialMentions(json)).toEqual([
        ".provider.docker.0.dynamic.registry_auth.content.password",
        ".provider.docker.0.dynamic.registry_auth.content.username",
        ".variable.registry_address.description",
        ".variable.registry_address.validation.1.condition",
        ".variable.registry_address.validation.1.error_message",
        ".variable.registry_password (key)",
        ".variable.registry_username (key)",
      ]);
      const [provider] = json.provider.docker;
      expect([provider.dynamic.registry_auth.content.password, provider.dynamic.registry_auth.content.username]).toEqual([
        "${var.registry_password}",
        "${var.registry_username}",
      ]);
      for (const [name, output] of Object.entries(json.output ?? {})) {
        expect([name, JSON.stringify(output)]).toEqual([name, expect.not.stringMatching(/registry_/)]);
      }
    },
  );

  test.each(stacks.map((s) => [s.id, s.json] as const))(
    "%s: the registry check reads exactly the stack's image variables on registry_address",
    (_id, json) => {
      const imageVariables = Object.keys(json.variable!)
        .filter((v) => v.endsWith("_image"))
        .sort();
      const check = json.data!.docker_registry_image.registry_check;
      const listed = [...check.for_each.matchAll(/(\w+_image) = var\.(\w+_image)/g)].map((m) => {
        expect(m[1]).toBe(m[2]);
        return m[1];
      });
      expect(listed.sort()).toEqual(imageVariables);
      expect(check.for_each).toContain('if var.registry_address != "" && startswith(ref, format("%s/", var.registry_address))');
      expect(check.name).toContain("each.value");
      // Nothing else: no credential, no skipped TLS verification.
      expect(Object.keys(check).sort()).toEqual(["for_each", "name"]);
    },
  );

  test("a stack without image variables has no registry check", () => {
    const app = Testing.app();
    const stack = new SystemStack(app, { system: "jessy", settings: ENVIRONMENTS.dev });
    expect(synthJson(stack).data).toBeUndefined();
  });
});

/** The conditions' regular expressions, applied as Terraform applies them (RE2; these patterns mean the same in JavaScript). */
describe("the expressions behind the inputs", () => {
  const json = stacks.find((s) => s.id === "zcash-staging")!.json;
  const addressPattern = new RegExp(
    /regex\("([^"]+)"/.exec(json.variable!.registry_address.validation[0].condition)![1].replace(/\\\\/g, "\\"),
  );

  test.each(["registry.example.com", "registry.example.com:5000", "10.241.0.12:5000", "localhost:5000", "ghcr.io"])(
    "registry_address accepts %p",
    (address) => {
      expect(addressPattern.test(address)).toBe(true);
    },
  );

  test.each(["https://registry.example.com", "registry.example.com/team", "registry.example.com:port", "-registry", "user:pw@registry"])(
    "registry_address refuses %p",
    (address) => {
      expect(addressPattern.test(address)).toBe(false);
    },
  );

  // The provider's reference parser (parseImageOptions) takes the first ':' after the registry as
  // the tag, so a bare digest gets a placeholder tag it then ignores for the digest.
  const TAG = /:[^/]*$/;
  const normalized = (ref: string) => (TAG.test(ref.split("@")[0]) || !ref.includes("@") ? ref : ref.replace("@", ":pinned@"));
  const digest = `sha256:${"a".repeat(64)}`;

  test("the registry check's name keeps tags and gives bare digests a placeholder tag", () => {
    expect(json.data!.docker_registry_image.registry_check.name).toBe(
      '${length(regexall(":[^/]*$", split("@", each.value)[0])) > 0 || !strcontains(each.value, "@") ? each.value : replace(each.value, "@", ":pinned@")}',
    );
    expect(normalized(`10.241.0.12:5000/z3-e2e/zebra@${digest}`)).toBe(`10.241.0.12:5000/z3-e2e/zebra:pinned@${digest}`);
    expect(normalized(`10.241.0.12:5000/z3-e2e/zebra:1@${digest}`)).toBe(`10.241.0.12:5000/z3-e2e/zebra:1@${digest}`);
    expect(normalized("10.241.0.12:5000/z3-e2e/zebra:1")).toBe("10.241.0.12:5000/z3-e2e/zebra:1");
    expect(normalized("registry.example.com/zebra")).toBe("registry.example.com/zebra");
  });
});
