import { IConstruct, TerraformLocal, TerraformStack, TerraformVariable } from "../../lib/cdk";
import { SwarmConfig } from "../../lib/docker";
import { looksLikeCredential, resolved } from "../facts";
import { NOT_APPLICABLE, PolicyRule, fromFindings } from "../rule";

/** Terraform elements of the node's stack with the given class, by logical name. */
function named<T extends TerraformVariable | TerraformLocal>(node: IConstruct, kind: abstract new (...args: never[]) => T, name: string): T | undefined {
  return TerraformStack.of(node)
    .node.findAll()
    .find((n): n is T => n instanceof kind && n.friendlyUniqueId === name);
}

/**
 * The secret variables an expression reads, following locals (the `Service` L2 passes file content
 * through a `local`): sensitive variables, and variables named like a credential.
 */
function secretVariablesRead(node: IConstruct, text: string, seen: Set<string> = new Set()): string[] {
  const found: string[] = [];
  for (const [, name] of text.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) {
    const variable = named(node, TerraformVariable, name);
    const why = variable?.sensitive === true ? "sensitive" : looksLikeCredential(name) ? "named like a credential" : undefined;
    if (why && !found.some((f) => f.startsWith(`var.${name} `))) found.push(`var.${name} (${why})`);
  }
  for (const [, name] of text.matchAll(/\blocal\.([A-Za-z0-9_-]+)/g)) {
    if (seen.has(name)) continue;
    seen.add(name);
    const local = named(node, TerraformLocal, name);
    // `expression` reads back as a reference to the local itself; its definition is in toTerraform().
    const definition = (local?.toTerraform() as { locals?: Record<string, unknown> } | undefined)?.locals?.[name];
    if (definition !== undefined) found.push(...secretVariablesRead(node, JSON.stringify(resolved(node, definition)), seen).filter((f) => !found.includes(f)));
  }
  return found;
}

/** Swarm configs carry no secret. */
export const SwarmSecretsNotInConfigs: PolicyRule = {
  id: "SwarmSecretsNotInConfigs",
  levels: { baseline: "warning", production: "error" },
  description: "Swarm configs (`docker_config`) carry no secret: their data reads no sensitive or credential-named Terraform variable, directly or through a local (secrets go to `docker_secret`).",
  why: "Swarm configs are not encrypted at rest, are mounted straight into the container's filesystem instead of a RAM disk, and `docker config inspect` prints their data to anyone with access to a manager's API. Swarm secrets are encrypted at rest and delivered only to the tasks granted them.",
  fix: "Mark the `Service` `configFiles` entry `sensitive: true` (rendered as a `docker_secret`, mode 0400), or deliver the value through `secretFiles`.",
  reference: "Docker documentation, Store configuration data using Docker Configs (configs are not encrypted at rest; use secrets for sensitive data)",
  swarm: { coverage: "checked", text: "`docker_config` `data`, following locals to the variables it reads. Containers have no configs (their files are uploaded) and are not concerned." },
  check: (node) => {
    if (!(node instanceof SwarmConfig)) return NOT_APPLICABLE;
    const data = String(resolved(node, node.dataInput));
    return fromFindings(secretVariablesRead(node, data).map((v) => `data reads ${v}`));
  },
};
