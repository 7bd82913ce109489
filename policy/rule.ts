import { IConstruct } from "../lib/cdk";
import { Container } from "../lib/docker";
import { PolicyPackName } from "../config/common";

/**
 * How a pack reports a rule's finding: `error` fails synthesis, `warning` and `info` are printed and
 * written to the policy report.
 */
export type RuleLevel = "error" | "warning" | "info";

/** The outcome of one rule on one construct. */
export type RuleResult =
  | { readonly compliance: "compliant" }
  | { readonly compliance: "not-applicable" }
  | { readonly compliance: "non-compliant"; readonly findings: readonly string[] };

export const COMPLIANT: RuleResult = { compliance: "compliant" };
export const NOT_APPLICABLE: RuleResult = { compliance: "not-applicable" };

/** Non-compliant, with what was found (e.g. "env ADMIN_TOKEN holds a literal value"). */
export function nonCompliant(...findings: string[]): RuleResult {
  return { compliance: "non-compliant", findings };
}

/** Compliant when nothing was found, else non-compliant with every finding. */
export function fromFindings(findings: readonly string[]): RuleResult {
  return findings.length === 0 ? COMPLIANT : nonCompliant(...findings);
}

/**
 * One policy rule: a pure, read-only check of one construct, named for the compliant condition
 * (`ContainerNotPrivileged`), with the documentation RULES.md is generated from.
 *
 * Rules inspect the generated provider resources (L1) through their `…Input` getters, so they also
 * see values set through an escape hatch (`service.resource.privileged = true`). Facts the L1 does
 * not carry (a port's kind, a one-shot container, a stateful volume) come from the L2 parent.
 */
export interface PolicyRule {
  /** PascalCase, equal to the rule's file name; findings are reported as `<Pack>-<id>`. */
  readonly id: string;
  /** Level per pack. */
  readonly levels: Readonly<Record<PolicyPackName, RuleLevel>>;
  /** The compliant condition, one sentence. */
  readonly description: string;
  /** Why it matters. */
  readonly why: string;
  /** How to comply (or when a suppression is the right answer). */
  readonly fix: string;
  /** Upstream reference, e.g. `CIS Docker Benchmark v1.6.0, 5.4`. */
  readonly reference: string;
  /** Pure check: reads the construct, never changes it. */
  readonly check: (node: IConstruct) => RuleResult;
  /**
   * A suppression an L2 records through one of its own props (e.g. `Service.rootReason`), reported
   * like any other suppression. @default - only `Suppressions.add` suppresses the rule
   */
  readonly impliedSuppression?: (node: IConstruct) => ImpliedSuppression | undefined;
  /** How `impliedSuppression` works, for RULES.md. @default - none */
  readonly impliedSuppressionDoc?: string;
}

/** A suppression derived from an L2 prop. */
export interface ImpliedSuppression {
  readonly reason: string;
  /** Construct path of the L2 that carries the prop. */
  readonly declaredAt: string;
  /** The prop, e.g. `Service.rootReason`. */
  readonly source: string;
}

/** A check that applies to `docker_container` resources only. */
export function containerCheck(check: (container: Container) => RuleResult): (node: IConstruct) => RuleResult {
  return (node) => (node instanceof Container ? check(node) : NOT_APPLICABLE);
}

/**
 * A check of how a container behaves while it runs (limits, user, root filesystem, health, restart,
 * logs). Not applicable to a container that is created but never started (`start = false`, such as
 * a `Service`'s files loader); configuration hazards (privileges, capabilities, host namespaces,
 * mounts, ports, environment) are still checked on those with `containerCheck`.
 */
export function runtimeContainerCheck(check: (container: Container) => RuleResult): (node: IConstruct) => RuleResult {
  return containerCheck((container) => (container.startInput === false ? NOT_APPLICABLE : check(container)));
}

/** Reference text for a CIS Docker Benchmark recommendation, cited by title (numbering differs between versions). */
export function cis(title: string): string {
  return `CIS Docker Benchmark, Container Runtime: "${title}"`;
}
