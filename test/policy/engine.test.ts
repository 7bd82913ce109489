import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Construct, Fn, TerraformStack, TerraformVariable } from "../../lib/cdk";
import { Container, DockerProvider } from "../../lib/docker";
import { ConstructValidationError, ContainerImage, Network, Service } from "../../lib";
import {
  ALL_RULES,
  ContainerHealthCheckDefined,
  ContainerNoNewPrivileges,
  ContainerNotPrivileged,
  ContainerPidsLimited,
  ContainerRunsAsNonRoot,
  SWARM_GAPS,
  SWARM_GAP_SOURCE,
  PolicyRule,
  PolicyViolationError,
  Suppressions,
  applyPolicyPack,
  checkPolicies,
  formatPolicySummary,
  nonCompliant,
  policyPacksOf,
  serviceOf,
  synthesizeWithPolicy,
  workloadOf,
  writePolicyReports,
} from "../../policy";
import { rawContainer, subjectOf, rawSwarmService, runRule, scratch, swarmScratch } from "./helpers";

describe("packs", () => {
  test("report findings as <Pack>-<Rule> at the pack's level", () => {
    // GIVEN a privileged container in two stacks
    const base = scratch();
    rawContainer(base, { privileged: true });
    applyPolicyPack(base.stack, "baseline", [ContainerNotPrivileged]);
    const prod = scratch();
    rawContainer(prod, { privileged: true });
    applyPolicyPack(prod.stack, "production", [ContainerNotPrivileged]);

    // WHEN both are checked
    const [b] = checkPolicies([base.stack]);
    const [p] = checkPolicies([prod.stack]);

    // THEN the baseline warns and production errors, on the container's address and path
    expect(b.findings.map((f) => [f.id, f.level, f.address, f.path])).toEqual([
      ["Baseline-ContainerNotPrivileged", "warning", "docker_container.Raw", "policy-test/Raw"],
    ]);
    expect(p.findings.map((f) => [f.id, f.level, f.address, f.path])).toEqual([
      ["Production-ContainerNotPrivileged", "error", "docker_container.Raw", "policy-test/Raw"],
    ]);
    expect(b.findings[0].message).toMatch(
      /^Baseline-ContainerNotPrivileged at docker_container\.Raw \(policy-test\/Raw\): Containers do not run privileged \(swarm services cannot\)\. Found: privileged is true\. Fix: /,
    );
  });

  test("info-level rules report as info in production (ContainerPidsLimited cannot be enforced)", () => {
    const s = scratch();
    rawContainer(s, { ulimit: undefined });
    applyPolicyPack(s.stack, "production");
    const [report] = checkPolicies([s.stack]);
    expect(report.findings.map((f) => [f.id, f.level])).toEqual([["Production-ContainerPidsLimited", "info"]]);
    expect(report.summary).toMatchObject({ errors: 0, infos: 1 });
  });

  test("judge the JSON that ships: an addOverride on a compliant construct is caught, naming the address and the override", () => {
    const s = scratch();
    rawContainer(s).addOverride("privileged", true);
    applyPolicyPack(s.stack, "production");
    const [report] = checkPolicies([s.stack]);
    expect(report.findings.map((f) => [f.id, f.address, f.overrides, f.details])).toEqual([
      ["Production-ContainerNotPrivileged", "docker_container.Raw", ["privileged"], ["privileged is true"]],
    ]);
    expect(report.findings[0].message).toContain("Escape-hatch overrides on this resource: privileged.");
  });

  test("a resource added by a stack-level override, with no construct, is judged by its JSON", () => {
    const s = scratch();
    rawContainer(s);
    s.stack.addOverride("resource.docker_container.injected", { name: "injected", image: "example/app:1.0", privileged: true });
    applyPolicyPack(s.stack, "production", [ContainerNotPrivileged]);
    const [report] = checkPolicies([s.stack]);
    expect(report.findings.map((f) => [f.address, f.path])).toEqual([["docker_container.injected", "docker_container.injected"]]);
  });

  test("checking a stack twice reports it once", () => {
    const s = scratch();
    rawContainer(s, { privileged: true });
    const pack = applyPolicyPack(s.stack, "production");
    checkPolicies([s.stack]);
    checkPolicies([s.stack]);
    expect(pack.findings.filter((f) => f.rule === "ContainerNotPrivileged")).toHaveLength(1);
  });

  test("a rule that cannot decide reports a finding, never a pass", () => {
    const throwing: PolicyRule = {
      ...ContainerNotPrivileged,
      id: "ContainerNotPrivileged",
      check: () => {
        throw new Error("boom");
      },
    };
    const s = scratch();
    rawContainer(s);
    const { findings } = runRule(s.stack, throwing);
    expect(findings.map((f) => f.details[0])).toContain("could not be checked: boom");
  });

  test("an expression where a rule needs a value is reported as not checkable", () => {
    const s = scratch();
    const flag = new TerraformVariable(s.stack, "privileged_flag", { type: "bool" });
    rawContainer(s).privileged = Fn.tobool(flag.stringValue);
    const { findings } = runRule(s.stack, ContainerNotPrivileged);
    expect(findings.map((f) => f.details[0])).toEqual([
      "could not be checked: privileged is a Terraform expression, which cannot be checked at synth time",
    ]);
  });

  test("policyPacksOf finds the pack buildApp adds, selected by settings name", () => {
    const s = scratch();
    applyPolicyPack(s.stack, "baseline");
    expect(policyPacksOf(s.stack).map((p) => [p.name, p.label])).toEqual([["baseline", "Baseline"]]);
  });
});

