/**
 * Z3's Prometheus configuration and alerting rules, as deployed, checked by promtool (Debian's
 * `promtool` package, built from the same source as its `prometheus`).
 */
import { ENVIRONMENTS } from "../../config/environments";
import { alertTimingOf } from "../../config/z3/schema";
import { supportWindow, ZEBRA_RELEASES } from "../../config/z3/zebra-releases";
import { healthAlertsYaml, ScrapeTarget } from "../../stacks/z3/config-files";
import { renderTemplates } from "../real-readers";
import {
  CHECKED_SERVICES,
  deployedIn,
  DeployedFile,
  DeployedService,
  expectAccepted,
  expectRejected,
  flagValue,
  renderedFiles,
  runProgram,
  withChange,
} from "./programs";

const deployments = [...deployedIn(CHECKED_SERVICES.prometheus.system, CHECKED_SERVICES.prometheus.id)];
const deployed = deployments.flatMap(([env, s]) => (s ? [[env, s] as [string, DeployedService]] : []));
const notDeployed = deployments.filter(([, s]) => !s).map(([env]) => env);

/** The files `promtool check config` reports checking (the configuration and each rule file it loads). */
const checkedFiles = (output: string) => [...output.matchAll(/^Checking (\S+)/gm)].map((m) => m[1]);

test(`Prometheus is deployed in ${deployed.map(([env]) => env).join(", ")}; not in ${notDeployed.join(", ") || "(every environment has it)"}`, () => {
  expect(deployed.length).toBeGreaterThan(0);
});

describe.each(deployed)("%s", (_env, service) => {
  const files = renderedFiles(service);
  const config = flagValue(service.command, "--config.file");
  const ruleFiles = files.filter((f) => f.path !== config).map((f) => f.path);

  test(`promtool check config accepts ${config} and loads every deployed rule file`, () => {
    const r = runProgram(["promtool", "check", "config", config], { service, files });
    expectAccepted(r);
    const checked = checkedFiles(r.output);
    const missed = ruleFiles.filter((f) => !checked.includes(f));
    if (missed.length > 0)
      throw new Error(`promtool check config did not load ${missed.join(", ")} (rule_files does not match them):\n${r.output}`);
  });

  test.each(ruleFiles)("promtool check rules accepts %s", (path) => {
    expectAccepted(runProgram(["promtool", "check", "rules", path], { service, files }));
  });
});

describe("promtool rejects broken copies of the deployed files", () => {
  const [, service] = deployed[0];
  const files = renderedFiles(service);
  const config = flagValue(service.command, "--config.file");
  const rules = files.find((f) => f.path !== config)!.path;
  const brokenRule = withChange(files, rules, (s) => s.replace(/expr: up\{job="zebra"\} == 0/, 'expr: up{job="zebra" == 0'));

  test("check config: an invalid duration", () => {
    const broken = withChange(files, config, (s) => s.replace(/scrape_interval: \d+s/, "scrape_interval: 15 seconds"));
    expectRejected(
      runProgram(["promtool", "check", "config", config], { service, files: broken }),
      /unknown unit " seconds" in duration "15 seconds"/,
    );
  });
  test("check config: a rule file it loads does not parse", () => {
    expectRejected(runProgram(["promtool", "check", "config", config], { service, files: brokenRule }), /parse error/);
  });
  test("check rules: an expression that does not parse", () => {
    expectRejected(runProgram(["promtool", "check", "rules", rules], { service, files: brokenRule }), /parse error/);
  });
});

/**
 * `promtool test rules`: the alerting rules fire on synthetic series as intended. The test file is JSON
 * (valid YAML), laid out in the service's view next to the rule files it names.
 */
