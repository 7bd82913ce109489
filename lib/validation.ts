import { IConstruct } from "./cdk";

/** One broken rule: where, which prop, what was given, what is allowed. */
export interface Problem {
  readonly path: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** Renders a value for an error message: strings quoted, objects as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "(not set)";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Thrown by a construct whose props break one or more rules; lists every problem at once. */
export class ConstructValidationError extends Error {
  constructor(
    readonly constructPath: string,
    readonly problems: readonly Problem[],
  ) {
    super(
      `Invalid props for ${constructPath}:\n` +
        problems.map((p) => `  - ${p.path}: got ${show(p.value)}; allowed: ${p.allowed}`).join("\n"),
    );
    this.name = "ConstructValidationError";
  }
}

/** Collects problems while a constructor checks its props, then throws them together. */
export class ProblemCollector {
  private readonly problems: Problem[] = [];

  check(ok: boolean, path: string, value: unknown, allowed: string): void {
    if (!ok) this.problems.push({ path, value, allowed });
  }

  get count(): number {
    return this.problems.length;
  }

  throwIfAny(scope: IConstruct): void {
    if (this.problems.length > 0) throw new ConstructValidationError(scope.node.path, this.problems);
  }
}

/** A stable, readable Terraform logical id from a construct's path inside its stack. */
export function readableLogicalId(scope: IConstruct): string {
  const parts = scope.node.scopes.slice(2).map((s) => s.node.id);
  return parts
    .join("_")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase();
}
