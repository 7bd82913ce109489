/**
 * The one place that imports the CDK for Terraform framework. CDKTF is archived upstream; its fork
 * renames the packages, so moving there is a change to this file and to `docker.ts`.
 */
import { execSync } from "child_process";
import { satisfies } from "semver";
import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";

export {
  Annotations,
  App,
  Aspects,
  Fn,
  Lazy,
  // A value produced only at synthesis; what reads tokens before then must tell it apart.
  LazyBase,
  LocalBackend,
  PgBackend,
  S3Backend,
  TerraformIterator,
  TerraformLocal,
  TerraformOutput,
  DataResource,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Testing,
  Token,
  // Policy rules render tokens as Terraform expressions (`${var.x}`) to inspect them.
  DefaultTokenResolver,
  StringConcat,
  Tokenization,
} from "cdktf";
export type { IAspect, TerraformVariableConfig } from "cdktf";
export { Construct } from "constructs";
export type { IConstruct } from "constructs";

/**
 * cdktf adds a Terraform version check (`terraform version`, a child process) to every
 * `terraform_data` resource and `moved` block, and runs each at synth: most of a synth's time. The
 * version cannot change within one process, so the command runs once per synth and every check
 * (each with its own constraint and message, as cdktf words them) reads that one answer; an old or
 * missing Terraform is still reported.
 */
const versionOutputs = new Map<string, { readonly output: string } | { readonly error: unknown }>();
ValidateBinaryVersion.prototype.validate = function (this: ValidateBinaryVersion): string[] {
  const own = this as unknown as { binary: string; versionCommand: string; versionConstraint: string; hint?: string };
  let answer = versionOutputs.get(own.versionCommand);
  if (answer === undefined) {
    try {
      answer = { output: execSync(own.versionCommand, { stdio: "pipe" }).toString() };
    } catch (error) {
      answer = { error };
    }
    versionOutputs.set(own.versionCommand, answer);
  }
  if ("error" in answer) return [`Could not determine version of ${own.binary}, ${own.versionCommand} failed: ${answer.error}`];
  const version = /\d+\.\d+\.\d+/.exec(answer.output)?.[0];
  if (version === undefined) return [`Could not determine version of ${own.binary} (running ${own.versionCommand})`];
  if (!satisfies(version, own.versionConstraint)) {
    return [
      `${own.binary} version ${version} is lower than the required version ${own.versionConstraint} for this construct. ${own.hint ?? ""}`,
    ];
  }
  return [];
};