/** Same shape as helpers.scratch(), inside a given stack of a real app (with the provider cdktf's validation wants). */
function scratchParts(stack: TerraformStack) {
  new DockerProvider(stack, "docker", {});
  return {
    image: new ContainerImage(stack, "Image", { reference: "example/app:1.0" }),
    network: new Network(stack, "Net", { name: "policy-net", internal: false }),
  };
}

describe("suppressions", () => {
  test("silence a finding and are reported with their reason and where they were declared", () => {
    const s = scratch();
    const c = rawContainer(s, { healthcheck: undefined });
    Suppressions.of(c).add({ id: "ContainerHealthCheckDefined", reason: "image has no probe binary at all" });
    const { findings, suppressed } = runRule(s.stack, ContainerHealthCheckDefined);
    expect(findings).toEqual([]);
    expect(suppressed.map((x) => [x.id, x.path, x.reason, x.declaredAt, x.source])).toEqual([
      [
        "Production-ContainerHealthCheckDefined",
        "policy-test/Raw",
        "image has no probe binary at all",
        "policy-test/Raw",
        "Suppressions.add",
      ],
    ]);
  });

  test("inherit down the construct tree", () => {
    const s = scratch();
    const group = new Construct(s.stack, "Group");
    new Container(group, "Inner", { name: "inner", image: s.image.imageId, privileged: true });
    Suppressions.of(group).add({ id: "ContainerNotPrivileged", reason: "lab-only group of hardware test rigs" });
    const { findings, suppressed } = runRule(s.stack, ContainerNotPrivileged);
    expect(findings).toEqual([]);
    expect(suppressed.map((x) => [x.path, x.declaredAt])).toEqual([["policy-test/Group/Inner", "policy-test/Group"]]);
  });

  test("apply to the suppressed rule only", () => {
    const s = scratch();
    const c = rawContainer(s, { privileged: true, healthcheck: undefined });
    Suppressions.of(c).add({ id: "ContainerHealthCheckDefined", reason: "image has no probe binary at all" });
    expect(runRule(s.stack, ContainerNotPrivileged).findings.map((f) => f.id)).toEqual(["Production-ContainerNotPrivileged"]);
  });

  test("fails when the reason is shorter than 10 characters", () => {
    const s = scratch();
    expect(() => Suppressions.of(rawContainer(s)).add({ id: "ContainerNotPrivileged", reason: " too short " })).toThrow(
      ConstructValidationError,
    );
    expect(() => Suppressions.of(rawContainer(s, {}, "Other")).add({ id: "ContainerNotPrivileged", reason: "" })).toThrow(
      /policy-test\/Other[\s\S]*suppressions\[0\]\.reason: got ""; allowed: a written reason of at least 10 characters/,
    );
  });

  test("fails for an unknown rule id (e.g. with the pack prefix)", () => {
    const s = scratch();
    expect(() => Suppressions.of(rawContainer(s)).add({ id: "Production-ContainerNotPrivileged", reason: "a reason long enough" })).toThrow(
      /suppressions\[0\]\.id: got "Production-ContainerNotPrivileged"/,
    );
  });

  test("a Service's rootReason is recorded as a suppression of ContainerRunsAsNonRoot", () => {
    const s = scratch();
    new Service(s.stack, "Db", {
      name: "db",
      image: s.image,
      rootReason: "the entrypoint chowns PGDATA, then drops to UID 70",
      networks: [{ network: s.network }],
    });
    const { findings, suppressed } = runRule(s.stack, ContainerRunsAsNonRoot);
    expect(findings).toEqual([]);
    expect(suppressed.map((x) => [x.path, x.reason, x.source, x.declaredAt])).toEqual([
      ["policy-test/Db/Resource", "the entrypoint chowns PGDATA, then drops to UID 70", "Service.rootReason", "policy-test/Db"],
    ]);
  });

  test("a non-root Service records no suppression, and a root user set through the escape hatch is caught", () => {
    const s = scratch();
    const svc = new Service(s.stack, "App", { name: "app", image: s.image, user: "1000:1000", networks: [{ network: s.network }] });
    svc.container.user = "0";
    const { findings, suppressed } = runRule(s.stack, ContainerRunsAsNonRoot);
    expect(suppressed).toEqual([]);
    expect(findings.map((f) => f.details[0])).toEqual(['user is "0" (root)']);
  });
});

