import { looksLikeCredential } from "../facts";
import { PolicyRule, fromFindings, workloadCheck } from "../rule";

/** `scheme://user:password@…` with a password that is literal text. */
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:([^@\s/]+)@/i;

/** `<NAME>_FILE=/path` (or `<NAME>__FILE`): the variable names a file holding the secret. */
function isFileReference(name: string, value: string): boolean {
  return /_FILE$/i.test(name) && value.startsWith("/");
}

/** Environment variables of containers and swarm services hold no literal credential. */
export const ContainerEnvironmentHasNoLiteralSecrets: PolicyRule = {
  id: "ContainerEnvironmentHasNoLiteralSecrets",
  levels: { baseline: "warning", production: "error" },
  description:
    "No environment variable of a container or swarm service whose name looks like a credential (PASSWORD, SECRET, TOKEN, KEY, …) holds a literal value, and no URL in the environment carries a literal password.",
  why: "A literal in code is in git, in the synthesized JSON, in every plan and in `docker inspect` (`docker service inspect` on swarm, readable by anyone with the manager's API). Secrets come from sensitive Terraform variables and, preferably, reach the container as files.",
  fix: "Pass the value from a `Secret` (a sensitive variable; a `${var.x}` reference is not a literal), better as a file (`Service` prop `secretFiles`, a `docker_secret` on swarm) with a `<NAME>_FILE=/run/secrets/...` variable where the image supports it. Values are never printed in findings.",
  reference:
    'CIS Docker Benchmark, Container Images and Build File: "Ensure secrets are not stored in Dockerfiles" (same concern at runtime); design rule 11 (secrets are a type)',
  swarm: { coverage: "checked", text: "`task_spec.container_spec.env` (a map)." },
  check: workloadCheck((w) => {
    const findings: string[] = [];
    for (const { name, value } of w.environment()) {
      const literal = value !== "" && !value.includes("${");
      if (looksLikeCredential(name) && literal && !isFileReference(name, value)) findings.push(`env ${name} holds a literal value`);
      const password = URL_PASSWORD.exec(value)?.[1];
      if (password !== undefined && !password.includes("${")) findings.push(`env ${name} holds a URL with a literal password`);
    }
    return fromFindings(findings);
  }),
};
