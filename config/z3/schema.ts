/** Zcash Z3 settings: the schema (types inferred from it) and its Regtest and production rules. */
import { z } from "zod";
import { ACTIVATION_HEIGHTS, missingActiveUpgrades, releaseOfImage, UPGRADES, ZEBRA_RELEASES } from "./zebra-releases";
import {
  allowed,
  bool,
  deploymentSchema,
  EnvironmentContext,
  imageReference,
  integer,
  loggingPolicySchema,
  nonEmptyString,
  objectOf,
  oneOf,
  requireLimits,
  resourcesOf,
  strictObject,
  waitSeconds,
} from "../common";
import { catalogKeys, deployedServices, replicableServices } from "../catalog";
import { Z3_SERVICES } from "./services";

export const zcashNetworkSchema = oneOf(["Mainnet", "Testnet", "Regtest"]);
export type ZcashNetwork = z.infer<typeof zcashNetworkSchema>;

/** The Z3 services, in the catalog's order (config/z3/services.ts). */
const SERVICES = catalogKeys(Z3_SERVICES);
export const z3ServiceNameSchema = oneOf(SERVICES, `a Z3 service: ${SERVICES.join(", ")}`);
export type Z3ServiceName = z.infer<typeof z3ServiceNameSchema>;
export const Z3_SERVICE_NAMES: readonly Z3ServiceName[] = z3ServiceNameSchema.options;

/** The `severity` label values the Z3 alerting rules set. */
export const ALERT_SEVERITIES = ["critical", "warning"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The receiver Alertmanager's root route names: alerts no configured receiver takes stay in Alertmanager (UI, API) only. */
export const UNROUTED_RECEIVER = "unrouted";

const receiverNameText = `a receiver name: lower-case letters, digits and '_', starting with a letter, at most 32 characters, not "${UNROUTED_RECEIVER}" (it names the receiver's variables)`;
const severitiesText = `a non-empty list of severities, each once: ${ALERT_SEVERITIES.map((s) => JSON.stringify(s)).join(", ")}`;
const emailText = "an e-mail address such as alerts@example.org";
const smarthostText = "an SMTP server as host:port (port from 1 to 65535), e.g. smtp.example.org:587";
const isPort = (n: number) => n >= 1 && n <= 65535;
const smtpUserText = "an SMTP user name: letters, digits and . _ @ + -";

const receiverCommon = {
  /** Alertmanager receiver name; also names the receiver's variables (`alert_<name>_webhook_url`, `alert_<name>_smtp_password`). */
  name: z
    .string(allowed(receiverNameText))
    .regex(/^[a-z][a-z0-9_]{0,31}$/, receiverNameText)
    .refine((n) => n !== UNROUTED_RECEIVER, receiverNameText),
  /** Alerts whose `severity` label is one of these go to this receiver (every receiver that lists it gets it). */
  severities: z
    .array(oneOf(ALERT_SEVERITIES, severitiesText), allowed(severitiesText))
    .min(1, severitiesText)
    .refine((list) => new Set(list).size === list.length, severitiesText)
    .readonly(),
  /** Notify again when the alert resolves (`send_resolved`). @default - true for webhook, false for email (Alertmanager's own defaults) */
  sendResolved: bool().optional(),
};

const webhookKeys = "kind, name, severities, sendResolved";
const emailKeys = "kind, name, severities, sendResolved, smarthost, from, to, authUsername, requireTls";

/**
 * Where Alertmanager sends notifications. A webhook receives Alertmanager's JSON notifications at a URL
 * that is a deployment input (`alert_<name>_webhook_url`, sensitive: such URLs usually carry a token),
 * read from a file (`url_file`). An e-mail receiver sends through an SMTP server from the settings; its
 * password, when it logs in, is the sensitive `alert_<name>_smtp_password`, read from a file
 * (`auth_password_file`).
 */
export const alertReceiverSchema = z
  .discriminatedUnion(
    "kind",
    [
      strictObject({ kind: z.literal("webhook"), ...receiverCommon }, webhookKeys),
      strictObject(
        {
          kind: z.literal("email"),
          ...receiverCommon,
          /** SMTP server (`smarthost`), host:port. */
          smarthost: z
            .string(allowed(smarthostText))
            .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, smarthostText)
            .refine((h) => isPort(Number(h.slice(h.lastIndexOf(":") + 1))), smarthostText),
          /** Sender address (`from`). */
          from: z.string(allowed(emailText)).regex(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, emailText),
          /** Recipients (`to`). */
          to: z
            .array(
              z.string(allowed(emailText)).regex(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, emailText),
              allowed("a non-empty list of e-mail addresses"),
            )
            .min(1, "a non-empty list of e-mail addresses")
            .readonly(),
          /** SMTP login (`auth_username`); with it the password comes from `alert_<name>_smtp_password`. @default - no login (a relay that accepts the host) */
          authUsername: z
            .string(allowed(smtpUserText))
            .regex(/^[A-Za-z0-9._@+-]{1,128}$/, smtpUserText)
            .optional(),
          /** STARTTLS required (`require_tls`). @default true */
          requireTls: bool().optional(),
        },
        emailKeys,
      ),
    ],
    allowed(`one of {kind: "webhook", ${webhookKeys.replace("kind, ", "")}}, {kind: "email", ${emailKeys.replace("kind, ", "")}}`),
  )
  .readonly();
