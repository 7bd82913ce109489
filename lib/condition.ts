import { TerraformVariable, Token } from "./cdk";

/**
 * When an optional resource exists: a test of one Terraform variable, rendered as the resource's
 * `count` (1 while it holds, else 0). Built from the variable itself, never from an expression
 * written as a string, so that two resources can be told to have the same condition.
 */
export class Condition {
  /** While a `bool` variable is true. */
  static whenTrue(variable: TerraformVariable): Condition {
    return new Condition(variable, "true");
  }

  /** While a `string` variable is not empty. */
  static whenSet(variable: TerraformVariable): Condition {
    return new Condition(variable, "set");
  }

  private constructor(
    private readonly variable: TerraformVariable,
    private readonly test: "true" | "set",
  ) {}

  /** The Terraform boolean expression, e.g. `var.backup_repository != ""`. */
  get expression(): string {
    const ref = `var.${this.variable.friendlyUniqueId}`;
    return this.test === "true" ? ref : `${ref} != ""`;
  }

  /** The `count` of a resource that exists only while the condition holds. */
  get count(): number {
    return Token.asNumber(`\${${this.expression} ? 1 : 0}`);
  }

  /** The same test of the same variable (`undefined`: always, never the same as a condition). */
  equals(other: Condition | undefined): boolean {
    return other !== undefined && other.variable === this.variable && other.test === this.test;
  }

  /** As error messages show it. */
  toJSON(): string {
    return this.expression;
  }
}
