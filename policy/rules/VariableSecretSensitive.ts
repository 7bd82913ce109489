import { looksLikeCredential } from "../facts";
import { NOT_APPLICABLE, PolicyRule, fromFindings } from "../rule";

/** Secret variables are sensitive and have no default. */
export const VariableSecretSensitive: PolicyRule = {
  id: "VariableSecretSensitive",
  levels: { baseline: "warning", production: "error" },
  description:
    "Terraform variables that hold secrets (sensitive, or named like a credential: PASSWORD, SECRET, TOKEN, KEY, …) are `sensitive` and have no default.",
  why: "A default puts the secret in code and in the synthesized JSON; a variable that is not sensitive prints its value in every plan.",
  fix: "Declare the secret with the `Secret` L2 (sensitive, no default, length-validated) and supply it at deploy time with `TF_VAR_<name>`.",
  reference: "cdktf best practice: read secrets with sensitive Terraform variables; design rule 11 (secrets are a type)",
  swarm: {
    coverage: "checked",
    text: "the same Terraform variables on both targets; on swarm they feed `docker_secret` data instead of uploaded files.",
  },
  check: (subject) => {
    if (subject.type !== "variable") return NOT_APPLICABLE;
    const name = subject.address.replace(/^var\./, "");
    const sensitive = subject.attrs.sensitive === true;
    if (!looksLikeCredential(name) && !sensitive) return NOT_APPLICABLE;
    const findings: string[] = [];
    if (!sensitive) findings.push(`variable ${name} looks like a credential but is not sensitive`);
    if (subject.attrs.default !== undefined && subject.attrs.default !== null) findings.push(`variable ${name} has a default value`);
    return fromFindings(findings);
  },
};