export type AlertReceiver = z.infer<typeof alertReceiverSchema>;

/**
 * Alert timing. Defaults are production's: upstream's 15 s intervals, a service down for 2 minutes,
 * and Alertmanager's own grouping defaults. From a stopped service to its notification: up to one
 * interval to the failed scrape, up to one more to the evaluation that sees it, then
 * `serviceDownForSeconds`, then `groupWaitSeconds` (2.5 to 3 minutes with these defaults).
 */
export const ALERT_TIMING_DEFAULTS = {
  evaluationIntervalSeconds: 15,
  serviceDownForSeconds: 120,
  groupWaitSeconds: 30,
  groupIntervalSeconds: 300,
  repeatIntervalMinutes: 240,
} as const;
export type AlertTiming = { readonly [K in keyof typeof ALERT_TIMING_DEFAULTS]: number };

const alertingKeys = `receivers, ${Object.keys(ALERT_TIMING_DEFAULTS).join(", ")}`;

/** Alert routing and timing (needs `monitoring`; production needs a receiver for critical alerts). */
export const alertingSchema = strictObject(
  {
    /** Receivers, each taking the severities it lists. Empty: alerts stay in Alertmanager (not allowed in production). */
    receivers: z.array(alertReceiverSchema, allowed("a list of receivers")).readonly(),
    /** Prometheus `scrape_interval` and `evaluation_interval` (kept equal, as upstream). @default 15 */
    evaluationIntervalSeconds: integer(10, 300).optional(),
    /** `for:` of the ServiceDown rules: how long a scrape target must fail before its alert fires. @default 120 */
    serviceDownForSeconds: integer(0, 3600).optional(),
    /** Alertmanager `group_wait`: how long a new group of alerts is held before its first notification. @default 30 */
    groupWaitSeconds: integer(0, 3600).optional(),
    /** Alertmanager `group_interval`: the wait before notifying a change in a group (a new or resolved alert). @default 300 */
    groupIntervalSeconds: integer(1, 24 * 3600).optional(),
    /** Alertmanager `repeat_interval`: how often a still-firing alert is sent again. @default 240 */
    repeatIntervalMinutes: integer(1, 7 * 24 * 60).optional(),
  },
  `alerting settings: ${alertingKeys}`,
)
  .readonly()
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    a.receivers.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({
          code: "custom",
          path: ["receivers", i, "name"],
          message: "a name no other receiver has (it names the receiver's variables)",
        });
      seen.add(r.name);
    });
    const t = alertTimingOf(a);
    if (t.repeatIntervalMinutes * 60 < t.groupIntervalSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["repeatIntervalMinutes"],
        message: `at least groupIntervalSeconds (${t.groupIntervalSeconds} s): Alertmanager repeats only on a group interval`,
      });
    }
  });
export type AlertingSettings = z.infer<typeof alertingSchema>;

/** The alert timing in effect: the settings', defaults filled in. */
export function alertTimingOf(alerting: Partial<AlertTiming> | undefined): AlertTiming {
  const t = alerting ?? {};
  return {
    evaluationIntervalSeconds: t.evaluationIntervalSeconds ?? ALERT_TIMING_DEFAULTS.evaluationIntervalSeconds,
    serviceDownForSeconds: t.serviceDownForSeconds ?? ALERT_TIMING_DEFAULTS.serviceDownForSeconds,
    groupWaitSeconds: t.groupWaitSeconds ?? ALERT_TIMING_DEFAULTS.groupWaitSeconds,
    groupIntervalSeconds: t.groupIntervalSeconds ?? ALERT_TIMING_DEFAULTS.groupIntervalSeconds,
    repeatIntervalMinutes: t.repeatIntervalMinutes ?? ALERT_TIMING_DEFAULTS.repeatIntervalMinutes,
  };
}

