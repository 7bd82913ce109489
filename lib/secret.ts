import { Construct, TerraformVariable } from "./cdk";

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
 */
export class Secret extends Construct {
  readonly variable: TerraformVariable;
  readonly variableName: string;
  readonly minLength: number;

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
      validation: [
        {
          condition: props.optional
            ? `\${var.${props.variableName} == "" || length(var.${props.variableName}) >= ${this.minLength}}`
            : `\${length(var.${props.variableName}) >= ${this.minLength}}`,
          errorMessage: `${props.variableName} must be at least ${this.minLength} characters long.`,
        },
      ],
    });
    this.variable.overrideLogicalId(props.variableName);
  }

  /** The value as a Terraform expression; resolves at apply time only. */
  get value(): string {
    return this.variable.stringValue;
  }

  /** Binds the secret to a file path inside a container; pass the result in a service's `secretFiles`. */
  file(containerPath: string): SecretFile {
    return { secret: this, containerPath };
  }
}

export interface SecretFile {
  readonly secret: Secret;
  readonly containerPath: string;
}
