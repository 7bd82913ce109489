/**
 * Z3's Alertmanager configuration, as deployed, checked by amtool (Debian's `prometheus-alertmanager`).
 * A receiver's webhook URL and SMTP password are Terraform variables delivered as files: the check
 * gives them test values, laid out at the paths the configuration names (`url_file`, `auth_password_file`).
 */
import { Testing } from "../../lib/cdk";
import { ENVIRONMENTS } from "../../config/environments";
import { EnvironmentSettings } from "../../config/settings";
import { ZcashStack } from "../../stacks/z3/zcash-stack";
import type { TfJson } from "../tf-json";
import {
  CHECKED_SERVICES,
  deployedIn,
  DeployedService,
  expectAccepted,
  expectRejected,
  flagValue,
  renderedFiles,
  runProgram,
  withChange,
} from "./programs";

const deployments = [...deployedIn(CHECKED_SERVICES.alertmanager.system, CHECKED_SERVICES.alertmanager.id)];
const deployed = deployments.flatMap(([env, s]) => (s ? [[env, s] as [string, DeployedService]] : []));
const notDeployed = deployments.filter(([, s]) => !s).map(([env]) => env);

/** Test values for every variable the service's files use (receiver URLs and passwords). */
function testValues(service: DeployedService): Record<string, string> {
  const names = service.files.flatMap((f) => [...f.content.matchAll(/\$\{var\.([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
  return Object.fromEntries(
    names.map((n) => [n, n.endsWith("_webhook_url") ? `https://alerts.example.test/hooks/${n}?token=t0ken` : `test-password-${n}`]),
  );
}

test(`Alertmanager is deployed in ${deployed.map(([env]) => env).join(", ")}; not in ${notDeployed.join(", ") || "(every environment has it)"}`, () => {
  expect(deployed.length).toBeGreaterThan(0);
});

describe.each(deployed)("%s", (_env, service) => {
  const config = flagValue(service.command, "--config.file");
  test(`amtool check-config accepts ${config}`, () => {
    const r = runProgram(["amtool", "check-config", config], { service, files: renderedFiles(service, testValues(service)) });
    expectAccepted(r);
    expect(r.output).toMatch(/SUCCESS/);
  });
  test("every webhook URL is read from a file the service's user can read, never written in the configuration", () => {
    const files = renderedFiles(service, testValues(service));
    const yml = files.find((f) => f.path === config)!.content;
    const urlFiles = [...yml.matchAll(/url_file: (\S+)/g)].map((m) => m[1]);
    expect(urlFiles.length).toBeGreaterThan(0);
    expect(yml).not.toMatch(/\burl:/);
    for (const path of urlFiles) {
      const file = files.find((f) => f.path === path);
      expect(file?.content).toMatch(/^https:\/\/alerts\.example\.test\//);
      // Uploaded files are root's: the non-root reader needs them world-readable.
      expect(file!.mode & 0o004).toBe(0o004);
    }
  });
});

/** The Alertmanager of a stack built from `settings`, as the program checks see a deployed one. */
function alertmanagerOf(settings: EnvironmentSettings): DeployedService {
  const json: TfJson = JSON.parse(Testing.synth(new ZcashStack(Testing.app(), settings)));
  const id = CHECKED_SERVICES.alertmanager.id;
  const c = json.resource.docker_container[id];
  const uploads = json.resource.docker_container[`${id}_files`].upload;
  const [uid, gid] = String(c.user).split(":").map(Number);
  return {
    stack: `zcash-${settings.name}`,
    env: settings.name,
    id,
    rendering: "container",
    user: `${uid}:${gid}`,
    command: [...(c.entrypoint ?? []), ...c.command],
    readOnlyRoot: c.read_only === true,
    tmpfs: { ...(c.tmpfs ?? {}) },
    files: uploads.map((u) => ({ path: u.file, content: u.content, mode: parseInt(u.permissions, 8), uid: 0, gid: 0 })),
  };
}

describe("a configuration with every kind of receiver", () => {
  const settings = {
    ...ENVIRONMENTS.production,
    z3: {
      ...ENVIRONMENTS.production.z3,
      alerting: {
        receivers: [
          { kind: "webhook", name: "pager", severities: ["critical"] },
          { kind: "webhook", name: "chat_ops", severities: ["critical", "warning"], sendResolved: false },
          {
            kind: "email",
            name: "ops_mail",
            severities: ["critical", "warning"],
            smarthost: "smtp.example.test:587",
            from: "alerts@example.test",
            to: ["ops@example.test", "oncall@example.test"],
            authUsername: "alerts@example.test",
          },
          {
            kind: "email",
            name: "relay",
            severities: ["warning"],
            smarthost: "relay.example.test:25",
            from: "z3@example.test",
            to: ["team@example.test"],
            requireTls: false,
            sendResolved: true,
          },
        ],
        groupWaitSeconds: 45,
        groupIntervalSeconds: 120,
        repeatIntervalMinutes: 720,
      },
    },
  } as EnvironmentSettings;
  const service = alertmanagerOf(settings);
  const config = flagValue(service.command, "--config.file");

  test("amtool check-config accepts it, with its four receivers and the unrouted one", () => {
    const r = runProgram(["amtool", "check-config", config], { service, files: renderedFiles(service, testValues(service)) });
    expectAccepted(r);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.output).toMatch(/- 5 receivers/);
  });
  test("each receiver's secret file is delivered: two webhook URLs and one SMTP password (the relay logs in with none)", () => {
    expect(Object.keys(testValues(service)).sort()).toEqual([
      "alert_chat_ops_webhook_url",
      "alert_ops_mail_smtp_password",
      "alert_pager_webhook_url",
    ]);
  });
});

describe("amtool rejects broken copies of the deployed file", () => {
  const [, service] = deployed[0];
  const files = renderedFiles(service, testValues(service));
  const config = flagValue(service.command, "--config.file");

  test("a route to a receiver that is not defined", () => {
    const broken = withChange(files, config, (s) => s.replace(/^ {4}- receiver: oncall$/m, "    - receiver: pager"));
    expectRejected(runProgram(["amtool", "check-config", config], { service, files: broken }), /undefined receiver "pager" used in route/);
  });
  test("a matcher that does not parse", () => {
    const broken = withChange(files, config, (s) => s.replace('- severity=~"critical|warning"\n', '- severity=~"critical|warning\n'));
    expectRejected(
      runProgram(["amtool", "check-config", config], { service, files: broken }),
      /FAILED: matcher value contains unescaped double quote/,
    );
  });
  test("a webhook with both url and url_file", () => {
    const broken = withChange(files, config, (s) =>
      s.replace(/^( +)- url_file: (\S+)$/m, "$1- url_file: $2\n$1  url: https://alerts.example.test/x"),
    );
    expectRejected(
      runProgram(["amtool", "check-config", config], { service, files: broken }),
      /FAILED: at most one of url & url_file must be configured/,
    );
  });
});
