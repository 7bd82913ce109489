import { Construct } from "../../lib/cdk";
import { ContainerImage, Secret, Service, Volume } from "../../lib";
import { ServiceParts } from "../service-parts";
import { DB_NAME, DB_USER, ZfsSyncContext, zfsSyncServiceBasics } from "./context";

/** postgres:*-alpine's `postgres` user, which the entrypoint drops to with su-exec. */
const POSTGRES_USER_ID = "70:70";

/** PostgreSQL 15 (upstream's production override) on its data volume; the app's builder says how it is backed up (pg_dump). */
export function postgresService(
  scope: Construct,
  ctx: ZfsSyncContext & { readonly volume: Volume; readonly password: Secret; readonly waitForHealthySeconds: number },
): ServiceParts {
  const service = new Service(scope, "Postgres", {
    ...zfsSyncServiceBasics(ctx, "postgres"),
    resources: ctx.settings.resources.postgres,
    image: new ContainerImage(scope, "PostgresImage", { reference: ctx.images.postgres }),
    rootReason: "the postgres entrypoint chowns PGDATA and the socket directory, then drops to UID 70 with su-exec",
    // The entrypoint re-reads POSTGRES_PASSWORD_FILE after dropping to `postgres`, so the file must be readable by UID 70.
    dropsToUser: POSTGRES_USER_ID,
    capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
    // The socket and lock file live in /var/run/postgresql; initdb and psql use /tmp.
    tmpfs: { "/var/run/postgresql": "rw,noexec,nosuid,size=1m", "/tmp": "rw,noexec,nosuid,size=64m" },
    environment: {
      POSTGRES_USER: DB_USER,
      POSTGRES_DB: DB_NAME,
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres_password",
      PGDATA: "/var/lib/postgresql/data/pgdata",
    },
    secretFiles: [ctx.password.file("/run/secrets/postgres_password")],
    volumes: [ctx.volume.mount("/var/lib/postgresql/data")],
    networks: [{ network: ctx.network, aliases: ["postgres"] }],
    healthCheck: {
      // Upstream runs `pg_isready -U zfssync` over the socket, which also answers during the
      // first-boot init server; over TCP it answers only once the real server listens.
      test: ["CMD-SHELL", `pg_isready -U ${DB_USER} -d ${DB_NAME} -h 127.0.0.1`],
      intervalSeconds: 10,
      timeoutSeconds: 5,
      retries: 5,
      startPeriodSeconds: 30,
    },
    waitForHealthySeconds: ctx.waitForHealthySeconds,
    // The image stops with SIGINT (fast shutdown); give it time to checkpoint instead of crash recovery.
    stopTimeoutSeconds: 30,
  });
  return { service, volumes: [ctx.volume], secrets: [ctx.password] };
}
