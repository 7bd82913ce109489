/**
 * The one place that imports the CDK for Terraform framework. CDKTF is archived upstream; its fork
 * renames the packages, so moving there is a change to this file and to `docker.ts`.
 */
import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";

export {
  Annotations,
  App,
  Aspects,
  Fn,
  Lazy,
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
 * `terraform_data` resource and `moved` block, and runs each at synth: most of a synth's time.
 * The answer cannot change within one process, so each distinct check (command, constraint, hint)
 * runs once and its result is reused; an old Terraform is still reported, once per check.
 */
const versionChecks = new Map<string, string[]>();
const validateOnce = ValidateBinaryVersion.prototype.validate;
ValidateBinaryVersion.prototype.validate = function (this: ValidateBinaryVersion): string[] {
  const own = this as unknown as { versionCommand: string; versionConstraint: string; hint?: string };
  const key = `${own.versionCommand}\0${own.versionConstraint}\0${own.hint ?? ""}`;
  let result = versionChecks.get(key);
  if (result === undefined) {
    result = validateOnce.call(this);
    versionChecks.set(key, result);
  }
  return [...result];
};
