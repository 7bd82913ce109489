/** ZFS Sync settings: the schema (types inferred from it) and its rules outside dev and in production. */
import { z } from "zod";
import {
  allowed,
  bool,
  deploymentSchema,
  EnvironmentContext,
  imageReference,
  integer,
  loggingSchema,
  objectOf,
  oneOf,
  requireLimits,
  resourcesOf,
  strictObject,
  waitSeconds,
} from "../common";
import { imageTag } from "../../lib/image-reference";

/** The containers of the system: the API, its database, the migration job and the TLS proxy. */
const SERVICES = ["app", "postgres", "migrate", "proxy"] as const;
export const zfsSyncServiceNameSchema = oneOf(SERVICES, `a ZFS Sync service: ${SERVICES.join(", ")}`);
export type ZfsSyncServiceName = z.infer<typeof zfsSyncServiceNameSchema>;
export const ZFS_SYNC_SERVICE_NAMES: readonly ZfsSyncServiceName[] = zfsSyncServiceNameSchema.options;

/** Images: the app image also runs the migration job. */
export const zfsSyncImageNameSchema = oneOf(["app", "postgres", "proxy"]);
export type ZfsSyncImageName = z.infer<typeof zfsSyncImageNameSchema>;
export const ZFS_SYNC_IMAGE_NAMES: readonly ZfsSyncImageName[] = zfsSyncImageNameSchema.options;

/** Upstream `Settings.log_level` accepts exactly these. */
export const zfsSyncLogLevelSchema = oneOf(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]);
export type ZfsSyncLogLevel = z.infer<typeof zfsSyncLogLevelSchema>;
export const ZFS_SYNC_LOG_LEVELS: readonly ZfsSyncLogLevel[] = zfsSyncLogLevelSchema.options;

const hostPathText = "an absolute host directory such as /var/lib/zfs-sync (no '..', not '/')";
const portText = "an integer from 1 to 65535";

/**
 * Where the app keeps its data. `sqlite` is upstream's base stack (one container, `/data/zfs_sync.db`);
 * `postgres` is upstream's production override (PostgreSQL 15, health-gated start).
 */
export const zfsSyncDatabaseSchema = z
  .discriminatedUnion(
    "kind",
    [
      strictObject(
        {
          kind: z.literal("sqlite"),
          /**
           * Absolute host path bind-mounted at `/data` (upstream uses `/var/lib/zfs-sync`; it must exist
           * and be owned by UID 1001 on the Docker host). Unset: a named volume `zfs-sync-<env>-data`.
           */
          hostPath: z
            .string(allowed(hostPathText))
            .refine((p) => /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(p) && !p.split("/").includes(".."), hostPathText)
            .optional(),
        },
        "a SQLite database: kind, hostPath",
      ),
      strictObject(
        {
          kind: z.literal("postgres"),
          /** Seconds Terraform waits for `pg_isready` before creating the migration job and the app. */
          waitForHealthySeconds: waitSeconds(),
        },
        "a PostgreSQL database: kind, waitForHealthySeconds",
      ),
    ],
    allowed('one of "sqlite", "postgres"'),
  )
  .readonly();
export type ZfsSyncDatabaseSettings = z.infer<typeof zfsSyncDatabaseSchema>;

/** The TLS-terminating reverse proxy (nginx) in front of the API. */
export const zfsSyncProxySchema = strictObject(
  {
    /** Host port the proxy publishes on every interface (HTTPS). */
    httpsPort: integer(1, 65535, portText),
    /** Per-client-address request rate (nginx `limit_req_zone … rate=`), requests per second. */
    requestsPerSecond: integer(1, 10_000),
    /** Requests above the rate served at once before answering 429 (nginx `limit_req … burst= nodelay`). */
    burst: integer(0, 10_000),
    /** Largest request body accepted (nginx `client_max_body_size`), in MiB: the API takes JSON, at most 1 GiB. */
    maxRequestBodyMiB: integer(1, 1024),
    /** `Strict-Transport-Security: max-age=`, in seconds: at most two years (63072000, the max-age the HSTS preload list recommends). */
    hstsMaxAgeSeconds: integer(0, 2 * 365 * 86_400),
    /** Seconds Terraform waits for the proxy's health check (TLS → app → database readiness). */
    waitForHealthySeconds: waitSeconds(),
  },
  "proxy settings: httpsPort, requestsPerSecond, burst, maxRequestBodyMiB, hstsMaxAgeSeconds, waitForHealthySeconds",
).readonly();
export type ZfsSyncProxySettings = z.infer<typeof zfsSyncProxySchema>;

