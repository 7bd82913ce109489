import { Construct } from "../../lib/cdk";
import { BackupSource, Service, Volume } from "../../lib";
import { replicasOf } from "../../config/common";
import { ServiceParts } from "../service-parts";
import { APP_CONFIG_PATH, appConfigYaml } from "./config-files";
import { APP_HEALTH, APP_PORT, APP_USER, AppContext, appEnvironment, DB_NAME, DB_PORT, DB_USER, zfsSyncServiceBasics } from "./context";

/**
 * The FastAPI app. Its database URL (and so the password when there is one, which makes the file
 * sensitive: a docker_secret on swarm) is in a file in a volume only this container mounts, never in
 * the environment (ZFS_SYNC_DATABASE_URL would override it). Its data is backed up through pg_dump,
 * or, on SQLite, as files.
 */
export function appService(scope: Construct, ctx: AppContext): ServiceParts {
  const { settings, database } = ctx;
  // Upstream mounts ./logs:/logs; the app's RotatingFileHandler writes /logs/zfs_sync.log (10 MB × 5).
  // A named volume takes the image directory's owner (1001) on first mount.
  // Per node on a swarm: each app task writes its own log file.
  const logs = new Volume(scope, "LogsVolume", { name: `${ctx.namePrefix}-logs`, perNode: true });
  const appHostPort = settings.appHostPort;
  const app = new Service(scope, "App", {
    ...zfsSyncServiceBasics(ctx, "app"),
    resources: ctx.settings.resources.app,
    image: ctx.appImage,
    replicas: replicasOf(settings.deployment, "app"),
    user: APP_USER,
    // app.py runs mkdir(/app/static) at import; tmpfs /tmp for Python and uvicorn.
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/app/static": "rw,noexec,nosuid,size=1m" },
    environment: {
      ...appEnvironment(settings),
      // uvicorn honours X-Forwarded-* only from listed peers; the app is reachable from the proxy
      // network and the database network only, so redirects keep the client's https scheme.
      ...(settings.proxy !== undefined ? { FORWARDED_ALLOW_IPS: "*" } : {}),
    },
    configFiles: [{ containerPath: APP_CONFIG_PATH, content: appConfigYaml(database.url) }],
    volumes: [...database.mounts, logs.mount("/logs")],
    bindMounts: [...database.binds],
    networks: ctx.networks,
    ports: appHostPort !== undefined ? [{ containerPort: APP_PORT, hostPort: appHostPort, kind: "http" }] : [],
    healthCheck: APP_HEALTH,
    waitForHealthySeconds: settings.appWaitForHealthySeconds,
    dependsOn: [...(ctx.postgres ? [ctx.postgres] : []), ...(ctx.migrate ? [ctx.migrate] : [])],
  });
  const backupSources: BackupSource[] = !database.volume
    ? []
    : ctx.postgres && database.password
      ? [
          {
            kind: "postgres",
            volume: database.volume,
            server: ctx.postgres,
            network: ctx.network,
            host: "postgres",
            port: DB_PORT,
            database: DB_NAME,
            user: DB_USER,
            password: database.password,
            clients: [app],
          },
        ]
      : // SQLite in rollback-journal mode: a copy taken while no file changed is a consistent database.
        [{ kind: "files", volume: database.volume }];
  return { service: app, volumes: [logs], backupSources };
}
