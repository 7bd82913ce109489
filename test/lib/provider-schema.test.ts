import { readFileSync } from "fs";
import { join } from "path";
import { Testing } from "../../lib/cdk";
import { DOCKER_PROVIDER_VERSION_CONSTRAINT } from "../../lib/docker";
import { buildApp } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { synthJson, TfJson } from "../helpers";

/** A block of the provider schema, names only (test/fixtures/provider-docker-schema.json). */
interface SchemaBlock {
  readonly attributes: readonly string[];
  readonly blocks: Readonly<Record<string, SchemaBlock>>;
}
interface ProviderSchema {
  readonly provider: SchemaBlock;
  readonly resources: Readonly<Record<string, SchemaBlock>>;
  readonly data_sources: Readonly<Record<string, SchemaBlock>>;
}

/** Terraform's own arguments of every resource; not part of a provider schema. */
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "connection", "provisioner", "//"]);

const schema: ProviderSchema = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "provider-docker-schema.json"), "utf8"));

/** The arguments of a `dynamic "<block>"` block besides its content. */
const DYNAMIC_ARGUMENTS = new Set(["for_each", "iterator", "labels"]);

/**
 * Every key of `value` not in `block`, as `<path>.<key>`; nested blocks are checked recursively, and
 * so is the `content` of a `dynamic "<block>"` against `<block>`.
 */
function unknownKeys(block: SchemaBlock, value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownKeys(block, v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [`${path}: a block, got ${JSON.stringify(value)}`];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    if (block.attributes.includes(key)) return [];
    if (key === "dynamic" && v !== null && typeof v === "object") {
      return Object.entries(v as Record<string, Record<string, unknown>>).flatMap(([name, spec]) => {
        const nested = block.blocks[name];
        if (!nested) return [`${path}.dynamic.${name}`];
        const extra = Object.keys(spec).filter((k) => k !== "content" && !DYNAMIC_ARGUMENTS.has(k));
        return [
          ...extra.map((k) => `${path}.dynamic.${name}.${k}`),
          ...unknownKeys(nested, spec.content, `${path}.dynamic.${name}.content`),
        ];
      });
    }
    const nested = block.blocks[key];
    if (nested) return unknownKeys(nested, v, `${path}.${key}`);
    return [`${path}.${key}`];
  });
}

/** Unknown resource types, attributes and blocks of one synthesized stack, each named with its address. */
function schemaProblems(stack: string, json: TfJson, s: ProviderSchema = schema): string[] {
  const problems: string[] = [];
  for (const [type, resources] of Object.entries(json.resource ?? {})) {
    // terraform_data is Terraform's own (built-in provider), not kreuzwerker/docker's.
    if (type === "terraform_data") continue;
    const block = s.resources[type];
    for (const [name, config] of Object.entries(resources)) {
      const address = `${stack}: ${type}.${name}`;
      if (!block) {
        problems.push(`${address}: resource type ${type} is not in the provider`);
        continue;
      }
      const own = Object.fromEntries(Object.entries(config as Record<string, unknown>).filter(([k]) => !META_ARGUMENTS.has(k)));
      problems.push(...unknownKeys(block, own, address));
    }
  }
  for (const [type, sources] of Object.entries(json.data ?? {})) {
    const block = s.data_sources[type];
    for (const [name, config] of Object.entries(sources)) {
      const address = `${stack}: data.${type}.${name}`;
      if (!block) {
        problems.push(`${address}: data source ${type} is not in the provider`);
        continue;
      }
      const own = Object.fromEntries(Object.entries(config as Record<string, unknown>).filter(([k]) => !META_ARGUMENTS.has(k)));
      problems.push(...unknownKeys(block, own, address));
    }
  }
  for (const provider of json.provider?.docker ?? []) problems.push(...unknownKeys(s.provider, provider, `${stack}: provider.docker`));
  return problems;
}

const stacks = buildApp(Testing.app(), ENVIRONMENTS).map((stack) => ({ id: stack.node.id, json: synthJson(stack) }));

describe("the nine stacks against the kreuzwerker/docker 4.6 schema", () => {
  test("the fixture is the 4.6 provider's: it has what 4.x added and lacks what it removed", () => {
    expect(schema.resources.docker_container.blocks.upload.attributes).toEqual(expect.arrayContaining(["owner", "group"]));
    expect(schema.resources.docker_network.attributes).not.toContain("check_duplicate");
  });

  test.each(stacks.map((s) => [s.id, s.json] as const))(
    "%s emits only resource types, attributes and blocks the provider has",
    (id, json) => {
      expect(schemaProblems(id, json)).toEqual([]);
    },
  );

  test("every stack requires provider 4.6.x", () => {
    expect(DOCKER_PROVIDER_VERSION_CONSTRAINT).toBe("~> 4.6.0");
    for (const { id, json } of stacks) {
      expect([id, json.terraform.required_providers.docker]).toEqual([id, { source: "kreuzwerker/docker", version: "~> 4.6.0" }]);
    }
  });

  test("an attribute the provider lacks is named with its stack and address", () => {
    const json = {
      resource: { docker_network: { net: { name: "n", check_duplicate: true } }, docker_nothing: { x: {} } },
      terraform: {},
    } as unknown as TfJson;
    expect(schemaProblems("zcash-dev", json)).toEqual([
      "zcash-dev: docker_network.net.check_duplicate",
      "zcash-dev: docker_nothing.x: resource type docker_nothing is not in the provider",
    ]);
  });

  test("the provider's registry_auth is a dynamic block checked against the schema's block, and so is a data source", () => {
    const json = {
      provider: {
        docker: [
          {
            host: "h",
            dynamic: {
              registry_auth: { for_each: "${x}", iterator: "each", content: { address: "a", token: "t" } },
              registry_login: { content: {} },
            },
          },
        ],
      },
      data: { docker_registry_image: { check: { name: "n", for_each: "${x}", digest: "d" } }, docker_nothing: { x: {} } },
      terraform: {},
    } as unknown as TfJson;
    expect(schemaProblems("zcash-dev", json)).toEqual([
      "zcash-dev: data.docker_registry_image.check.digest",
      "zcash-dev: data.docker_nothing.x: data source docker_nothing is not in the provider",
      "zcash-dev: provider.docker.dynamic.registry_auth.content.token",
      "zcash-dev: provider.docker.dynamic.registry_login",
    ]);
  });

  test("unknown keys inside nested blocks carry the block path", () => {
    const json = {
      resource: { docker_container: { c: { name: "c", image: "i", healthcheck: [{ test: ["CMD"], bogus: 1 }] } } },
      terraform: {},
    } as unknown as TfJson;
    expect(schemaProblems("jessy-dev", json)).toEqual(["jessy-dev: docker_container.c.healthcheck[0].bogus"]);
  });
});
