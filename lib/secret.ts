import { Construct, DataResource, TerraformVariable } from "./cdk";

export interface SecretProps {
  /** Terraform variable name, set at deploy time with `TF_VAR_<name>`. */
  readonly variableName: string;
  readonly description: string;
  /** @default 16 */
  readonly minLength?: number;
  /**
   * The variable defaults to empty (then the feature that reads it is off, e.g. backups in dev);
   * a set value must still pass the length check.
   * @default false - required
   */
  readonly optional?: boolean;
}

/**
 * A secret value that only ever comes from a sensitive Terraform variable with no default: it never
 * appears in code, in the synthesized JSON or in plan output. Services receive it as a file
 * (`Service` prop `secretFiles`), never as an environment variable.
 *
 * Its minimum length is a precondition of a `terraform_data` resource (`<name>_length`), not a
 * validation of the variable: Terraform 1.11 prints a variable's value, sensitive or not, when the
 * variable's own validation fails (`var.x is "…"`), and prints no value a failed precondition reads
 * when that value is sensitive. The precondition fails the plan before anything is created; the
 * resources that receive the secret depend on it, so a targeted plan checks it too.
 */
export class Secret extends Construct {
  readonly variable: TerraformVariable;
  readonly variableName: string;
  readonly minLength: number;
  /** The `terraform_data` whose precondition checks the length (`terraform_data.<name>_length`). */
  readonly lengthCheck: DataResource;

  constructor(scope: Construct, id: string, props: SecretProps) {
    super(scope, id);
    this.variableName = props.variableName;
    this.minLength = props.minLength ?? 16;
    this.variable = new TerraformVariable(this, "Variable", {
      type: "string",
      sensitive: true,
      nullable: false,
      default: props.optional ? "" : undefined,
      description: `${props.description} (sensitive; at least ${this.minLength} characters; set TF_VAR_${props.variableName})`,
    });
    this.variable.overrideLogicalId(props.variableName);
    const name = props.variableName;
    this.lengthCheck = new DataResource(this, "LengthCheck", {
      lifecycle: {
        precondition: [
          {
            condition: props.optional
              ? `\${var.${name} == "" || length(var.${name}) >= ${this.minLength}}`
              : `\${length(var.${name}) >= ${this.minLength}}`,
            errorMessage: `${name} (TF_VAR_${name}) must be ${props.optional ? "empty or " : ""}at least ${this.minLength} characters long; its value is not shown.`,
          },
        ],
      },
    });
    this.lengthCheck.overrideLogicalId(`${name}_length`);
  }

  /** The value as a Terraform expression; resolves at apply time only. */
  get value(): string {
    return this.variable.stringValue;
  }

  /** Binds the secret to a file path inside a container; pass the result in a service's `secretFiles`. */
  file(containerPath: string): SecretFile {
    return { secret: this, containerPath };
  }

  /** The secret a variable holds, when a `Secret` declared it. */
  static of(variable: TerraformVariable): Secret | undefined {
    const scope = variable.node.scope;
    return scope instanceof Secret && scope.variable === variable ? scope : undefined;
  }
}

export interface SecretFile {
  readonly secret: Secret;
  readonly containerPath: string;
}
