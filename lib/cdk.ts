/**
 * The one place that imports the CDK for Terraform framework. CDKTF is archived upstream; its fork
 * renames the packages, so moving there is a change to this file and to `docker.ts`.
 */
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
