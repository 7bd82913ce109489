import { PolicyRule, SWARM_GAP_SOURCE, SwarmCoverage } from "./rule";
import { ALL_RULES } from "./rules";

const PACKS = [
  { key: "baseline", label: "Baseline" },
  { key: "production", label: "Production" },
] as const;

/** How each swarm coverage reads in the table and in a rule's section. */
const SWARM_COVERAGE: Readonly<Record<SwarmCoverage["coverage"], { cell: string; lead: string }>> = {
  checked: { cell: "checked", lead: "Checked:" },
  "by-construction": { cell: "compliant by construction", lead: "Compliant by construction:" },
  gap: { cell: "gap, suppressed with reason", lead: "Gap, recorded as a suppression with this reason:" },
};

/** A sentence ends with a full stop. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** One line of a Markdown table cell: pipes escaped, no line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function ruleSection(rule: PolicyRule): string {
  const levels = PACKS.map((p) => `${p.label}: **${rule.levels[p.key]}** (\`${p.label}-${rule.id}\`)`).join("; ");
  return [
    `### ${rule.id}`,
    "",
    rule.description,
    "",
    `- **Levels:** ${levels}`,
    `- **Why:** ${rule.why}`,
    `- **Fix:** ${rule.fix}`,
    `- **Swarm services:** ${SWARM_COVERAGE[rule.swarm.coverage].lead} ${sentence(rule.swarm.text)}`,
    ...(rule.impliedSuppressionDoc ? [`- **Recorded suppression:** ${rule.impliedSuppressionDoc}`] : []),
    `- **Reference:** ${rule.reference}`,
    "",
  ].join("\n");
}

/** RULES.md, generated from the rule definitions (`npm run rules`); a test keeps the file in sync. */
export function renderRulesMarkdown(rules: readonly PolicyRule[] = ALL_RULES): string {
  const table = [
    "| Rule | Baseline | Production | Swarm services | Checks |",
    "|---|---|---|---|---|",
    ...rules.map(
      (r) =>
        `| [${r.id}](#${r.id.toLowerCase()}) | ${r.levels.baseline} | ${r.levels.production} | ${SWARM_COVERAGE[r.swarm.coverage].cell} | ${cell(r.description)} |`,
    ),
  ];
  return [
    "# Policy rules",
    "",
    "<!-- Generated from policy/rules/*.ts by `npm run rules`. Do not edit by hand: test/policy/rules-doc.test.ts fails when this file differs. -->",
    "",
    "Every stack is checked twice by the same rules, the way cdk-nag checks AWS CDK apps: at synth, on the Terraform JSON that ships, and at plan time, on the saved plan. `buildApp` registers a policy pack for each stack; the environment setting `policyPack` selects it:",
    "",
    '- **Baseline** (`policyPack: "baseline"`, dev and staging): every rule, reported as warnings or infos.',
    '- **Production** (`policyPack: "production"`): the same rules, most of them errors. An error fails `npm run synth` (exit code 1) with a message naming the stack, the finding id, the Terraform address and the construct path (and the attributes set through an escape hatch), and the failing stack\'s `cdk.tf.json` is removed, so nothing that failed the gate is left to apply.',
    "",
    "**What is judged is what ships.** `npm run synth` synthesizes every stack, then reads each stack's written `cdktf.out/stacks/<stack>/cdk.tf.json`: overrides (`addOverride`, a stack-level override that adds or changes a resource) and escape hatches are in it, so `resource.addOverride(\"privileged\", true)` is caught like the typed property. The construct the JSON's `//` metadata names adds only what JSON cannot carry: L2 declarations (a port's kind, a one-shot service, a stateful volume) and suppressions. A resource no construct wrote is judged by its JSON alone.",
    "",
    "**At plan time**, `npm run policy -- <stack> <plan.json>` (the JSON of `terraform show -json <saved plan>`) runs the stack's pack on every resource instance the plan creates, updates, replaces or keeps, with every variable (`TF_VAR_*`) and `count` resolved: an image variable set to `:latest`, or a service a count turns on, is judged by what would be deployed (`docker_container.z3_zallet[0]`). A value known only after apply, or one Terraform marks sensitive, is judged as the expression the synthesized JSON has for it, so no secret value is read or printed; an attribute the configuration leaves to the provider is \"not set\", as at synth. A plan with a resource the stack's synthesized JSON does not have is refused (plan and synth of different commits). The plan workflow runs it before a plan can be applied.",
    "",
    'Findings have the id `<Pack>-<Rule>` (e.g. `Production-ContainerNotPrivileged`). Rules read the resources as Terraform sees them (`docker_container`, `docker_service`, `docker_config`, `docker_image`, `docker_volume`, variables), so values set through an escape hatch (`service.container.privileged = true`, `addOverride`, `service.swarmService.taskSpec.containerSpec.user = "0"`) are checked too; facts only an L2 knows (a port\'s kind, a one-shot service, a stateful volume) come from the `Service` and `Volume` constructs, or from labels on resources created without them (`policy.one-shot=true`, `policy.port-kind.<containerPort>=database`, `stateful=true`). A value that is only known at apply time and that a rule needs is a finding ("could not be checked"), never a pass. Rules about how a container runs (user, root filesystem, limits, health check, restart policy, logs) do not apply to a container that is created but never started (`start = false`: a `Service`\'s files loader, which exists only to receive uploaded files); the configuration rules (privileges, capabilities, namespaces, mounts, ports, environment, image) still do.',
    "",
    "## Containers and swarm services",
    "",
    "The `Container…` rules read one view over both resources that run a service's processes (`policy/workload.ts`): a `docker_container` (the containers target, and one-shot services on either target) and a `docker_service` (the swarm target). The view knows where each keeps a fact (`user` or `task_spec.container_spec.user`, `memory` or `task_spec.resources.limits.memory_bytes`, `ports` or `endpoint_spec.ports`, …) and findings name the attribute as `cdk.tf.json` spells it. Each rule states what it does with swarm services (the *Swarm services* column):",
    "",
    "- **checked**: the rule reads the `docker_service`.",
    "- **compliant by construction**: a `docker_service` cannot express the hazard (it has no `privileged`, PID or IPC mode), so every swarm service complies.",
    `- **gap, suppressed with reason**: a \`docker_service\` cannot express the control with provider 4.6 against Docker Engine 26.1 (API 1.45): no \`no-new-privileges\`, no pids limit, no CPU shares. Each swarm service is reported as a suppression (source \`${SWARM_GAP_SOURCE}\`) whose reason names the gap and what to set on the nodes instead, in the synth output and the policy report: never an error that would make production on swarm impossible, and never a silent pass.`,
    "",
    "Swarm can neither bind a published port to loopback nor take a seccomp or AppArmor profile, or a health check's `start_interval`: the `Service` publishes only ports declared `public` on swarm, tasks always run under the daemon's default profiles, and no rule requires `start_interval`.",
    "",
    "## Suppressions",
    "",
    "An exception is data on a construct, with a written reason of at least 10 characters (shorter reasons and unknown rule ids are refused when the suppression is added). It applies to that construct and everything below it, in every pack:",
    "",
    "```ts",
    'Suppressions.of(service).add({ id: "ContainerHealthCheckDefined", reason: "distroless image: no shell or probe binary" });',
    "```",
    "",
    "A `Service` that must start as root states a `rootReason`; that reason is recorded as a suppression of `ContainerRunsAsNonRoot`. Every suppression that silences a finding is counted in the synth output and listed, with its reason, in `cdktf.out/policy-report.md` and the stack's policy report (and by `npm run synth -- --verbose`).",
    "",
    "## Output",
    "",
    "`npm run synth` prints one line per stack (`policy <stack> (<Pack>): 0 errors, 19 warnings, 9 infos, 10 suppressed`) and a closing total (to stdout; to stderr with the failure when a pack reports an error, every error then printed in full). `npm run synth -- --verbose` prints the whole summary per stack: how many resources of each type were checked, e.g. `docker_service x3`, every error, warnings and infos per rule, and every suppression with its reason. Every run writes `cdktf.out/policy-report.md` (each stack's counts, its findings per rule with their Terraform addresses, every suppression with its construct and reason) and `cdktf.out/stacks/<stack>/policy-report.json` with the same counts (`checked`) and each finding and suppression (id, level, Terraform address, construct path, escape-hatch overrides, details, reason). `cdktf list`, `diff` and `deploy` run the app quietly (`--app`): they print its output only when synth fails. `npm run policy` prints the whole summary for a plan (`policy <stack> (<Pack>, plan): …`).",
    "",
    "## Limits",
    "",
    "- `ContainerPidsLimited` cannot be enforced: docker_container in kreuzwerker/docker 4.6 has no `pids_limit` (its source carries a TODO). The rule reports at info level in every pack and accepts the two partial substitutes the provider has (`nproc` ulimit, `cgroup_parent`); a swarm service has neither (a gap, suppressed with its reason).",
    "- Gap suppressions say what the resource cannot express; whether the nodes' daemons make up for it (`no-new-privileges` or `default-ulimits` in daemon.json) is host configuration, which synthesis cannot see.",
    "- A host path built from a variable (`${var.source_dir}/src`) is judged by its literal tail; one that ends in an expression is a finding.",
    "- Suppressions and L2 declarations live on constructs: a stack-level override can add a resource, which is judged by its JSON alone, but cannot suppress a finding.",
    "",
    "## Rules",
    "",
    ...table,
    "",
    ...rules.map(ruleSection),
  ].join("\n");
}
