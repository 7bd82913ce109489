/**
 * The alert receiver of scripts/service-hosts-testbed.sh: an HTTP server in a network namespace of its
 * own (off the Docker host, as far as the stacks can tell) that keeps every notification POSTed to it.
 * Alertmanager reaches it through the machine's routing; the suite reads what arrived with
 * `GET <base>/received`.
 */
import { execFileSync } from "child_process";
import { join } from "path";
import { REPO_ROOT } from "./env";
import { detail, say } from "./log";
import { http } from "./net";
import { waitFor } from "./process";

const BED = join(REPO_ROOT, "scripts", "service-hosts-testbed.sh");

/** One alert of an Alertmanager webhook notification (version 4 of its payload). */
export interface NotifiedAlert {
  readonly status: "firing" | "resolved";
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
}

/** An Alertmanager webhook notification. */
export interface Notification {
  readonly version: string;
  readonly status: "firing" | "resolved";
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly NotifiedAlert[];
}

/** A notification as the receiver kept it: when it arrived (ms since the epoch, this machine's clock) and where. */
export interface Received {
  readonly receivedAtMs: number;
  readonly path: string;
  readonly body: Notification;
}

export class WebhookReceiver {
  /** Script of the service-hosts test bed (global-teardown takes it down). */
  static readonly script = BED;

  /** Brings the service hosts up (a healthy bed is left as it is) and returns the alert receiver. */
  static up(): WebhookReceiver {
    const started = Date.now();
    execFileSync("bash", [BED, "up"], { stdio: ["ignore", "ignore", "pipe"], timeout: 180_000 });
    const env = execFileSync("bash", [BED, "env"], { encoding: "utf8", timeout: 30_000 });
    const base = /^WEBHOOK_URL=(\S+)$/m.exec(env)?.[1];
    if (!base) throw new Error(`${BED} env printed no WEBHOOK_URL:\n${env}`);
    say(`service hosts up in ${((Date.now() - started) / 1000).toFixed(1)}s; alert receiver at ${base}`);
    return new WebhookReceiver(base);
  }

  constructor(readonly baseUrl: string) {}

  /** The URL Alertmanager is given for notifications under `path` (e.g. `/zcash-staging/<random>`). */
  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** Everything received under `path`, oldest first. */
  async received(path: string): Promise<Received[]> {
    const r = await http(`${this.baseUrl}/received`, { timeoutMs: 5_000 });
    if (r?.status !== 200)
      throw new Error(`the alert receiver at ${this.baseUrl} did not answer GET /received (${r ? `HTTP ${r.status}` : "no answer"})`);
    return (JSON.parse(r.body) as Received[]).filter((n) => n.path === path);
  }

  /**
   * Waits until a notification under `path` holds an alert matching `match` with status `status`;
   * returns that notification and the alert.
   */
  async waitForAlert(
    path: string,
    status: "firing" | "resolved",
    match: (alert: NotifiedAlert) => boolean,
    timeoutMs: number,
  ): Promise<{ notification: Received; alert: NotifiedAlert }> {
    const found = await waitFor(
      `a ${status} alert at ${this.url(path)}`,
      async () => {
        for (const n of await this.received(path)) {
          const alert = n.body.alerts.find((a) => a.status === status && match(a));
          if (alert) return { notification: n, alert };
        }
        return undefined;
      },
      {
        timeoutMs,
        intervalMs: 500,
        describe: async () => {
          const got = await this.received(path).catch((e: Error) => e.message);
          return typeof got === "string"
            ? got
            : `received under ${path}: ${JSON.stringify(got.map((n) => ({ status: n.body.status, alerts: n.body.alerts.map((a) => `${a.status} ${a.labels.alertname} ${a.labels.job ?? ""}`) })))}`;
        },
      },
    );
    detail(
      `alert receiver: ${status} ${found.alert.labels.alertname} (${JSON.stringify(found.alert.labels)}) at ${new Date(found.notification.receivedAtMs).toISOString()}`,
    );
    return found;
  }
}
