/** The shipped Z3 settings per environment (referenced from `config/environments.ts`). */
import type { EnvironmentName } from "../common";
import type { AlertingSettings, Z3Settings } from "./schema";

/** Upstream z3 image pins (z3 docker-compose.yml @7c5a4bc); monitoring pins as upstream's monitoring profile. */
/** Staging and production: upstream z3's LEGACY compose rotation, compressed. */
const ROTATED_LOGS = { default: { maxSizeMiB: 50, maxFiles: 5, compress: true } };

const Z3_IMAGES: Z3Settings["images"] = {
  zebra: "zfnd/zebra:7.0.0",
  cookiePermissions: "alpine:3",
  // zainod 0.10.2, the newest release (built against zebrad 6.3.0's crates, so it knows NU6.3 but
  // not NU7: docs/zebra-upgrades.md). The -no-tls build lets it serve plaintext gRPC on 0.0.0.0.
  zaino: "zingodevops/zainod:0.10.2-no-tls",
  zallet: "electriccoinco/zallet:v0.1.0-alpha.3",
  // Upstream builds the router from z3's rpc-router/ directory; no published image exists.
  rpcRouter: "z3-rpc-router:local",
  prometheus: "prom/prometheus:v3.2.0",
  grafana: "grafana/grafana:11.5.1",
  alertmanager: "prom/alertmanager:v0.28.1",
};

/**
 * One webhook for critical and warning alerts; its URL is the sensitive `alert_oncall_webhook_url`,
 * given at deploy time (no default).
 */
const ONCALL_WEBHOOK: AlertingSettings = {
  receivers: [{ kind: "webhook", name: "oncall", severities: ["critical", "warning"] }],
};

export const Z3_SETTINGS: Readonly<Record<EnvironmentName, Z3Settings>> = {
  dev: {
    network: "Regtest",
    images: Z3_IMAGES,
    rpcRouter: true,
    monitoring: false,
    publishP2P: false,
    resources: {},
    // Upstream .env.regtest default miner address.
    minerAddress: "tmSRd1r8gs77Ja67Fw1JcdoXytxsyrLTPJm",
    zebraLogFilter: "info",
    logging: { default: { maxSizeMiB: 10, maxFiles: 3, compress: false } },
    zebraWaitSeconds: 120,
  },
  staging: {
    network: "Testnet",
    images: Z3_IMAGES,
    rpcRouter: false,
    monitoring: true,
    publishP2P: true,
    resources: {
      zebra: { memoryMiB: 8192, cpus: 4 },
      zaino: { memoryMiB: 4096, cpus: 2 },
      zallet: { memoryMiB: 2048, cpus: 1 },
      cookiePermissions: { memoryMiB: 32, cpus: 0.1 },
      prometheus: { memoryMiB: 1024, cpus: 1 },
      grafana: { memoryMiB: 512, cpus: 0.5 },
      alertmanager: { memoryMiB: 256, cpus: 0.25 },
    },
    zebraLogFilter: "info",
    logging: ROTATED_LOGS,
    // Staging alerts fast, so that a stopped service is notified (and the path to the receiver checked)
    // within a minute: 10 s intervals, down for 30 s, a group held 10 s, changes every 30 s.
    alerting: {
      ...ONCALL_WEBHOOK,
      evaluationIntervalSeconds: 10,
      serviceDownForSeconds: 30,
      groupWaitSeconds: 10,
      groupIntervalSeconds: 30,
      repeatIntervalMinutes: 60,
    },
  },
  production: {
    network: "Mainnet",
    images: Z3_IMAGES,
    rpcRouter: false,
    monitoring: true,
    publishP2P: true,
    resources: {
      // Zebra's requirements: recommended 4 CPU / 16 GB RAM.
      zebra: { memoryMiB: 16384, cpus: 4 },
      zaino: { memoryMiB: 4096, cpus: 2 },
      zallet: { memoryMiB: 2048, cpus: 1 },
      cookiePermissions: { memoryMiB: 32, cpus: 0.1 },
      prometheus: { memoryMiB: 2048, cpus: 1 },
      grafana: { memoryMiB: 512, cpus: 0.5 },
      alertmanager: { memoryMiB: 256, cpus: 0.25 },
    },
    zebraLogFilter: "info",
    logging: ROTATED_LOGS,
    // Default timing (ALERT_TIMING_DEFAULTS): a service down 2 minutes, Alertmanager's grouping.
    alerting: ONCALL_WEBHOOK,
  },
};