describe("swarm services", () => {
  function swarmApp(extra: Partial<ConstructorParameters<typeof Service>[2]> = {}) {
    const s = swarmScratch();
    const svc = new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network }],
      resources: { memoryMiB: 256, cpus: 0.5 },
      healthCheck: { test: ["CMD", "true"], intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
      ...extra,
    });
    return { s, svc };
  }

  test("serviceOf finds the Service L2 of its docker_service, and the view reads it as a swarm service", () => {
    const { svc } = swarmApp();
    expect(serviceOf(svc.swarmService)).toBe(svc);
    const w = workloadOf(subjectOf(svc.swarmService));
    expect([w?.kind, w?.service, w?.user(), w?.memoryLimitBytes(), w?.cpuLimitCores(), w?.oneShot()]).toEqual([
      "swarm-service",
      svc,
      "1000:1000",
      256 * 1024 * 1024,
      0.5,
      false,
    ]);
  });

  test("a one-shot Service stays a container on the swarm target and is checked as one", () => {
    const s = swarmScratch();
    const job = new Service(s.stack, "Job", {
      name: "job",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network }],
      oneShot: true,
    });
    const w = workloadOf(subjectOf(job.resource));
    expect([w?.kind, w?.oneShot()]).toEqual(["container", true]);
  });

  test("a Service's rootReason is recorded as a suppression of ContainerRunsAsNonRoot on its swarm service", () => {
    const s = swarmScratch();
    new Service(s.stack, "Db", {
      name: "db",
      image: s.image,
      rootReason: "the entrypoint chowns PGDATA, then drops to UID 70",
      networks: [{ network: s.network }],
    });
    const { findings, suppressed } = runRule(s.stack, ContainerRunsAsNonRoot);
    expect(findings).toEqual([]);
    expect(suppressed.map((x) => [x.path, x.details[0], x.reason, x.source, x.declaredAt])).toEqual([
      [
        "policy-test/Db/Resource",
        "task_spec.container_spec.user is not set (the image's user applies, which cannot be verified at synth time)",
        "the entrypoint chowns PGDATA, then drops to UID 70",
        "Service.rootReason",
        "policy-test/Db",
      ],
    ]);
  });

  test("a root user set through the swarm escape hatch is caught", () => {
    const { s, svc } = swarmApp();
    svc.swarmService.taskSpec.containerSpec.user = "0";
    const { findings, suppressed } = runRule(s.stack, ContainerRunsAsNonRoot);
    expect(suppressed).toEqual([]);
    expect(findings.map((f) => [f.path, f.details[0]])).toEqual([
      ["policy-test/App/Resource", 'task_spec.container_spec.user is "0" (root)'],
    ]);
  });

  test("the Production pack passes a default Service on swarm: no error, no warning, the three gaps listed as suppressions with their reasons", () => {
    const { s } = swarmApp();
    applyPolicyPack(s.stack, "production");
    const [report] = checkPolicies([s.stack]);
    expect(report.findings).toEqual([]);
    expect(report.suppressed.map((x) => [x.rule, x.path, x.source, x.reason])).toEqual([
      ["ContainerNoNewPrivileges", "policy-test/App/Resource", SWARM_GAP_SOURCE, SWARM_GAPS.noNewPrivileges.reason],
      ["ContainerCpuPrioritySet", "policy-test/App/Resource", SWARM_GAP_SOURCE, SWARM_GAPS.cpuShares.reason],
      ["ContainerPidsLimited", "policy-test/App/Resource", SWARM_GAP_SOURCE, SWARM_GAPS.pidsLimit.reason],
    ]);
    expect(report.checked).toMatchObject({ docker_service: 1 });
    const text = formatPolicySummary([report]);
    expect(text).toContain("policy policy-test (Production): 0 errors, 0 warnings, 0 infos, 3 suppressed");
    expect(text).toContain("checked     docker_image x1, docker_service x1\n");
    expect(text).toContain(
      `suppressed  Production-ContainerNoNewPrivileges policy-test/App/Resource (swarm gap at policy-test/App/Resource): ${SWARM_GAPS.noNewPrivileges.reason}`,
    );
  });

  test("every gap names what swarm cannot express", () => {
    expect(SWARM_GAPS.noNewPrivileges.reason).toMatch(/no-new-privileges.*provider 4\.6.*API 1\.45/);
    expect(SWARM_GAPS.pidsLimit.reason).toMatch(/pids limit.*provider 4\.6/);
    expect(SWARM_GAPS.cpuShares.reason).toMatch(/no CPU shares/);
    for (const rule of ALL_RULES.filter((r) => r.swarm.coverage === "gap")) {
      expect([rule.id, Object.values(SWARM_GAPS).map((g) => g.reason)]).toEqual([rule.id, expect.arrayContaining([rule.swarm.text])]);
      expect([rule.id, rule.impliedSuppressionDoc]).toEqual([rule.id, expect.stringContaining("suppression")]);
    }
  });

  test("a suppression declared on the construct takes precedence over the gap, with its own reason", () => {
    const { s, svc } = swarmApp();
    Suppressions.of(svc).add({
      id: "ContainerNoNewPrivileges",
      reason: "every node sets no-new-privileges in daemon.json (hosts runbook)",
    });
    const { suppressed } = runRule(s.stack, ContainerNoNewPrivileges);
    expect(suppressed.map((x) => [x.source, x.declaredAt, x.reason])).toEqual([
      ["Suppressions.add", "policy-test/App", "every node sets no-new-privileges in daemon.json (hosts runbook)"],
    ]);
  });

  test("a gap is suppressed only for the gap: a container on the swarm target without the control is still a finding", () => {
    const s = swarmScratch();
    rawContainer(s, { ulimit: undefined });
    rawSwarmService(s);
    const { findings, suppressed } = runRule(s.stack, ContainerPidsLimited);
    expect(findings.map((f) => [f.path, f.level])).toEqual([["policy-test/Raw", "info"]]);
    expect(suppressed.map((x) => x.path)).toEqual(["policy-test/RawService"]);
  });

  test("an expression a rule needs on a swarm service is reported as not checkable, and not suppressed as a gap", () => {
    const s = swarmScratch();
    const svc = rawSwarmService(s);
    svc.taskSpec.containerSpec.readOnly = Fn.tobool(new TerraformVariable(s.stack, "ro", { type: "bool" }).stringValue);
    const { findings } = runRule(
      s.stack,
      ALL_RULES.find((r) => r.id === "ContainerReadOnlyRootFilesystem")!,
    );
    expect(findings.map((f) => f.details[0])).toEqual([
      "could not be checked: task_spec.container_spec.read_only is a Terraform expression, which cannot be checked at synth time",
    ]);
  });
});

