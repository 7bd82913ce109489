import { TerraformStack, Testing } from "../../lib/cdk";
import { SwarmService } from "../../lib/docker";
import { SYSTEMS, buildApp } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { ENVIRONMENT_NAMES } from "../../config/common";
import * as fs from "fs";
import {
  ALL_RULES,
  PolicyReport,
  ProductionChecks,
  SWARM_GAP_SOURCE,
  Suppressions,
  TerraformJson,
  checkPolicies,
  evaluateStack,
  policyPacksOf,
  subjectsOfConfig,
  synthesizedFile,
} from "../../policy";

const app = Testing.app();
const stacks = buildApp(app, ENVIRONMENTS);
const reports = checkPolicies(stacks);
const reportOf = (stack: string): PolicyReport => {
  const r = reports.find((x) => x.stack === stack);
  if (!r) throw new Error(`no policy report for ${stack}; have ${reports.map((x) => x.stack).join(", ")}`);
  return r;
};

describe("shipped stacks", () => {
  test("every stack of every system and environment gets exactly one pack, the one its settings select", () => {
    expect(stacks).toHaveLength(ENVIRONMENT_NAMES.length * SYSTEMS.length);
    for (const stack of stacks) {
      expect([stack.node.id, policyPacksOf(stack).map((p) => p.name)]).toEqual([stack.node.id, [stack.settings.policyPack]]);
    }
  });

  test("production stacks use the Production pack; dev and staging the Baseline pack", () => {
    for (const stack of stacks) {
      expect([stack.node.id, reportOf(stack.node.id).pack]).toEqual([
        stack.node.id,
        stack.settings.name === "production" ? "Production" : "Baseline",
      ]);
    }
  });

  test.each(stacks.filter((s) => s.settings.policyPack === "production").map((s) => [s.node.id]))(
    "%s synthesizes with zero policy errors",
    (id) => {
      const r = reportOf(id);
      expect(r.findings.filter((f) => f.level === "error").map((f) => `${f.id} ${f.path}: ${f.details.join("; ")}`)).toEqual([]);
    },
  );

  test("no shipped stack has a policy error", () => {
    expect(reports.flatMap((r) => r.findings.filter((f) => f.level === "error").map((f) => `${f.id} ${f.path}`))).toEqual([]);
  });

  test("production stacks have no warnings either: every exception is a suppression with a reason", () => {
    for (const r of reports.filter((x) => x.pack === "Production")) {
      expect([r.stack, r.findings.filter((f) => f.level === "warning").map((f) => f.id)]).toEqual([r.stack, []]);
    }
  });

  test("every suppression that silences a finding in a shipped stack has a written reason", () => {
    const suppressed = reports.flatMap((r) => r.suppressed);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const x of suppressed) expect([x.id, x.path, x.reason.trim().length >= 10]).toEqual([x.id, x.path, true]);
  });

  test("every suppression declared in the shipped stacks names a known rule and has a reason", () => {
    const ids = new Set(ALL_RULES.map((r) => r.id));
    const declared = app.node.findAll().flatMap((n) => Suppressions.of(n).all.map((s) => ({ at: n.node.path, ...s })));
    for (const s of declared) expect([s.at, ids.has(s.id), s.reason.length >= 10]).toEqual([s.at, true, true]);
  });

  test("the production Z3 exceptions are exactly the visible ones", () => {
    expect(
      reportOf("zcash-production")
        .suppressed.map((x) => `${x.rule} ${x.path} (${x.source})`)
        .sort(),
    ).toEqual(
      [
        // Optional registry credentials: empty by default (no login), supplied with TF_VAR_* when used.
        "VariableSecretSensitive zcash-production/registry_username (Suppressions.add)",
        "VariableSecretSensitive zcash-production/registry_password (Suppressions.add)",
        "ContainerRunsAsNonRoot zcash-production/Z3/Zebra/Resource (Service.rootReason)",
        "ContainerRunsAsNonRoot zcash-production/Z3/CookiePermissions/Resource (Service.rootReason)",
        "ContainerRunsAsNonRoot zcash-production/Z3/Zaino/Resource (Service.rootReason)",
        "ContainerHealthCheckDefined zcash-production/Z3/Zallet/Resource (Suppressions.add)",
        // The backup runner reads every backed-up volume whatever its owner: root with CAP_DAC_OVERRIDE only.
        "ContainerRunsAsNonRoot zcash-production/Backup/Runner/Resource (Service.rootReason)",
      ].sort(),
    );
  });

  test("every stack's backup runner: root only by its written reason; its one added capability passes; production: no warning", () => {
    expect(reports).toHaveLength(stacks.length);
    for (const r of reports) {
      const runner = `${r.stack}/Backup/Runner/Resource`;
      const optional =
        r.pack === "Production"
          ? []
          : ["Password", "SshKey"].map(
              (id) =>
                `VariableSecretSensitive ${r.stack}/Backup/${id}/Variable (Suppressions.add): the empty default means no backups in this environment (the runner is not deployed); a set backup_repository requires both credentials (validation), supplied with TF_VAR_*`,
            );
      expect([
        r.stack,
        r.suppressed
          .filter((x) => x.path.startsWith(`${r.stack}/Backup/`))
          .map((x) => `${x.rule} ${x.path} (${x.source}): ${x.reason}`)
          .sort(),
      ]).toEqual([
        r.stack,
        [
          ...optional,
          `ContainerRunsAsNonRoot ${runner} (Service.rootReason): reads every backed-up volume whatever its owner and modes (CAP_DAC_OVERRIDE only, never DAC_READ_SEARCH; every mount read-only)`,
        ].sort(),
      ]);
      const findings = r.findings.filter((f) => f.path.startsWith(`${r.stack}/Backup/`));
      const rulesOf = (level: string) => findings.filter((f) => f.level === level).map((f) => f.id.replace(/^[A-Za-z]+-/, ""));
      // CAP_DAC_OVERRIDE is on the allowed list (DAC_READ_SEARCH is not); read-only root, no-new-privileges, health check: all set.
      for (const rule of [
        "ContainerCapabilitiesDropped",
        "ContainerRunsAsNonRoot",
        "ContainerReadOnlyRootFilesystem",
        "ContainerNoNewPrivileges",
        "ContainerHealthCheckDefined",
      ])
        expect([r.stack, rule, findings.some((f) => f.id.endsWith(`-${rule}`))]).toEqual([r.stack, rule, false]);
      expect([r.stack, rulesOf("error")]).toEqual([r.stack, []]);
      // Production settings give the runner limits; dev and staging (no limits required) warn as for every other container there.
      if (r.pack === "Production") expect([r.stack, rulesOf("warning")]).toEqual([r.stack, []]);
      else expect([r.stack, rulesOf("warning").filter((id) => !/^Container(Memory|Cpu)/.test(id))]).toEqual([r.stack, []]);
    }
  });

  /*
   * Known gap: the optional backup credentials (default "", no backups) of dev and staging raise
   * Baseline-VariableSecretSensitive warnings, where the optional registry credentials carry a
   * suppression with a written reason (stacks/system-stack.ts). When the backup ones do too, this
   * test fails: turn `test.failing` into `test`.
   */
  test("the optional backup credentials of dev and staging are suppressed with a written reason, like the registry credentials", () => {
    for (const r of reports.filter((x) => x.pack !== "Production")) {
      expect([r.stack, r.findings.filter((f) => f.id.endsWith("-VariableSecretSensitive")).map((f) => f.path)]).toEqual([r.stack, []]);
      expect([r.stack, r.suppressed.filter((x) => x.rule === "VariableSecretSensitive" && x.path.includes("/Backup/")).length]).toEqual([
        r.stack,
        2,
      ]);
    }
  });
});

