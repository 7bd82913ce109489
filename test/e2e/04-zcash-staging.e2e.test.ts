import { loadConfig } from "./harness/env";
import { basic, http, jsonRpc } from "./harness/net";
import { psql } from "./harness/postgres";
import { sleep, waitFor } from "./harness/process";
import { record, seconds } from "./harness/report";
import { StackUnderTest } from "./harness/stacks";
import {
  assertConverged,
  assertEngineMatchesConfig,
  assertPublishedPorts,
  assertReadOnly,
  assertRunningAndHealthy,
  assertSecretFile,
  assertSecretsNotInInspect,
  cleanUp,
  destroyAndAssertClean,
  ensureNoConflicts,
  faultKillMainProcess,
  initValidateApply,
} from "./harness/steps";
import { scenario } from "./harness/suite";
import { assertVerifyPasses } from "./harness/verify";
import { assertRuntimePolicy } from "./harness/runtime-policy";
import { say } from "./harness/log";
import { randomString } from "./harness/secrets";
import { WebhookReceiver } from "./harness/webhook";
import { uploadOf } from "../helpers";
import { docker, dockerOk, exec, execOk, logsTail, mustInspect, waitHealthy } from "./harness/docker-engine";

const COOKIE = "/var/run/auth/.cookie";
/** The receiver of the shipped staging settings, and the variable holding its URL. */
const WEBHOOK_VARIABLE = "alert_oncall_webhook_url";
/** A service Prometheus scrapes whose stop leaves the rest of the stack working. */
const STOPPED = { container: "z3-testnet-grafana", job: "grafana" };
/** From a stopped service to its notification, at most (staging timing: 40 to 60 s, plus delivery). */
const ALERT_BOUND_MS = 120_000;

/**
 * zcash-staging (Testnet) on the local engine with its pg state backend: cookie auth between
 * Zebra, the permissions sidecar, Zaino and Zallet; Prometheus, Grafana and Alertmanager, whose
 * alerts go to the webhook receiver of the service-hosts test bed (another host, as far as the stack
 * can tell), under a path of this run's own.
 */