const statedKeys = "image, version, estimatedReleaseHeight, endOfSupportDays, newestUpgrade";

/** A Zebra release the table does not list, stated with its end of support (`end_of_support.rs`). */
function statedZebraReleaseSchema(env: EnvironmentContext) {
  const versionText = "a zebrad version such as 7.1.0 (its zebrad_build_info version label)";
  return strictObject(
    {
      /** The exact image reference this release is deployed as. */
      image: imageReference(env.requirePinnedImages),
      /** zebrad's version (`zebrad_build_info{version}`), for the alert. */
      version: z.string(allowed(versionText)).regex(/^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$/, versionText),
      /** `ESTIMATED_RELEASE_HEIGHT`. */
      estimatedReleaseHeight: integer(ACTIVATION_HEIGHTS.Mainnet.NU6, 20_000_000),
      /** `EOS_PANIC_AFTER`, in days. */
      endOfSupportDays: integer(1, 365),
      /** The newest Mainnet upgrade its zebra-chain defines. @default - the newest at or below its release height */
      newestUpgrade: oneOf(UPGRADES).optional(),
    },
    `a Zebra release: ${statedKeys}`,
  ).readonly();
}

const minerAddressText = "a transparent or unified Zcash address (required on Regtest)";
const MINER_ADDRESS = /^[a-zA-Z0-9]{20,100}$/;