const swarmServicesOf = (stack: TerraformStack) => stack.node.findAll().filter((n): n is SwarmService => n instanceof SwarmService);

describe("shipped stacks on the swarm target", () => {
  /** Every shipped stack that renders swarm services (today the staging stacks of jessy and zfs-sync). */
  const SWARM_STACKS = stacks.filter((s) => swarmServicesOf(s).length > 0).map((s) => s.node.id);
  const gapRules = ALL_RULES.filter((r) => r.swarm.coverage === "gap");
  const stackNamed = (id: string) => {
    const stack = stacks.find((s) => s.node.id === id);
    if (!stack) throw new Error(`no stack ${id}`);
    return stack;
  };

  test("jessy-staging and zfs-sync-staging render swarm services", () => {
    expect(SWARM_STACKS).toEqual(expect.arrayContaining(["jessy-staging", "zfs-sync-staging"]));
  });

  test.each(SWARM_STACKS)("%s: every swarm service is checked (the report counts them)", (id) => {
    const services = swarmServicesOf(stackNamed(id));
    expect(services.length).toBeGreaterThan(0);
    expect(reportOf(id).checked.docker_service).toBe(services.length);
  });

  test.each(SWARM_STACKS)(
    "%s: each swarm service carries exactly the documented gaps, as suppressions with their reasons, and no finding",
    (id) => {
      const r = reportOf(id);
      for (const svc of swarmServicesOf(stackNamed(id))) {
        const path = svc.node.path;
        const gaps = r.suppressed.filter((x) => x.path === path && x.source === SWARM_GAP_SOURCE);
        expect([path, gaps.map((x) => [x.rule, x.reason])]).toEqual([path, gapRules.map((g) => [g.id, g.swarm.text])]);
        expect([path, r.findings.filter((f) => f.path === path).map((f) => f.id)]).toEqual([path, []]);
      }
    },
  );

  test("facts only the Service L2 knows work for its swarm service: the postgres rootReason is recorded on the docker_service", () => {
    const stack = stackNamed("zfs-sync-staging");
    const kindOf = (path: string) => (swarmServicesOf(stack).some((svc) => svc.node.path === path) ? "docker_service" : "docker_container");
    expect(
      reportOf("zfs-sync-staging")
        .suppressed.filter((x) => x.source === "Service.rootReason")
        .map((x) => `${x.rule} ${x.path} ${kindOf(x.path)}`),
    ).toEqual([
      // The backup runner stays a container on the swarm target (hostLocal).
      "ContainerRunsAsNonRoot zfs-sync-staging/Backup/Runner/Resource docker_container",
      "ContainerRunsAsNonRoot zfs-sync-staging/ZfsSync/Postgres/Resource docker_service",
    ]);
  });

  test.each(SWARM_STACKS)(
    "%s under the Production pack: no error on any swarm service (the gaps do not block production on swarm)",
    (id) => {
      const stack = stackNamed(id);
      const pack = new ProductionChecks();
      evaluateStack(stack, subjectsOfConfig(JSON.parse(fs.readFileSync(synthesizedFile(stack), "utf8")) as TerraformJson, stack), [pack]);
      const services = new Set(swarmServicesOf(stack).map((svc) => svc.node.path));
      expect(pack.findings.filter((f) => services.has(f.path)).map((f) => `${f.id} ${f.path}: ${f.details.join("; ")}`)).toEqual([]);
      expect(pack.suppressed.filter((x) => services.has(x.path) && x.source === SWARM_GAP_SOURCE)).toHaveLength(
        services.size * gapRules.length,
      );
    },
  );
});