describe("zcash-staging on the local engine, state in PostgreSQL", () => {
  let s: StackUnderTest;
  let destroyed = false;
  const { step } = scenario();

  let webhook: WebhookReceiver;
  const webhookPath = `/zcash-staging/${randomString(16)}`;

  beforeAll(() => {
    // Backed up to the service hosts' SFTP server, as staging is meant to run: the backup runner is
    // deployed (and checked by the policy and health steps like every other container).
    s = new StackUnderTest("zcash-staging", loadConfig(), { backups: true });
    webhook = WebhookReceiver.up();
    if (!(WEBHOOK_VARIABLE in s.secrets))
      throw new Error(`zcash-staging has no sensitive variable ${WEBHOOK_VARIABLE}: the staging settings lost their webhook receiver`);
    s.secrets[WEBHOOK_VARIABLE] = webhook.url(webhookPath);
  });
  afterAll(async () => {
    if (s && !destroyed) await cleanUp(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step("terraform init (pg backend from PG_CONN_STR), validate, apply", async () => {
    expect(s.pgBackend).toBe(true);
    await initValidateApply(s);
    expect(await psql(loadConfig().pgConnStr!, "SELECT count(*) FROM zcash_staging.states")).toBe("1");
  });
  step("services run and are healthy", async () => assertRunningAndHealthy(s, 4 * 60_000));
  step(
    "npm run verify passes: services healthy, ports answer where declared and nowhere else, connections work from inside the services",
    async () => {
      await assertVerifyPasses(s);
    },
  );
  step("docker inspect matches the synthesized configuration (limits as CFS quota, swap = memory, compressed 50m x 5 logs)", async () =>
    assertEngineMatchesConfig(s),
  );

  step(
    "cookie auth: Zebra (10001) writes the cookie 0600, the sidecar (root, FOWNER only) makes it 0644, Zaino and Zallet read it through read-only mounts",
    async () => {
      expect(await logsTail("z3-testnet-zebra", 50)).toMatch(/wrote \/var\/run\/auth\/\.cookie \(600 10001:10001\)/);
      expect((await execOk("z3-testnet-cookie-permissions", ["stat", "-c", "%a %u:%g", COOKIE])).trim()).toBe("644 10001:10001");
      expect(await execOk("z3-testnet-zaino", ["cat", COOKIE], { user: "1000:1000" })).toMatch(/^__cookie__:[A-Za-z0-9]{40}$/);
      expect(await logsTail("z3-testnet-zaino", 50)).toMatch(/validator zebra:18232 answered: chain=test/);
      expect(await logsTail("z3-testnet-zallet", 50)).toMatch(/validator zebra:18232 answered: chain=test/);
      await assertReadOnly("z3-testnet-zaino", "/var/run/auth");
      await assertReadOnly("z3-testnet-zallet", "/var/run/auth", "1000:1000");
      // The sidecar's chmod works with FOWNER alone: its effective capability set is exactly that (bit 3).
      expect(await execOk("z3-testnet-cookie-permissions", ["cat", "/proc/1/status"])).toMatch(/^CapEff:\s+0000000000000008$/m);
    },
  );

  step("Zebra's RPC refuses requests without the cookie and answers with it", async () => {
    const cookie = (await execOk("z3-testnet-zaino", ["cat", COOKIE])).trim();
    const [user, password] = [cookie.slice(0, cookie.indexOf(":")), cookie.slice(cookie.indexOf(":") + 1)];
    expect((await http("http://127.0.0.1:18232", { body: jsonRpc("getblockchaininfo") }))?.status).toBe(401);
    const ok = await http("http://127.0.0.1:18232", {
      body: jsonRpc("getblockchaininfo"),
      headers: { Authorization: basic(user, password) },
    });
    expect(ok?.status).toBe(200);
    expect(JSON.parse(ok!.body).result.chain).toBe("test");
  });

  step(
    "monitoring: Prometheus scrapes every derived target by alias (the backup runner found by DNS), Grafana reads its admin password from a 0444 file and reaches Prometheus",
    async () => {
      // The jobs of the deployed configuration: every Z3 service with metrics, and the backup runner.
      const config = uploadOf(s.json, "z3_prometheus", "/etc/prometheus/prometheus.yml").content;
      const jobs = [...config.matchAll(/job_name: (\S+)/g)].map((m) => m[1]).sort();
      expect(jobs).toEqual(["alertmanager", "backup", "grafana", "prometheus", "zebra"]);
      const jobOf = (t: { job?: string; labels?: { job?: string } }) => t.labels?.job ?? t.job;
      const targets = await waitFor(
        "every Prometheus target up",
        async () => {
          const r = await http("http://127.0.0.1:19094/api/v1/targets");
          const t =
            r?.status === 200
              ? (JSON.parse(r.body).data.activeTargets as { job?: string; labels?: { job?: string }; health: string }[])
              : [];
          // A DNS-discovered target appears at the next lookup (refresh_interval 30 s).
          return jobs.every((j) => t.some((x) => jobOf(x) === j)) && t.every((x) => x.health === "up") ? t : undefined;
        },
        {
          timeoutMs: 75_000,
          intervalMs: 2000,
          describe: async () => (await http("http://127.0.0.1:19094/api/v1/targets"))?.body ?? "no answer",
        },
      );
      expect(targets.map(jobOf).sort()).toEqual(jobs);
      await assertSecretFile(s, "z3-testnet-grafana", "/run/secrets/grafana_admin_password", "grafana_admin_password", "0444");
      expect(
        (await http("http://127.0.0.1:13000/api/user", { headers: { Authorization: basic("admin", s.secrets.grafana_admin_password) } }))
          ?.status,
      ).toBe(200);
      expect((await http("http://127.0.0.1:13000/api/user", { headers: { Authorization: basic("admin", "admin") } }))?.status).toBe(401);
      expect((await http("http://127.0.0.1:13000/api/datasources/proxy/prometheus/-/healthy"))?.status).toBe(200);
      await assertSecretsNotInInspect(s);
    },
  );

  step(
    "published ports: Zebra's P2P port is public (reachable on the machine's other address), every other port is loopback-only",
    async () => {
      const checked = await assertPublishedPorts(s, loadConfig().externalAddress);
      record(s.section, "ports checked on the external address", checked.length);
    },
  );

  step(
    "the running containers pass the policy packs' container rules as docker inspect reports them (suppressions as in the policy report)",
    async () => assertRuntimePolicy(s),
  );
  step("re-plan right after apply: no changes", async () => assertConverged(s, "apply"));

  step("fault: Zebra crashes (SIGKILL); it comes back with a new 0600 cookie that the sidecar makes 0644 again", async () => {
    const oldCookie = (await execOk("z3-testnet-zaino", ["cat", COOKIE])).trim();
    const modes: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const r = await exec("z3-testnet-cookie-permissions", ["stat", "-c", "%a", COOKIE]);
        if (r.code === 0 && modes[modes.length - 1] !== r.stdout.trim()) modes.push(r.stdout.trim());
        await sleep(200);
      }
    })();
    try {
      await faultKillMainProcess(s, "z3-testnet-zebra", "host-kill");
      await waitFor(
        "the new cookie to be 0644",
        async () =>
          (await execOk("z3-testnet-cookie-permissions", ["stat", "-c", "%a", COOKIE])).trim() === "644" &&
          (await execOk("z3-testnet-zaino", ["cat", COOKIE])).trim() !== oldCookie,
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    } finally {
      watching = false;
      await watcher;
    }
    // Each start of Zebra wrote its cookie 0600 as 10001 (its own log); the sidecar then opened it up.
    expect((await logsTail("z3-testnet-zebra", 200)).match(/wrote \/var\/run\/auth\/\.cookie \(600 10001:10001\)/g)?.length).toBe(2);
    say(`zcash-staging: cookie file modes observed across the restart: ${modes.join(" -> ")}`);
    record(s.section, "cookie modes observed across Zebra restart", modes.join(" -> "));
    expect(modes[modes.length - 1]).toBe("644");
    expect((await mustInspect("z3-testnet-zebra")).RestartCount).toBeGreaterThan(0);
    await assertConverged(s, "Zebra restart");
  });

  step("alerting: Alertmanager reads the webhook URL from a 0444 file; its configuration names the file, not the URL", async () => {
    await assertSecretFile(s, "z3-testnet-alertmanager", `/etc/alertmanager/${WEBHOOK_VARIABLE}`, WEBHOOK_VARIABLE, "0444");
    const status = await http("http://127.0.0.1:19093/api/v2/status");
    expect(status?.status).toBe(200);
    const loaded: string = JSON.parse(status!.body).config.original;
    expect(loaded).toContain(`url_file: /etc/alertmanager/${WEBHOOK_VARIABLE}`);
    expect(loaded).not.toContain(webhookPath);
    // Nothing about the service yet: the stack came up healthy.
    expect((await webhook.received(webhookPath)).filter((n) => n.body.alerts.some((a) => a.labels.job === STOPPED.job))).toEqual([]);
  });

  step(
    `alerting: a stopped ${STOPPED.job} fires ServiceDown, which reaches the webhook receiver on another host within ${ALERT_BOUND_MS / 1000} s; started again, its resolution follows`,
    async () => {
      const stop = await docker(["stop", STOPPED.container], 60_000);
      if (stop.code !== 0) throw new Error(`docker stop ${STOPPED.container} failed: ${stop.stderr}`);
      const stoppedAt = Date.now();
      try {
        const firing = await webhook.waitForAlert(
          webhookPath,
          "firing",
          (a) => a.labels.alertname === "ServiceDown" && a.labels.job === STOPPED.job,
          ALERT_BOUND_MS + 30_000,
        );
        const delayMs = firing.notification.receivedAtMs - stoppedAt;
        say(`zcash-staging: ServiceDown for ${STOPPED.job} reached the webhook ${seconds(delayMs)}s after docker stop`);
        record(s.section, `alert delay s (docker stop ${STOPPED.job} → webhook)`, seconds(delayMs));
        expect(firing.notification.body.receiver).toBe("oncall");
        expect(firing.alert.labels).toMatchObject({ alertname: "ServiceDown", job: STOPPED.job, severity: "critical" });
        expect(firing.alert.annotations.summary).toBe(`${STOPPED.job} is down`);
        expect(delayMs).toBeLessThanOrEqual(ALERT_BOUND_MS);
      } finally {
        await dockerOk(["start", STOPPED.container]);
      }
      const startedAt = Date.now();
      await waitHealthy([STOPPED.container], 2 * 60_000);
      const resolved = await webhook.waitForAlert(
        webhookPath,
        "resolved",
        (a) => a.labels.alertname === "ServiceDown" && a.labels.job === STOPPED.job,
        2 * 60_000,
      );
      const resolvedMs = resolved.notification.receivedAtMs - startedAt;
      say(`zcash-staging: its resolution reached the webhook ${seconds(resolvedMs)}s after docker start`);
      record(s.section, `alert resolved s (docker start ${STOPPED.job} → webhook)`, seconds(resolvedMs));
      // Only the stopped service alerted: no other job went down meanwhile.
      const others = (await webhook.received(webhookPath))
        .flatMap((n) => n.body.alerts)
        .filter((a) => a.labels.alertname === "ServiceDown" && a.labels.job !== STOPPED.job);
      expect(others.map((a) => `${a.status} ${a.labels.job}`)).toEqual([]);
      await assertConverged(s, `${STOPPED.job} stopped and started`);
    },
  );

  step("terraform destroy leaves no container, volume or network of the stack; the state in PostgreSQL is empty", async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
    expect(await s.tf.stateList()).toEqual([]);
  });
});
