/**
 * Z3's Prometheus configuration and alerting rules, as deployed, checked by promtool (Debian's
 * `promtool` package, built from the same source as its `prometheus`).
 */
import { CHECKED_SERVICES, deployedIn, DeployedService, expectAccepted, expectRejected, flagValue, renderedFiles, runProgram, withChange } from "./programs";

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
    if (missed.length > 0) throw new Error(`promtool check config did not load ${missed.join(", ")} (rule_files does not match them):\n${r.output}`);
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
    const broken = withChange(files, config, (s) => s.replace(/scrape_interval: 15s/, "scrape_interval: 15 seconds"));
    expectRejected(runProgram(["promtool", "check", "config", config], { service, files: broken }), /unknown unit " seconds" in duration "15 seconds"/);
  });
  test("check config: a rule file it loads does not parse", () => {
    expectRejected(runProgram(["promtool", "check", "config", config], { service, files: brokenRule }), /parse error/);
  });
  test("check rules: an expression that does not parse", () => {
    expectRejected(runProgram(["promtool", "check", "rules", rules], { service, files: brokenRule }), /parse error/);
  });
});
