import { secretVariablesRead } from "../facts";
import { NOT_APPLICABLE, PolicyRule, fromFindings } from "../rule";

/** Swarm configs carry no secret. */
export const SwarmSecretsNotInConfigs: PolicyRule = {
  id: "SwarmSecretsNotInConfigs",
  levels: { baseline: "warning", production: "error" },
  description:
    "Swarm configs (`docker_config`) carry no secret: their data reads no sensitive or credential-named Terraform variable, directly or through a local (secrets go to `docker_secret`).",
  why: "Swarm configs are not encrypted at rest, are mounted straight into the container's filesystem instead of a RAM disk, and `docker config inspect` prints their data to anyone with access to a manager's API. Swarm secrets are encrypted at rest and delivered only to the tasks granted them.",
  fix: "Read the secret through a sensitive variable (`Secret.value`) in the `Service` `configFiles` entry: a file whose content reads one is delivered as a `docker_secret` (mode 0400); or deliver the value through `secretFiles`.",
  reference:
    "Docker documentation, Store configuration data using Docker Configs (configs are not encrypted at rest; use secrets for sensitive data)",
  swarm: {
    coverage: "checked",
    text: "`docker_config` `data`, following locals to the variables it reads. Containers have no configs (their files are uploaded) and are not concerned.",
  },
  check: (subject) => {
    if (subject.type !== "docker_config") return NOT_APPLICABLE;
    // In a plan, data derived from a sensitive value is given as its expression (subject.ts).
    return fromFindings(secretVariablesRead(subject, String(subject.attrs.data ?? "")).map((v) => `data reads ${v}`));
  },
};
