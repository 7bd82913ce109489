import { TerraformStack } from "../lib/cdk";
import { PolicyPackName } from "../config/common";
import { ImpliedSuppression, PolicyRule, RuleLevel, RuleResult, nonCompliant } from "./rule";
import { ALL_RULES } from "./rules";
import { Subject } from "./subject";
import { findSuppression } from "./suppressions";

/** A rule that found a problem on one construct. */
export interface Finding {
  /** `<Pack>-<Rule>`, e.g. `Production-ContainerNotPrivileged`. */
  readonly id: string;
  readonly rule: string;
  readonly level: RuleLevel;
  readonly stack: string;
  /** Construct path, e.g. `zcash-production/Z3/Zebra/Resource` (the address for JSON no construct wrote). */
  readonly path: string;
  /** Terraform address, e.g. `docker_container.z3_zebra` (`…[0]` for a counted instance in a plan). */
  readonly address: string;
  /** Attributes the construct set through an escape hatch (`addOverride`); listed so reviewers see them. */
  readonly overrides?: readonly string[];
  /** What was found. */
  readonly details: readonly string[];
  /** The annotation text. */
  readonly message: string;
}

/** A finding silenced by a suppression; listed in the report so reviewers see every exception. */
export interface SuppressedFinding extends Omit<Finding, "message"> {
  readonly reason: string;
  /** Construct path the suppression is declared on. */
  readonly declaredAt: string;
  /** `Suppressions.add`, or the L2 prop it was derived from. */
  readonly source: string;
}

const PACK_LABELS: Readonly<Record<PolicyPackName, string>> = { baseline: "Baseline", production: "Production" };

/**
 * A policy pack: applies every rule at the pack's level to each subject of a stack (the resources and
 * variables of its synthesized Terraform JSON, or the resource instances of a plan) and records
 * findings with the id `<Pack>-<Rule>`. An error finding fails synthesis (and a plan check).
 */
export class PolicyPack {
  /** `Baseline` or `Production`: the prefix of every finding id. */
  readonly label: string;
  private readonly found: Finding[] = [];
  private readonly silenced: SuppressedFinding[] = [];
  /** Per stack, how many subjects of each kind at least one rule applied to. */
  private readonly checkedCounts = new Map<string, Map<string, number>>();

  constructor(
    readonly name: PolicyPackName,
    readonly rules: readonly PolicyRule[] = ALL_RULES,
  ) {
    this.label = PACK_LABELS[name];
  }

  /** Applies every rule to every subject of one stack. */
  evaluate(stack: string, subjects: readonly Subject[]): void {
    // Judging a stack again replaces what was found in it before (one verdict per stack).
    this.found.splice(0, this.found.length, ...this.found.filter((f) => f.stack !== stack));
    this.silenced.splice(0, this.silenced.length, ...this.silenced.filter((f) => f.stack !== stack));
    this.checkedCounts.delete(stack);
    for (const subject of subjects) {
      let applied = false;
      for (const rule of this.rules) applied = this.apply(rule, subject, stack) || applied;
      if (!applied) continue;
      const counts = this.checkedCounts.get(stack) ?? new Map<string, number>();
      counts.set(subject.type, (counts.get(subject.type) ?? 0) + 1);
      this.checkedCounts.set(stack, counts);
    }
  }

  /**
   * How many subjects of each kind (`docker_container`, `docker_service`, `variable`, …) at least one
   * rule applied to in a stack, sorted by kind: the report shows what was checked, not only what failed.
   */
  checkedIn(stack: string): Record<string, number> {
    return Object.fromEntries([...(this.checkedCounts.get(stack) ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Findings so far (copies). */
  get findings(): Finding[] {
    return [...this.found];
  }

  /** Suppressed findings so far (copies). */
  get suppressed(): SuppressedFinding[] {
    return [...this.silenced];
  }

  /** Applies one rule to one subject; false when the rule does not apply to it. */
  private apply(rule: PolicyRule, subject: Subject, stack: string): boolean {
    let result: RuleResult;
    try {
      result = rule.check(subject);
    } catch (error) {
      // A rule that cannot decide (e.g. a value only known at apply time) is a finding, never a pass.
      result = nonCompliant(`could not be checked: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (result.compliance === "not-applicable") return false;
    if (result.compliance !== "non-compliant") return true;

    const id = `${this.label}-${rule.id}`;
    const level = rule.levels[this.name];
    const base = {
      id,
      rule: rule.id,
      level,
      stack,
      path: subject.path,
      address: subject.address,
      ...(subject.overrides.length > 0 ? { overrides: [...subject.overrides] } : {}),
      details: [...result.findings],
    };
    const suppression: ImpliedSuppression | undefined =
      (subject.construct ? findSuppression(subject.construct, rule.id) : undefined) ?? rule.impliedSuppression?.(subject);
    if (suppression) {
      this.silenced.push({ ...base, reason: suppression.reason, declaredAt: suppression.declaredAt, source: suppression.source });
      return true;
    }
    const overrides = subject.overrides.length > 0 ? ` Escape-hatch overrides on this resource: ${subject.overrides.join(", ")}.` : "";
    const message = `${id} at ${subject.address} (${subject.path}): ${rule.description} Found: ${result.findings.join("; ")}.${overrides} Fix: ${rule.fix}`;
    this.found.push({ ...base, message });
    return true;
  }
}

/** Container-security baseline: every rule, reported as warnings (and infos). Used by dev and staging. */
export class BaselineChecks extends PolicyPack {
  constructor(rules: readonly PolicyRule[] = ALL_RULES) {
    super("baseline", rules);
  }
}

/** Production gate: the same rules, most of them errors that fail synthesis. */
export class ProductionChecks extends PolicyPack {
  constructor(rules: readonly PolicyRule[] = ALL_RULES) {
    super("production", rules);
  }
}

/** The pack an environment's settings select (`settings.policyPack`). */
export function policyPackFor(name: PolicyPackName, rules: readonly PolicyRule[] = ALL_RULES): PolicyPack {
  return name === "production" ? new ProductionChecks(rules) : new BaselineChecks(rules);
}

/** The packs registered per stack (`applyPolicyPack`). */
const PACKS = new WeakMap<TerraformStack, PolicyPack[]>();

/** Registers the named pack for a stack and returns it: synthesis then judges the stack's JSON with it. */
export function applyPolicyPack(stack: TerraformStack, name: PolicyPackName, rules: readonly PolicyRule[] = ALL_RULES): PolicyPack {
  const pack = policyPackFor(name, rules);
  PACKS.set(stack, [...(PACKS.get(stack) ?? []), pack]);
  return pack;
}

/** The packs registered for a stack. */
export function policyPacksOf(stack: TerraformStack): PolicyPack[] {
  return [...(PACKS.get(stack) ?? [])];
}
