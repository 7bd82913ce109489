/** Validation of `z3.alerting`: receivers, their destinations and the alert timing. */
import { ENVIRONMENTS } from "../../config/environments";
import { EnvironmentSettings, SettingsError, settingsProblems, validateSettings } from "../../config/settings";
import { ALERT_TIMING_DEFAULTS, alertTimingOf } from "../../config/z3/schema";
import { clone, put } from "./settings-helpers";

const problemsOf = (env: unknown) => settingsProblems(env as EnvironmentSettings).map((p) => `${p.path}=${JSON.stringify(p.value)}`);
const allowedFor = (env: unknown, path: string) => settingsProblems(env as EnvironmentSettings).find((p) => p.path === path)?.allowed;

const EMAIL = {
  kind: "email",
  name: "ops_mail",
  severities: ["critical"],
  smarthost: "smtp.example.org:587",
  from: "alerts@example.org",
  to: ["ops@example.org"],
  authUsername: "alerts@example.org",
};

describe("shipped alerting settings", () => {
  test("staging and production send critical and warning alerts to a webhook receiver; dev runs no monitoring and has none", () => {
    for (const env of ["staging", "production"] as const) {
      expect(ENVIRONMENTS[env].z3.alerting?.receivers).toEqual([{ kind: "webhook", name: "oncall", severities: ["critical", "warning"] }]);
    }
    expect(ENVIRONMENTS.dev.z3.alerting).toBeUndefined();
  });
  test("production alerts on the default timing; staging alerts within about a minute", () => {
    expect(alertTimingOf(ENVIRONMENTS.production.z3.alerting)).toEqual(ALERT_TIMING_DEFAULTS);
    expect(ALERT_TIMING_DEFAULTS).toEqual({
      evaluationIntervalSeconds: 15,
      serviceDownForSeconds: 120,
      groupWaitSeconds: 30,
      groupIntervalSeconds: 300,
      repeatIntervalMinutes: 240,
    });
    const t = alertTimingOf(ENVIRONMENTS.staging.z3.alerting);
    // Worst case from a stopped service to the notification: a scrape, an evaluation, `for`, group_wait.
    expect(2 * t.evaluationIntervalSeconds + t.serviceDownForSeconds + t.groupWaitSeconds).toBe(60);
    const d = ALERT_TIMING_DEFAULTS;
    expect(2 * d.evaluationIntervalSeconds + d.serviceDownForSeconds + d.groupWaitSeconds).toBe(180);
  });
  test("an unset timing field takes its default", () => {
    expect(alertTimingOf({ serviceDownForSeconds: 60 })).toEqual({ ...ALERT_TIMING_DEFAULTS, serviceDownForSeconds: 60 });
    expect(alertTimingOf(undefined)).toEqual(ALERT_TIMING_DEFAULTS);
  });
});