describe("reports and output", () => {
  function failing() {
    const s = scratch();
    rawContainer(s, { privileged: true, ulimit: undefined });
    const c = rawContainer(s, { healthcheck: undefined }, "Quiet");
    Suppressions.of(c).add({ id: "ContainerHealthCheckDefined", reason: "image has no probe binary at all" });
    applyPolicyPack(s.stack, "production");
    return s;
  }

  test("count findings per level and list suppressions", () => {
    const [report] = checkPolicies([failing().stack]);
    expect(report.stack).toBe("policy-test");
    expect(report.pack).toBe("Production");
    expect(report.summary).toEqual({ errors: 1, warnings: 0, infos: 1, suppressed: 1 });
  });

  test("count what was checked, per Terraform resource type", () => {
    const [report] = checkPolicies([failing().stack]);
    // Two containers and the image; the network is not something any rule looks at.
    expect(report.checked).toEqual({ docker_container: 2, docker_image: 1 });
    expect(formatPolicySummary([report])).toContain("  checked     docker_container x2, docker_image x1\n");
  });

  test("the summary names each error and every suppression with its reason", () => {
    const text = formatPolicySummary(checkPolicies([failing().stack]));
    expect(text).toContain("policy policy-test (Production): 1 error, 0 warnings, 1 info, 1 suppressed");
    expect(text).toContain("error       Production-ContainerNotPrivileged docker_container.Raw (policy-test/Raw): privileged is true");
    expect(text).toContain("infos       Production-ContainerPidsLimited x1");
    expect(text).toContain(
      "suppressed  Production-ContainerHealthCheckDefined policy-test/Quiet (Suppressions.add at policy-test/Quiet): image has no probe binary at all",
    );
  });

  test("PolicyViolationError names the stack, the construct path and the rule", () => {
    const error = new PolicyViolationError(checkPolicies([failing().stack]));
    expect(error.message).toMatch(
      /^policy check failed: 1 error in policy-test\n {2}stack policy-test \(Production pack\):\n {4}- Production-ContainerNotPrivileged at docker_container\.Raw \(policy-test\/Raw\): privileged is true/,
    );
  });

  test("reports are written as JSON next to each stack's cdk.tf.json", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-report-"));
    const [file] = writePolicyReports(out, checkPolicies([failing().stack]));
    expect(file).toBe(path.join(out, "stacks", "policy-test", "policy-report.json"));
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(json.summary).toEqual({ errors: 1, warnings: 0, infos: 1, suppressed: 1 });
    expect(json.findings[0]).toEqual({
      id: "Production-ContainerNotPrivileged",
      rule: "ContainerNotPrivileged",
      level: "error",
      stack: "policy-test",
      path: "policy-test/Raw",
      address: "docker_container.Raw",
      details: ["privileged is true"],
    });
    expect(json.suppressed[0]).toMatchObject({
      id: "Production-ContainerHealthCheckDefined",
      reason: "image has no probe binary at all",
      declaredAt: "policy-test/Quiet",
    });
  });

  test("synthesizeWithPolicy refuses to synthesize a stack with errors", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-synth-"));
    const app = new App({ outdir: out });
    const stack = new TerraformStack(app, "bad");
    rawContainer({ stack, ...scratchParts(stack) }, { privileged: true });
    applyPolicyPack(stack, "production");
    let printed = "";
    expect(() => synthesizeWithPolicy(app, [stack], (t) => (printed += t))).toThrow(PolicyViolationError);
    expect(printed).toContain("policy bad (Production): 1 error");
    expect(fs.existsSync(path.join(out, "stacks", "bad", "cdk.tf.json"))).toBe(false);
  });

  test("synthesizeWithPolicy synthesizes a clean stack and writes its report", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "policy-synth-"));
    const app = new App({ outdir: out });
    const stack = new TerraformStack(app, "good");
    rawContainer({ stack, ...scratchParts(stack) });
    applyPolicyPack(stack, "production");
    let printed = "";
    synthesizeWithPolicy(app, [stack], (t) => (printed += t));
    expect(fs.existsSync(path.join(out, "stacks", "good", "cdk.tf.json"))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, "stacks", "good", "policy-report.json"), "utf8")).summary.errors).toBe(0);
    expect(printed).toContain(
      `policy good (Production): 0 errors, 0 warnings, 0 infos, 0 suppressed -> ${path.join(out, "stacks", "good", "policy-report.json")}`,
    );
  });

  test("nonCompliant carries every finding", () => {
    expect(nonCompliant("a", "b")).toEqual({ compliance: "non-compliant", findings: ["a", "b"] });
  });
});
