import { PolicyPackName } from "../config/common";
import { Subject } from "./subject";
import { Unexpressible, Workload, workloadOf } from "./workload";

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
 * Rules judge what ships: a `Subject` is a resource or variable of the synthesized Terraform JSON
 * (overrides and escape hatches included) or a resource instance of a saved plan. Containers and
 * swarm services are read through one view (`Workload`). Facts the JSON does not carry (a port's
 * kind, a one-shot service, a stateful volume) come from the L2 construct the JSON's metadata names.
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
  /** What the rule does with a swarm service (`docker_service`), for RULES.md. */
  readonly swarm: SwarmCoverage;
  /** Pure check: reads the construct, never changes it. */
  readonly check: (subject: Subject) => RuleResult;
  /**
   * A suppression an L2 records through one of its own props (e.g. `Service.rootReason`), or that the
   * rule records for a control a swarm service cannot express (`unexpressibleOnSwarm`), reported like
   * any other suppression. @default - only `Suppressions.add` suppresses the rule
   */
  readonly impliedSuppression?: (subject: Subject) => ImpliedSuppression | undefined;
  /** How `impliedSuppression` works, for RULES.md. @default - none */
  readonly impliedSuppressionDoc?: string;
}

/** A suppression derived from an L2 prop, or from a control the resource cannot express (a swarm gap). */
export interface ImpliedSuppression {
  readonly reason: string;
  /** Construct path of the L2 that carries the prop, or of the resource the gap applies to. */
  readonly declaredAt: string;
  /** The prop, e.g. `Service.rootReason`, or `swarm gap`. */
  readonly source: string;
}

/**
 * How a rule covers swarm services:
 * - `checked`: it reads the `docker_service` (the text says which attributes);
 * - `by-construction`: a `docker_service` cannot express the hazard, so every swarm service complies
 *   (the text says why);
 * - `gap`: a `docker_service` cannot express the control; each swarm service is reported as a
 *   suppression whose reason is the text, so the exception is listed in every report.
 */
export interface SwarmCoverage {
  readonly coverage: "checked" | "by-construction" | "gap";
  readonly text: string;
}

/** A check of a container or a swarm service, through the normalized `Workload` view. */
export function workloadCheck(check: (workload: Workload) => RuleResult): (subject: Subject) => RuleResult {
  return (subject) => {
    const workload = workloadOf(subject);
    return workload ? check(workload) : NOT_APPLICABLE;
  };
}

/**
 * A check of how a workload behaves while it runs (limits, user, root filesystem, health, restart,
 * logs). Not applicable to a container that is created but never started (`start = false`, such as
 * a `Service`'s files loader); configuration hazards (privileges, capabilities, host namespaces,
 * mounts, ports, environment) are still checked on those with `workloadCheck`.
 */
export function runtimeWorkloadCheck(check: (workload: Workload) => RuleResult): (subject: Subject) => RuleResult {
  return workloadCheck((workload) => (workload.started ? check(workload) : NOT_APPLICABLE));
}

/** Where a gap suppression comes from, as reports print it. */
export const SWARM_GAP_SOURCE = "swarm gap";

/**
 * For a control a swarm service cannot express (`SWARM_GAPS`): the rule's swarm coverage, and the
 * suppression that records the gap on each swarm service the rule finds it on, with the gap as the
 * reason. `fact` is the view's fact the rule reads; only an `Unexpressible` value is suppressed, so
 * a finding for any other reason is still reported.
 */
export function unexpressibleOnSwarm(
  gap: Unexpressible,
  fact: (workload: Workload) => unknown,
): Pick<PolicyRule, "swarm" | "impliedSuppression" | "impliedSuppressionDoc"> {
  return {
    swarm: { coverage: "gap", text: gap.reason },
    impliedSuppression: (subject) => {
      const workload = workloadOf(subject);
      if (workload?.kind !== "swarm-service") return undefined;
      let value: unknown;
      try {
        value = fact(workload);
      } catch {
        return undefined;
      }
      return value instanceof Unexpressible ? { reason: value.reason, declaredAt: subject.path, source: SWARM_GAP_SOURCE } : undefined;
    },
    impliedSuppressionDoc: `On a swarm service the finding is recorded as a suppression (source \`${SWARM_GAP_SOURCE}\`) whose reason names the gap, and listed in the policy report; it is not an error in any pack, and not a silent pass.`,
  };
}

/** Reference text for a CIS Docker Benchmark recommendation, cited by title (numbering differs between versions). */
export function cis(title: string): string {
  return `CIS Docker Benchmark, Container Runtime: "${title}"`;
}