describe("alerting validation", () => {
  test("fails when production runs monitoring with no receiver (an empty list, or no alerting at all)", () => {
    const all = clone();
    all.production.z3.alerting!.receivers = [];
    expect(problemsOf(all.production)).toEqual(["z3.alerting.receivers=[]"]);
    expect(allowedFor(all.production, "z3.alerting.receivers")).toBe(
      "at least one receiver in the production environment (an alert must reach someone)",
    );
    delete all.production.z3.alerting;
    expect(problemsOf(all.production)).toEqual(["z3.alerting.receivers=undefined"]);
  });
  test("fails when no production receiver takes critical alerts", () => {
    const all = clone();
    all.production.z3.alerting!.receivers = [{ kind: "webhook", name: "chat", severities: ["warning"] }];
    expect(problemsOf(all.production)).toEqual(['z3.alerting.receivers=[{"kind":"webhook","name":"chat","severities":["warning"]}]']);
    expect(allowedFor(all.production, "z3.alerting.receivers")).toBe(
      'a receiver whose severities include "critical" in the production environment',
    );
  });
  test("staging may run monitoring without receivers (alerts stay in Alertmanager)", () => {
    const all = clone();
    all.staging.z3.alerting!.receivers = [];
    expect(problemsOf(all.staging)).toEqual([]);
    delete all.staging.z3.alerting;
    expect(problemsOf(all.staging)).toEqual([]);
  });
  test("fails when alerting is set and monitoring is off", () => {
    const all = clone();
    all.dev.z3.alerting = { receivers: [{ kind: "webhook", name: "oncall", severities: ["critical"] }] };
    expect(problemsOf(all.dev)).toEqual(['z3.alerting={"receivers":[{"kind":"webhook","name":"oncall","severities":["critical"]}]}']);
    expect(allowedFor(all.dev, "z3.alerting")).toBe("unset unless z3.monitoring is true (Alertmanager runs with monitoring)");
  });
  test("fails when two receivers share a name (it names their variables)", () => {
    const all = clone();
    all.staging.z3.alerting!.receivers = [
      { kind: "webhook", name: "oncall", severities: ["critical"] },
      { kind: "webhook", name: "oncall", severities: ["warning"] },
    ];
    expect(problemsOf(all.staging)).toEqual(['z3.alerting.receivers.1.name="oncall"']);
  });
  test("fails when a receiver name is not a variable-name fragment, or is the reserved unrouted", () => {
    const all = clone();
    all.staging.z3.alerting!.receivers = [
      { kind: "webhook", name: "On-Call", severities: ["critical"] },
      { kind: "webhook", name: "unrouted", severities: ["critical"] },
    ];
    expect(problemsOf(all.staging)).toEqual(['z3.alerting.receivers.0.name="On-Call"', 'z3.alerting.receivers.1.name="unrouted"']);
    expect(allowedFor(all.staging, "z3.alerting.receivers.0.name")).toMatch(/^a receiver name: lower-case letters, digits and '_'/);
  });
  test("fails when severities are empty, unknown or repeated", () => {
    const all = clone();
    all.staging.z3.alerting!.receivers = [
      { kind: "webhook", name: "a", severities: [] },
      { kind: "webhook", name: "b", severities: ["page" as never] },
      { kind: "webhook", name: "c", severities: ["critical", "critical"] },
    ];
    expect(problemsOf(all.staging)).toEqual([
      "z3.alerting.receivers.0.severities=[]",
      'z3.alerting.receivers.1.severities.0="page"',
      'z3.alerting.receivers.2.severities=["critical","critical"]',
    ]);
    expect(allowedFor(all.staging, "z3.alerting.receivers.1.severities.0")).toBe(
      'a non-empty list of severities, each once: "critical", "warning"',
    );
  });
  test("fails when a receiver's kind is unknown or it has a key its kind does not take", () => {
    const all = clone();
    all.staging.z3.alerting!.receivers = [
      { kind: "slack", name: "chat", severities: ["critical"] } as never,
      { kind: "webhook", name: "hook", severities: ["critical"], url: "https://x.example.org" } as never,
    ];
    expect(problemsOf(all.staging)).toEqual([
      'z3.alerting.receivers.0.kind="slack"',
      'z3.alerting.receivers.1.url="https://x.example.org"',
    ]);
    expect(allowedFor(all.staging, "z3.alerting.receivers.0.kind")).toMatch(
      /^one of \{kind: "webhook", name, severities, sendResolved\}, \{kind: "email", /,
    );
    // A URL never goes into the settings: it is the sensitive variable alert_<name>_webhook_url.
    expect(allowedFor(all.staging, "z3.alerting.receivers.1.url")).toBe(
      "no key `url` (keys of z3.alerting.receivers.1: kind, name, severities, sendResolved)",
    );
  });
  test("fails when an e-mail receiver's server, sender, recipients or login are not valid", () => {
    const all = clone();
    all.staging.z3.alerting!.receivers = [
      EMAIL,
      { ...EMAIL, name: "bad", smarthost: "smtp.example.org", from: "alerts", to: [], authUsername: "${var.x}" },
      { ...EMAIL, name: "bad_to", to: ["ops@example.org", "not an address"] },
    ] as never;
    expect(problemsOf(all.staging)).toEqual([
      'z3.alerting.receivers.1.smarthost="smtp.example.org"',
      'z3.alerting.receivers.1.from="alerts"',
      "z3.alerting.receivers.1.to=[]",
      'z3.alerting.receivers.1.authUsername="${var.x}"',
      'z3.alerting.receivers.2.to.1="not an address"',
    ]);
    expect(allowedFor(all.staging, "z3.alerting.receivers.1.smarthost")).toBe(
      "an SMTP server as host:port (port from 1 to 65535), e.g. smtp.example.org:587",
    );
  });
  test("fails when a timing value is out of range", () => {
    const all = clone();
    Object.assign(all.staging.z3.alerting!, { evaluationIntervalSeconds: 5, serviceDownForSeconds: -1, groupWaitSeconds: 1.5 });
    expect(problemsOf(all.staging)).toEqual([
      "z3.alerting.evaluationIntervalSeconds=5",
      "z3.alerting.serviceDownForSeconds=-1",
      "z3.alerting.groupWaitSeconds=1.5",
    ]);
    expect(allowedFor(all.staging, "z3.alerting.evaluationIntervalSeconds")).toBe("an integer from 10 to 300");
  });
  test("fails when the repeat interval is shorter than the group interval", () => {
    const all = clone();
    Object.assign(all.staging.z3.alerting!, { groupIntervalSeconds: 600, repeatIntervalMinutes: 5 });
    expect(problemsOf(all.staging)).toEqual(["z3.alerting.repeatIntervalMinutes=5"]);
    expect(allowedFor(all.staging, "z3.alerting.repeatIntervalMinutes")).toBe(
      "at least groupIntervalSeconds (600 s): Alertmanager repeats only on a group interval",
    );
  });
  test("fails when alerting has an unknown key", () => {
    const all = clone();
    put(all.staging.z3.alerting!, { groupWait: 10 });
    expect(problemsOf(all.staging)).toEqual(["z3.alerting.groupWait=10"]);
  });
  test("problems read as the settings error contract: [env] path: got X; allowed: Y", () => {
    const all = clone();
    all.production.z3.alerting!.receivers = [];
    expect(() => validateSettings(all)).toThrow(SettingsError);
    expect(() => validateSettings(all)).toThrow(
      "[production] z3.alerting.receivers: got []; allowed: at least one receiver in the production environment (an alert must reach someone)",
    );
  });
});