/** The Z3 settings schema for one environment (image pinning and required limits follow the environment). */
export function z3Schema(env: EnvironmentContext) {
  return strictObject(
    {
      /** Chain Zebra follows (`ZEBRA_NETWORK__NETWORK`); picks the port matrix and config. */
      network: zcashNetworkSchema,
      /** Default image references (each overridable at deploy time by a `<service>_image` variable). */
      images: objectOf(Z3_SERVICE_NAMES, imageReference(env.requirePinnedImages), "an image reference per Z3 service"),
      /** Deploy the rpc-router (upstream runs it on Regtest only). */
      rpcRouter: bool(),
      /** Deploy Prometheus, Grafana and Alertmanager. */
      monitoring: bool(),
      /** Publish Zebra's P2P port on every host interface (inbound peers; upstream zebra PR #10464). */
      publishP2P: bool(),
      /** Limits per service. */
      resources: resourcesOf(z3ServiceNameSchema),
      /** json-file rotation of the Z3 containers: a default and per-service overrides (upstream's LEGACY compose pinned 50m × 5). */
      logging: loggingPolicySchema(Z3_SERVICE_NAMES),
      /** `ZEBRA_MINING__MINER_ADDRESS`; required on Regtest, not allowed elsewhere. */
      minerAddress: z.string(allowed(minerAddressText)).regex(MINER_ADDRESS, minerAddressText).optional(),
      /** Zebra's log filter (`[tracing] filter`, `ZEBRA_TRACING__FILTER`; zebrad does not read RUST_LOG). */
      zebraLogFilter: nonEmptyString('a non-empty tracing filter such as "info" (an empty ZEBRA_ variable breaks Zebra\'s config parsing)'),
      /**
       * Zebra releases the table in config/z3/zebra-releases.ts does not list, each with its end of
       * support read from the release's `end_of_support.rs`. A Mainnet node's image must be a release
       * of the table (by its version tag) or one of these (by its exact reference), or synth and
       * plan refuse it. @default - none: the table only
       */
      zebraReleases: z
        .array(
          statedZebraReleaseSchema(env),
          allowed("a list of Zebra releases: {image, version, estimatedReleaseHeight, endOfSupportDays, newestUpgrade?}"),
        )
        .readonly()
        .optional(),
      /** Seconds Terraform waits for Zebra to be healthy before creating its consumers (Regtest only; a Mainnet node is not ready for days). */
      zebraWaitSeconds: waitSeconds().optional(),
      /**
       * Containers on one host (unset: the default) or services on the environment's swarm. Only the
       * rpc-router is replicable: every other Z3 service owns a volume (chain, index, wallet, metrics,
       * dashboards, silences) and runs once, on the data node.
       */
      deployment: deploymentSchema(replicableServices(Z3_SERVICES), "every other Z3 service owns a node-local volume").optional(),
      /**
       * Where alerts go and how fast (Prometheus, Alertmanager). Only with `monitoring`; production
       * needs at least one receiver, and one for critical alerts.
       * @default - no receiver (alerts stay in Alertmanager) and production timing
       */
      alerting: alertingSchema.optional(),
    },
    "the Z3 settings object",
    // Renamed when Zebra's log filter moved to ZEBRA_TRACING__FILTER (zebrad does not read RUST_LOG).
    { renamed: { zebraRustLog: "zebraLogFilter" } },
  )
    .readonly()
    .superRefine((z3, ctx) => {
      const problem = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: "custom", path: [path], message });
      if (z3.rpcRouter)
        problem(
          z3.network === "Regtest",
          "rpcRouter",
          'false unless z3.network is "Regtest" (upstream runs the router on Regtest only; z3 issue #44)',
        );
      if (z3.network === "Regtest") {
        problem(MINER_ADDRESS.test(z3.minerAddress ?? ""), "minerAddress", minerAddressText);
        problem(!z3.publishP2P, "publishP2P", "false on Regtest (a Regtest node has no peers)");
      } else {
        problem(z3.minerAddress === undefined, "minerAddress", 'unset unless z3.network is "Regtest"');
        problem(
          z3.zebraWaitSeconds === undefined,
          "zebraWaitSeconds",
          'unset unless z3.network is "Regtest" (a Mainnet or Testnet node is not ready for hours or days)',
        );
      }
      if (z3.network === "Mainnet") mainnetReleaseProblems(z3, ctx);
      if (!z3.monitoring)
        problem(z3.alerting === undefined, "alerting", "unset unless z3.monitoring is true (Alertmanager runs with monitoring)");
      if (z3.monitoring && env.name === "production") {
        const receivers = z3.alerting?.receivers ?? [];
        const receiversPath = ["alerting", "receivers"];
        if (receivers.length === 0) {
          ctx.addIssue({
            code: "custom",
            path: receiversPath,
            message: "at least one receiver in the production environment (an alert must reach someone)",
          });
        } else if (!receivers.some((r) => r.severities.includes("critical"))) {
          ctx.addIssue({
            code: "custom",
            path: receiversPath,
            message: 'a receiver whose severities include "critical" in the production environment',
          });
        }
      }
      requireLimits(ctx, z3.resources, deployedZ3Services(z3), env.requireResourceLimits);
    });
}
export type Z3Settings = z.infer<ReturnType<typeof z3Schema>>;

/**
 * A Mainnet node runs a release whose end of support is known (the table's, by tag, or a stated one)
 * and that knows every upgrade already active: one at or below the newest release height of the
 * table (no clock at synth; the plan checks dates). Testnet and Regtest nodes do not halt.
 */
function mainnetReleaseProblems(
  z3: { images: { zebra: string }; zebraReleases?: Parameters<typeof releaseOfImage>[1] },
  ctx: z.RefinementCtx,
): void {
  const release = releaseOfImage(z3.images.zebra, z3.zebraReleases);
  const path = ["images", "zebra"];
  if (release === undefined) {
    ctx.addIssue({
      code: "custom",
      path,
      message: `a Zebra release whose end of support is known: an image tagged with a version of config/z3/zebra-releases.ts (${ZEBRA_RELEASES.map((r) => r.version).join(", ")}), or one stated in z3.zebraReleases (a Mainnet node halts at its release's end of support)`,
    });
    return;
  }
  const missing = missingActiveUpgrades(release);
  if (missing.length > 0) {
    const u = missing[0];
    ctx.addIssue({
      code: "custom",
      path,
      message: `a Zebra release that knows ${u} (active on Mainnet since height ${ACTIVATION_HEIGHTS.Mainnet[u].toLocaleString("en-US")}): ${release.version} knows upgrades up to ${release.newestUpgrade} and cannot follow the chain`,
    });
  }
}

/** The services a settings object deploys (the catalog's `deployedWhen`). */
export function deployedZ3Services(z3: Pick<Z3Settings, "rpcRouter" | "monitoring" | "images">): Z3ServiceName[] {
  return deployedServices(Z3_SERVICES, z3);
}
