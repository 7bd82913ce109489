/** Z3's Alertmanager configuration, as deployed, checked by amtool (Debian's `prometheus-alertmanager`). */
import { CHECKED_SERVICES, deployedIn, DeployedService, expectAccepted, expectRejected, flagValue, renderedFiles, runProgram, withChange } from "./programs";

const deployments = [...deployedIn(CHECKED_SERVICES.alertmanager.system, CHECKED_SERVICES.alertmanager.id)];
const deployed = deployments.flatMap(([env, s]) => (s ? [[env, s] as [string, DeployedService]] : []));
const notDeployed = deployments.filter(([, s]) => !s).map(([env]) => env);

test(`Alertmanager is deployed in ${deployed.map(([env]) => env).join(", ")}; not in ${notDeployed.join(", ") || "(every environment has it)"}`, () => {
  expect(deployed.length).toBeGreaterThan(0);
});

describe.each(deployed)("%s", (_env, service) => {
  const config = flagValue(service.command, "--config.file");
  test(`amtool check-config accepts ${config}`, () => {
    const r = runProgram(["amtool", "check-config", config], { service, files: renderedFiles(service) });
    expectAccepted(r);
    expect(r.output).toMatch(/SUCCESS/);
  });
});

describe("amtool rejects broken copies of the deployed file", () => {
  const [, service] = deployed[0];
  const files = renderedFiles(service);
  const config = flagValue(service.command, "--config.file");

  test("a route to a receiver that is not defined", () => {
    const broken = withChange(files, config, (s) => s.replace(/^ {2}- name: warning\n/m, ""));
    expectRejected(runProgram(["amtool", "check-config", config], { service, files: broken }), /undefined receiver "warning" used in route/);
  });
  test("a matcher that does not parse", () => {
    const broken = withChange(files, config, (s) => s.replace('[severity="critical"]', '[severity=="critical"]'));
    expectRejected(runProgram(["amtool", "check-config", config], { service, files: broken }), /FAILED: matcher value contains unescaped double quote/);
  });
});
