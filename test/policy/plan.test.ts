import * as fs from "fs";
import { App, TerraformStack } from "../../lib/cdk";
import { Secret } from "../../lib";
import {
  PlanJson,
  PlanMismatchError,
  TerraformJson,
  applyPolicyPack,
  evaluateStack,
  formatPolicySummary,
  isExpression,
  subjectsOfPlan,
  synthesizedFile,
} from "../../policy";
import { rawContainer, scratch } from "./helpers";

type Body = Record<string, unknown>;
const META = new Set(["//", "count", "for_each", "depends_on", "lifecycle", "provider"]);

/** Synthesizes a scratch stack and returns its JSON. */
function synthesized(stack: TerraformStack): TerraformJson {
  App.of(stack).synth();
  return JSON.parse(fs.readFileSync(synthesizedFile(stack), "utf8")) as TerraformJson;
}

/**
 * A plan as `terraform show -json` writes it for a stack's JSON: every resource created, with its
 * literal values planned and its expressions unknown until apply; `edit` changes an instance.
 */
function planOf(config: TerraformJson, edit: (address: string, rc: { address: string; change: Body }) => void = () => undefined): PlanJson {
  const resource_changes = Object.entries(config.resource ?? {}).flatMap(([type, resources]) =>
    Object.entries(resources).map(([name, body]) => {
      const after: Body = {};
      const after_unknown: Body = {};
      for (const [k, v] of Object.entries(body)) {
        if (META.has(k)) continue;
        if (isExpression(v) || (typeof v === "object" && JSON.stringify(v).includes("${"))) after_unknown[k] = true;
        else after[k] = v;
      }
      const rc = {
        address: `${type}.${name}`,
        mode: "managed" as const,
        type,
        name,
        change: { actions: ["create"], after, after_unknown, after_sensitive: {} } as Body,
      };
      edit(`${type}.${name}`, rc);
      return rc;
    }),
  );
  return {
    format_version: "1.2",
    resource_changes,
    configuration: { root_module: { variables: config.variable ?? {} } },
  } as unknown as PlanJson;
}

function check(stack: TerraformStack, plan: PlanJson, config: TerraformJson) {
  const [report] = evaluateStack(stack, subjectsOfPlan(stack.node.id, plan, config, stack));
  return report;
}

describe("the packs on a saved plan", () => {
  test("a plan of a compliant stack passes, and the instances it checks are counted", () => {
    const s = scratch();
    rawContainer(s);
    applyPolicyPack(s.stack, "production");
    const config = synthesized(s.stack);
    const report = check(s.stack, planOf(config), config);
    expect(report.findings.filter((f) => f.level === "error")).toEqual([]);
    expect(report.checked).toMatchObject({ docker_container: 1, docker_image: 1 });
  });

  test("an image name set to :latest at plan time (TF_VAR_*) is refused at the docker_image's address", () => {
    const s = scratch();
    rawContainer(s);
    applyPolicyPack(s.stack, "production");
    const config = synthesized(s.stack);
    const image = Object.keys(config.resource?.docker_image ?? {})[0];
    const plan = planOf(config, (address, rc) => {
      if (address === `docker_image.${image}`) (rc.change.after as Body).name = "example/app:latest";
    });
    expect(check(s.stack, plan, config).findings.map((f) => [f.id, f.address, f.details[0]])).toEqual([
      ["Production-ImageReferencePinned", `docker_image.${image}`, '"example/app:latest" is not pinned'],
    ]);
  });

  test("a counted instance is judged under its instance address, with its planned values", () => {
    const s = scratch();
    rawContainer(s);
    applyPolicyPack(s.stack, "production");
    const config = synthesized(s.stack);
    const plan = planOf(config, (address, rc) => {
      if (address !== "docker_container.Raw") return;
      rc.address = "docker_container.Raw[0]";
      (rc.change.after as Body).privileged = true;
    });
    const report = check(s.stack, plan, config);
    expect(report.findings.map((f) => [f.id, f.address, f.path])).toEqual([
      ["Production-ContainerNotPrivileged", "docker_container.Raw[0]", "policy-test/Raw"],
    ]);
  });

  test("a sensitive planned value is judged by its expression and never printed", () => {
    const s = scratch();
    const pw = new Secret(s.stack, "DbPassword", { variableName: "db_password", description: "database password" });
    rawContainer(s, { env: [`POSTGRES_PASSWORD=${pw.value}`] });
    applyPolicyPack(s.stack, "production");
    const config = synthesized(s.stack);
    const plan = planOf(config, (address, rc) => {
      if (address !== "docker_container.Raw") return;
      (rc.change.after as Body).env = ["POSTGRES_PASSWORD=hunter2-but-longer"];
      delete (rc.change.after_unknown as Body).env;
      (rc.change.after_sensitive as Body).env = true;
    });
    const report = check(s.stack, plan, config);
    expect(report.findings.map((f) => [f.rule, f.address, f.details[0]])).toEqual([
      ["ContainerEnvironmentReadsNoSecretVariable", "docker_container.Raw", "env POSTGRES_PASSWORD reads var.db_password (sensitive)"],
    ]);
    expect(JSON.stringify(report) + formatPolicySummary([report])).not.toContain("hunter2");
  });

  test("an attribute the configuration leaves to the provider (unknown until apply) is not set, as at synth", () => {
    const s = scratch();
    rawContainer(s);
    applyPolicyPack(s.stack, "production");
    const config = synthesized(s.stack);
    const plan = planOf(config, (address, rc) => {
      if (address === "docker_container.Raw") (rc.change.after_unknown as Body).ipc_mode = true;
    });
    expect(check(s.stack, plan, config).findings.filter((f) => f.level === "error")).toEqual([]);
  });

  test("instances the plan only deletes are not judged", () => {
    const s = scratch();
    rawContainer(s, { privileged: true });
    applyPolicyPack(s.stack, "baseline");
    const config = synthesized(s.stack);
    const plan = planOf(config, (address, rc) => {
      if (address === "docker_container.Raw") rc.change = { actions: ["delete"], after: null };
    });
    expect(check(s.stack, plan, config).findings.filter((f) => f.rule === "ContainerNotPrivileged")).toEqual([]);
  });

  test("a plan with a resource the synthesized stack does not have is refused as a mismatch", () => {
    const s = scratch();
    rawContainer(s);
    applyPolicyPack(s.stack, "production");
    const config = synthesized(s.stack);
    const plan = planOf(config);
    (plan.resource_changes as unknown as Body[]).push({
      address: "docker_container.other",
      mode: "managed",
      type: "docker_container",
      name: "other",
      change: { actions: ["create"], after: {} },
    });
    expect(() => subjectsOfPlan("policy-test", plan, config, s.stack)).toThrow(PlanMismatchError);
    expect(() => subjectsOfPlan("policy-test", plan, config, s.stack)).toThrow(/docker_container\.other is not in it/);
  });
});