describe("promtool test rules: the health rules fire when they should, and only then", () => {
  const [, staging] = deployed.find(([env]) => env === "staging")!;
  const files = renderedFiles(staging);
  const HEALTH = "/etc/prometheus/rules/health_alerts.yml";
  const TESTS = "/etc/prometheus/tests/health_test.yml";
  const timing = alertTimingOf(ENVIRONMENTS.staging.z3.alerting);
  const step = timing.evaluationIntervalSeconds;
  const s = (seconds: number) => `${seconds}s`;
  const testFile = (tests: object[]): DeployedFile => ({
    path: TESTS,
    content: JSON.stringify({ rule_files: [HEALTH], evaluation_interval: s(step), tests }, null, 2),
    mode: 0o444,
    uid: 0,
    gid: 0,
  });
  // promtool keeps its test TSDB under /tmp: a tmpfs there, which the check adds (Prometheus itself writes only its volume).
  const tester: DeployedService = { ...staging, tmpfs: { ...staging.tmpfs, "/tmp": "rw,nosuid,nodev,size=64m" } };
  const promtoolTest = (withFiles: DeployedFile[]) =>
    runProgram(["promtool", "test", "rules", TESTS], { service: tester, files: withFiles });

  test(`ServiceDown (as deployed in staging): fires for grafana ${timing.serviceDownForSeconds} s after its first failed scrape, not before, and for no job that is up`, () => {
    const downAt = 2 * step;
    const firesAt = downAt + timing.serviceDownForSeconds;
    const samples = Math.ceil(firesAt / step) + 3;
    const grafana = { job: "grafana", instance: "grafana:3000" };
    const tests = [
      {
        interval: s(step),
        input_series: [
          { series: 'up{job="grafana",instance="grafana:3000"}', values: `1 1 0x${samples}` },
          { series: 'up{job="zebra",instance="zebra:9999"}', values: `1x${samples + 2}` },
        ],
        alert_rule_test: [
          { eval_time: s(firesAt - step), alertname: "ServiceDown", exp_alerts: [] },
          {
            eval_time: s(firesAt),
            alertname: "ServiceDown",
            exp_alerts: [
              {
                exp_labels: { ...grafana, severity: "critical" },
                exp_annotations: {
                  summary: "grafana is down",
                  description: `Prometheus has not reached grafana (http://grafana:3000/metrics) for ${timing.serviceDownForSeconds}s: the container is stopped, unhealthy or unreachable.`,
                },
              },
            ],
          },
        ],
      },
    ];
    const r = promtoolTest([...files, testFile(tests)]);
    expectAccepted(r);
    expect(r.output).toMatch(/SUCCESS/);
  });

  test("a deliberately wrong expectation fails (the test above can fail)", () => {
    const tests = [
      {
        interval: s(step),
        input_series: [{ series: 'up{job="grafana",instance="grafana:3000"}', values: "1x10" }],
        alert_rule_test: [
          {
            eval_time: s(5 * step),
            alertname: "ServiceDown",
            exp_alerts: [{ exp_labels: { job: "grafana", instance: "grafana:3000", severity: "critical" } }],
          },
        ],
      },
    ];
    expectRejected(
      promtoolTest([...files, testFile(tests)]),
      new RegExp(`FAILED:\\s+alertname: ServiceDown, time: ${s(5 * step)},\\s+exp:\\[[^\\]]*job="grafana"[^\\]]*\\],\\s+got:\\[\\]`),
    );
  });

  describe("with a backup runner among the scrape targets (job backup)", () => {
    const targets: ScrapeTarget[] = [
      { job: "zebra", address: "zebra:9999", path: "/metrics" },
      { job: "backup", address: "backup:9102", path: "/metrics.txt" },
    ];
    // A two-minute threshold, so that the synthetic series stay short.
    const rules = renderTemplates({
      rules: healthAlertsYaml(targets, { serviceDownForSeconds: timing.serviceDownForSeconds, backupMaxAgeMinutes: 2 }).template,
    }).rules;
    const withBackupRules = withChange(files, HEALTH, () => rules);
    const runner = (volume: string) => `{job="backup",instance="backup:9102",volume="${volume}"}`;
    const labels = (volume: string, severity: string) => ({ job: "backup", instance: "backup:9102", volume, severity });

    test("promtool check rules accepts the rules with the backup group", () => {
      expectAccepted(runProgram(["promtool", "check", "rules", HEALTH], { service: staging, files: withBackupRules }));
      expect(rules).toMatch(/- name: backups/);
    });

    test("BackupFailed: not while the first run is under way, at once when an attempt after a good snapshot fails", () => {
      const tests = [
        {
          interval: "10s",
          input_series: [
            // 0-10 s: the first run under way; 20-30 s: a good snapshot (at t=20); from 40 s: the next attempt failed.
            { series: `z3infra_backup_last_run_success${runner("z3-testnet-zallet")}`, values: "0 0 1 1 0x20" },
            { series: `z3infra_backup_last_success_timestamp_seconds${runner("z3-testnet-zallet")}`, values: "0 0 20x22" },
            // A volume whose first run never ends.
            { series: `z3infra_backup_last_run_success${runner("z3-testnet-zaino")}`, values: "0x24" },
            { series: `z3infra_backup_last_success_timestamp_seconds${runner("z3-testnet-zaino")}`, values: "0x24" },
          ],
          alert_rule_test: [
            { eval_time: "10s", alertname: "BackupFailed", exp_alerts: [] },
            { eval_time: "30s", alertname: "BackupFailed", exp_alerts: [] },
            {
              eval_time: "40s",
              alertname: "BackupFailed",
              exp_alerts: [
                {
                  exp_labels: labels("z3-testnet-zallet", "warning"),
                  exp_annotations: {
                    summary: "Backup of volume z3-testnet-zallet failed",
                    description:
                      "The last backup attempt of z3-testnet-zallet failed (the runner's log says why); the newest snapshot is from an earlier run.",
                  },
                },
              ],
            },
            { eval_time: "110s", alertname: "BackupTooOld", exp_alerts: [] },
            {
              // zallet: newest snapshot 130 s old (> 2 min); zaino: no snapshot since the runner started, 2 min and more.
              eval_time: "150s",
              alertname: "BackupTooOld",
              exp_alerts: [
                {
                  exp_labels: labels("z3-testnet-zallet", "critical"),
                  exp_annotations: {
                    summary: "Newest backup of volume z3-testnet-zallet is older than 2m",
                    description: "The newest snapshot of z3-testnet-zallet is 2m 10s old.",
                  },
                },
                {
                  exp_labels: labels("z3-testnet-zaino", "critical"),
                  exp_annotations: {
                    summary: "No backup of volume z3-testnet-zaino for 2m",
                    description: "The backup runner has had no snapshot of z3-testnet-zaino since it started, 2m ago.",
                  },
                },
              ],
            },
          ],
        },
      ];
      const r = promtoolTest([...withBackupRules, testFile(tests)]);
      expectAccepted(r);
      expect(r.output).toMatch(/SUCCESS/);
    });
  });
});

