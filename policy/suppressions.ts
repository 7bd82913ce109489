import { IConstruct } from "../lib/cdk";
import { ConstructValidationError } from "../lib/validation";
import { ALL_RULES } from "./rules";

/** An exception to one rule, with the reason reviewers read in the policy report. */
export interface Suppression {
  /** Rule id without the pack prefix, e.g. `ContainerReadOnlyRootFilesystem`. */
  readonly id: string;
  /** Why the exception is safe; at least 10 characters. */
  readonly reason: string;
}

/** A suppression that silenced a finding, and where it was declared. */
export interface AppliedSuppression extends Suppression {
  /** Construct path the suppression is declared on (it applies to everything below it). */
  readonly declaredAt: string;
  /** `Suppressions.add`, or the L2 prop it was derived from (e.g. `Service.rootReason`). */
  readonly source: string;
}

const METADATA_TYPE = "policy/suppression";
const MIN_REASON_LENGTH = 10;

/**
 * Exceptions to policy rules, kept as data on a construct with a written reason. A suppression
 * applies to the construct and everything below it, in every pack, and is listed in the policy
 * report of each stack it silences a finding in.
 *
 * ```ts
 * Suppressions.of(service).add({ id: "ContainerHealthCheckDefined", reason: "distroless image: no shell or probe binary" });
 * ```
 */
export class Suppressions {
  static of(scope: IConstruct): Suppressions {
    return new Suppressions(scope);
  }

  private constructor(private readonly scope: IConstruct) {}

  /** Adds suppressions; throws for an unknown rule id or a reason shorter than 10 characters. */
  add(...suppressions: Suppression[]): void {
    const known = new Set(ALL_RULES.map((r) => r.id));
    const problems = suppressions.flatMap((s, i) => [
      ...(known.has(s.id)
        ? []
        : [
            {
              path: `suppressions[${i}].id`,
              value: s.id,
              allowed: 'a rule id from RULES.md, without the pack prefix (e.g. "ContainerReadOnlyRootFilesystem")',
            },
          ]),
      ...((s.reason ?? "").trim().length >= MIN_REASON_LENGTH
        ? []
        : [
            { path: `suppressions[${i}].reason`, value: s.reason, allowed: `a written reason of at least ${MIN_REASON_LENGTH} characters` },
          ]),
    ]);
    if (problems.length > 0) throw new ConstructValidationError(this.scope.node.path, problems);
    for (const s of suppressions) this.scope.node.addMetadata(METADATA_TYPE, { id: s.id, reason: s.reason.trim() }, { stackTrace: false });
  }

  /** Suppressions declared on this construct itself (not inherited). */
  get all(): Suppression[] {
    return this.scope.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => ({ ...(m.data as Suppression) }));
  }
}

/** The nearest suppression of a rule on the node or one of its scopes. */
export function findSuppression(node: IConstruct, ruleId: string): AppliedSuppression | undefined {
  const scopes = node.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const found = Suppressions.of(scopes[i]).all.find((s) => s.id === ruleId);
    if (found) return { ...found, declaredAt: scopes[i].node.path, source: "Suppressions.add" };
  }
  return undefined;
}