/** The ZFS Sync settings schema for one environment. */
export function zfsSyncSchema(env: EnvironmentContext) {
  return strictObject(
    {
      /** Default image references; each is overridable at deploy time by a `<name>_image` variable. */
      images: objectOf(ZFS_SYNC_IMAGE_NAMES, imageReference(env.requirePinnedImages), "an image reference per ZFS Sync image"),
      database: zfsSyncDatabaseSchema,
      /**
       * Run `alembic upgrade head` in a one-shot container before the app starts. Needs an app image
       * built from an upstream commit that ships `alembic.ini` (b1961a5 or later; 0.2.0 @ 4363d1b has none).
       */
      migrations: bool(),
      /** `ZFS_SYNC_LOG_LEVEL`. */
      logLevel: zfsSyncLogLevelSchema,
      /** `ZFS_SYNC_DEBUG` (SQL echo, verbose errors). */
      debug: bool(),
      /** Host port for the API on 127.0.0.1 (upstream `8000:8000`). Unset: the app publishes no port. */
      appHostPort: integer(1, 65535, portText).optional(),
      /** Seconds Terraform waits for the app's health check before creating what depends on it. Unset: no wait. */
      appWaitForHealthySeconds: waitSeconds().optional(),
      /** Unset: no proxy (the API is reached on `appHostPort`). */
      proxy: zfsSyncProxySchema.optional(),
      /** Limits per deployed service. */
      resources: resourcesOf(zfsSyncServiceNameSchema),
      /**
       * Containers on one host (unset: the default) or services on the environment's swarm. The app
       * (state in PostgreSQL) and the TLS proxy are replicable; the database and the migration job run once.
       */
      deployment: deploymentSchema(["app", "proxy"], "the database and the migration job run once").optional(),
      /** json-file rotation per service (a missing entry is reported field by field). */
      logging: objectOf(
        ZFS_SYNC_SERVICE_NAMES,
        // Typed as written (an entry per service); a missing one parses as {} and is reported field by field.
        z.preprocess((v) => v ?? {}, loggingSchema) as unknown as typeof loggingSchema,
        "json-file rotation per ZFS Sync service",
      ),
    },
    "the ZFS Sync settings object",
  )
    .readonly()
    .superRefine((s, ctx) => {
      const problem = (ok: boolean, path: string[], message: string) => ok || ctx.addIssue({ code: "custom", path, message });
      if (env.name !== "dev") {
        problem(
          s.database.kind === "postgres",
          ["database", "kind"],
          '"postgres" outside dev (upstream\'s production override; SQLite is the single-container base stack)',
        );
      }
      if (env.name === "production") {
        problem(!s.debug, ["debug"], "false in the production environment (upstream docker-compose.prod.yml sets ZFS_SYNC_DEBUG=false)");
      }
      if (s.appHostPort !== undefined) {
        problem(s.proxy === undefined, ["appHostPort"], "unset when zfsSync.proxy is set (the API is reached only through the TLS proxy)");
      }
      problem(
        s.appHostPort !== undefined || s.proxy !== undefined,
        ["proxy"],
        "a proxy, or zfsSync.appHostPort (otherwise the API is unreachable from outside Docker)",
      );
      if (env.name !== "dev") {
        problem(
          s.proxy !== undefined,
          ["proxy"],
          "a TLS proxy outside dev (the API carries API keys and must not be served in clear text)",
        );
      }
      if (s.deployment?.target === "swarm" && (s.deployment.replicas?.app ?? 1) > 1) {
        problem(
          s.database.kind === "postgres",
          ["deployment", "replicas", "app"],
          '1 with database.kind "sqlite" (a SQLite file has one writer); choose "postgres" for more',
        );
      }
      if (s.migrations) {
        const tag = imageTag(s.images.app);
        problem(
          tag === undefined || !APP_BUILDS_WITHOUT_ALEMBIC.includes(tag),
          ["migrations"],
          `false with images.app ${JSON.stringify(s.images.app)}: that build has no alembic.ini, so the migration job would fail; or an app image built from upstream b1961a5 or later (docs/zfs-sync.md)`,
        );
      }
      requireLimits(ctx, s.resources, zfsSyncDeployedServices(s), env.requireResourceLimits);
    });
}
export type ZfsSyncSettings = z.infer<ReturnType<typeof zfsSyncSchema>>;

/**
 * Tags of the app image built from upstream commits that ship no `alembic.ini`: the migration job
 * fails on them (0.2.0 is upstream 4363d1b; Alembic arrived in b1961a5). docs/zfs-sync.md.
 */
export const APP_BUILDS_WITHOUT_ALEMBIC: readonly string[] = ["0.2.0"];

/** The services a settings object deploys. */
export function zfsSyncDeployedServices(z: Pick<ZfsSyncSettings, "database" | "migrations" | "proxy">): ZfsSyncServiceName[] {
  return ZFS_SYNC_SERVICE_NAMES.filter((name) => {
    if (name === "postgres") return z.database?.kind === "postgres";
    if (name === "migrate") return z.migrations === true;
    if (name === "proxy") return z.proxy !== undefined;
    return true;
  });
}