/**
 * `ZebraEndOfSupportSoon` as deployed in production (Mainnet): fires when the node's verified tip
 * reaches the running release's warning height (Zebra's own 14 days before its halt), not a block
 * earlier, and only for the release `zebrad_build_info` reports.
 */
describe("promtool test rules: ZebraEndOfSupportSoon (production, Mainnet)", () => {
  const [, production] = deployed.find(([env]) => env === "production")!;
  const files = renderedFiles(production);
  const ZEBRA = "/etc/prometheus/rules/zebra_alerts.yml";
  const TESTS = "/etc/prometheus/tests/zebra_test.yml";
  const window = supportWindow(ZEBRA_RELEASES.find((r) => r.version === "7.0.0")!);
  const tester: DeployedService = { ...production, tmpfs: { ...production.tmpfs, "/tmp": "rw,nosuid,nodev,size=64m" } };
  const run = (version: string, alerts: object[]) =>
    runProgram(["promtool", "test", "rules", TESTS], {
      service: tester,
      files: [
        ...files,
        {
          path: TESTS,
          mode: 0o444,
          uid: 0,
          gid: 0,
          content: JSON.stringify({
            rule_files: [ZEBRA],
            evaluation_interval: "1m",
            tests: [
              {
                interval: "1m",
                input_series: [
                  // One block a minute from two blocks below the warning height.
                  {
                    series: 'zcash_chain_verified_block_height{job="zebra",instance="zebra:9999"}',
                    values: `${window.warnHeight - 2}+1x10`,
                  },
                  { series: `zebrad_build_info{job="zebra",instance="zebra:9999",version="${version}"}`, values: "1x10" },
                  { series: 'zcash_net_peers{job="zebra",instance="zebra:9999"}', values: "8x10" },
                ],
                alert_rule_test: alerts,
              },
            ],
          }),
        },
      ],
    });

  test("the warning height is 14 days of blocks before the halt (25 s blocks after NU7)", () => {
    expect(window.haltHeight - window.warnHeight).toBe((14 * 86_400) / 25);
  });

  test(`7.0.0: quiet at height ${window.warnHeight - 1}, firing at ${window.warnHeight}, with the halt height in its summary`, () => {
    const r = run("7.0.0", [
      { eval_time: "1m", alertname: "ZebraEndOfSupportSoon", exp_alerts: [] },
      {
        eval_time: "2m",
        alertname: "ZebraEndOfSupportSoon",
        exp_alerts: [
          {
            exp_labels: { job: "zebra", instance: "zebra:9999", version: "7.0.0", severity: "warning" },
            exp_annotations: {
              summary: `Zebra 7.0.0 halts on Mainnet after height ${window.haltHeight}`,
              description: `Zebra 7.0.0 on zebra:9999 is at height ${window.warnHeight}: it stops itself after height ${window.haltHeight} (estimated ${window.haltAt.slice(0, 10)}, about 14 days of blocks from its warning height ${window.warnHeight}). Deploy a newer release (docs/zebra-upgrades.md).`,
            },
          },
        ],
      },
    ]);
    expectAccepted(r);
    expect(r.output).toMatch(/SUCCESS/);
  });

  test("a release the stack does not know raises nothing (the plan refuses it instead)", () => {
    const r = run("9.9.9", [{ eval_time: "9m", alertname: "ZebraEndOfSupportSoon", exp_alerts: [] }]);
    expectAccepted(r);
  });

  test("a deliberately early expectation fails (the test above can fail)", () => {
    expectRejected(
      run("7.0.0", [
        {
          eval_time: "1m",
          alertname: "ZebraEndOfSupportSoon",
          exp_alerts: [{ exp_labels: { job: "zebra", instance: "zebra:9999", version: "7.0.0", severity: "warning" } }],
        },
      ]),
      /FAILED:\s+alertname: ZebraEndOfSupportSoon, time: 1m/,
    );
  });

  test("staging (Testnet) and dev have no end-of-support rule: their nodes never halt", () => {
    for (const [env, s] of deployed.filter(([e]) => e !== "production")) {
      const zebraRules = renderedFiles(s).find((f) => f.path === ZEBRA)!;
      expect([env, zebraRules.content.includes("ZebraEndOfSupportSoon")]).toEqual([env, false]);
    }
  });
});
