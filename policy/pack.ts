import { Annotations, Aspects, IAspect, IConstruct, TerraformResource, TerraformStack, TerraformVariable } from "../lib/cdk";
import { PolicyPackName } from "../config/common";
import { ImpliedSuppression, PolicyRule, RuleLevel, RuleResult, nonCompliant } from "./rule";
import { ALL_RULES } from "./rules";
import { findSuppression } from "./suppressions";

/** A rule that found a problem on one construct. */
export interface Finding {
  /** `<Pack>-<Rule>`, e.g. `Production-ContainerNotPrivileged`. */
  readonly id: string;
  readonly rule: string;
  readonly level: RuleLevel;
  readonly stack: string;
  /** Construct path, e.g. `zcash-production/Z3/Zebra/Resource`. */
  readonly path: string;
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

/** What a checked construct counts as in a report: its Terraform resource type, or `variable`. */
function checkedKind(node: IConstruct): string {
  if (node instanceof TerraformResource) return node.terraformResourceType;
  if (node instanceof TerraformVariable) return "variable";
  return node.constructor.name;
}

/**
 * A policy pack: an Aspect that applies every rule at the pack's level to each construct of the
 * stack it is added to and reports through `Annotations` with the id `<Pack>-<Rule>`. An error
 * annotation fails synthesis. Visiting a construct twice reports it once, so the early check in
 * `checkPolicies` and cdktf's own aspect pass during synthesis do not duplicate findings.
 */
export class PolicyPack implements IAspect {
  /** `Baseline` or `Production`: the prefix of every finding id. */
  readonly label: string;
  private readonly visited = new WeakSet<IConstruct>();
  private readonly found: Finding[] = [];
  private readonly silenced: SuppressedFinding[] = [];
  /** Per stack, how many constructs of each kind at least one rule applied to. */
  private readonly checkedCounts = new Map<string, Map<string, number>>();

  constructor(
    readonly name: PolicyPackName,
    readonly rules: readonly PolicyRule[] = ALL_RULES,
  ) {
    this.label = PACK_LABELS[name];
  }

  visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    const stack = node.node.scopes.find((s) => TerraformStack.isStack(s));
    if (!stack) return;
    let applied = false;
    for (const rule of this.rules) applied = this.apply(rule, node, stack.node.id) || applied;
    if (!applied) return;
    const counts = this.checkedCounts.get(stack.node.id) ?? new Map<string, number>();
    const kind = checkedKind(node);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    this.checkedCounts.set(stack.node.id, counts);
  }

  /**
   * How many constructs of each kind (`docker_container`, `docker_service`, `variable`, …) at least one
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

  /** Applies one rule to one construct; false when the rule does not apply to it. */
  private apply(rule: PolicyRule, node: IConstruct, stack: string): boolean {
    let result: RuleResult;
    try {
      result = rule.check(node);
    } catch (error) {
      // A rule that cannot decide (e.g. a value only known at apply time) is a finding, never a pass.
      result = nonCompliant(`could not be checked: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (result.compliance === "not-applicable") return false;
    if (result.compliance !== "non-compliant") return true;

    const id = `${this.label}-${rule.id}`;
    const level = rule.levels[this.name];
    const base = { id, rule: rule.id, level, stack, path: node.node.path, details: [...result.findings] };
    const suppression: ImpliedSuppression | undefined = findSuppression(node, rule.id) ?? rule.impliedSuppression?.(node);
    if (suppression) {
      this.silenced.push({ ...base, reason: suppression.reason, declaredAt: suppression.declaredAt, source: suppression.source });
      Annotations.of(node).addInfo(`${id} suppressed (${suppression.source} at ${suppression.declaredAt}): ${suppression.reason}`);
      return true;
    }
    const message = `${id}: ${rule.description} Found: ${result.findings.join("; ")}. Fix: ${rule.fix}`;
    this.found.push({ ...base, message });
    const annotations = Annotations.of(node);
    if (level === "error") annotations.addError(message);
    else if (level === "warning") annotations.addWarning(message);
    else annotations.addInfo(message);
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

/** Adds the named pack to a stack as an Aspect and returns it. */
export function applyPolicyPack(stack: TerraformStack, name: PolicyPackName, rules: readonly PolicyRule[] = ALL_RULES): PolicyPack {
  const pack = policyPackFor(name, rules);
  Aspects.of(stack).add(pack);
  return pack;
}

/** The packs that apply to a stack (added to the stack or to the app). */
export function policyPacksOf(stack: TerraformStack): PolicyPack[] {
  return stack.node.scopes.flatMap((s) => Aspects.of(s).all).filter((a): a is PolicyPack => a instanceof PolicyPack);
}
