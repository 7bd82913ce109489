import { Construct, Fn } from "../../lib/cdk";
import {
  BackupSource,
  BindMount,
  ContainerImage,
  HealthCheck,
  Network,
  NetworkAttachment,
  Secret,
  Service,
  Volume,
  VolumeMount,
} from "../../lib";
import type { ZfsSyncImageName, ZfsSyncServiceName, ZfsSyncSettings } from "../../config/zfs-sync/schema";
import { replicasOf } from "../../config/common";
import { APP_CONFIG_PATH, appConfigYaml, migrateScript, postgresDatabaseUrl, proxyNginxConf, SQLITE_DATABASE_URL } from "./config-files";

/** What the stack decides for one deployment and the settings do not hold. */
export interface ZfsSyncDeployment {
  /** Prefix of every Docker name (containers, volumes, networks), so environments can share a host. */
  readonly namePrefix: string;
  /**
   * Image reference per image the stack chose (usually a Terraform variable defaulting to the settings).
   * @default - the settings' reference, for each image not given
   */
  readonly images?: Readonly<Partial<Record<ZfsSyncImageName, string>>>;
  /**
   * `server_name` of the proxy (a Terraform expression is fine).
   * @default "_" - any name
   */
  readonly serverName?: string;
  /** `prevent_destroy` on the database volume. */
  readonly protectData: boolean;
}

/** Upstream Dockerfile: `USER zfssync`, UID/GID 1001 (since 8d33dbc). */
const APP_USER = "1001:1001";
/** The upstream image's CMD listens here (`uvicorn … --port 8000`). */
const APP_PORT = 8000;
/** postgres:*-alpine's `postgres` user, which the entrypoint drops to with su-exec. */
const POSTGRES_USER_ID = "70:70";
/** nginx-unprivileged runs as `nginx`, UID 101; 8443 needs no NET_BIND_SERVICE. */
const PROXY_USER = "101:101";
const PROXY_LISTEN_PORT = 8443;
/** Upstream `docker-compose.prod.yml`: POSTGRES_USER and POSTGRES_DB. */
const DB_USER = "zfssync";
const DB_NAME = "zfssync";
const API_PREFIX = "/api/v1";

/** Upstream healthcheck (compose and Dockerfile): curl -f /api/v1/health, 30s / 10s / 3 / 40s. */
const APP_HEALTH: HealthCheck = {
  test: ["CMD", "curl", "-f", `http://localhost:${APP_PORT}${API_PREFIX}/health`],
  intervalSeconds: 30,
  timeoutSeconds: 10,
  retries: 3,
  startPeriodSeconds: 40,
};

/**
 * ZFS Sync, the FastAPI "witness" service (`nickilby/zfs_sync`): the app on SQLite (upstream base
 * stack), or the app on PostgreSQL 15 with a migration job and a TLS proxy (upstream production
 * override, repaired: one shared network, a file-delivered password, a config file the app reads).
 */
export class ZfsSync extends Construct {
  readonly app: Service;
  readonly postgres?: Service;
  readonly migrate?: Service;
  readonly proxy?: Service;
  /** App, database and migration job; internal. */
  readonly network: Network;
  /** Proxy ↔ app; internal. */
  readonly frontendNetwork?: Network;
  /** Non-internal, for the one container that publishes a port (the app without a proxy, else the proxy). */
  readonly edgeNetwork?: Network;
  /** SQLite data (named-volume variant) or PostgreSQL data. */
  readonly dataVolume?: Volume;
  readonly logsVolume: Volume;
  /** How its data is backed up: PostgreSQL through pg_dump, SQLite as files. */
  readonly backupSources: readonly BackupSource[];
  readonly services: Service[] = [];

  constructor(scope: Construct, id: string, settings: ZfsSyncSettings, deployment: ZfsSyncDeployment) {
    super(scope, id);
    const prefix = deployment.namePrefix;
    const image = (name: ZfsSyncImageName) => deployment.images?.[name] ?? settings.images[name];
    const common = (name: ZfsSyncServiceName) => ({
      logging: settings.logging[name],
      resources: settings.resources[name],
    });
    const appImage = new ContainerImage(this, "AppImage", { reference: image("app") });

    // Upstream's zfs-sync-network, shared by app, database and migration job (upstream since 6626207
    // puts app and database on different networks, so `postgres` does not resolve). Internal: nothing
    // on it needs a route out. Docker publishes no port of a container attached to internal networks
    // only, so whatever publishes a port (the app in dev, else the proxy) also joins the edge network.
    const appHostPort = settings.appHostPort;
    const appPublishes = appHostPort !== undefined;
    this.network = new Network(this, "Network", { name: `${prefix}-network`, internal: true });
    if (appPublishes || settings.proxy !== undefined) {
      this.edgeNetwork = new Network(this, "EdgeNetwork", { name: `${prefix}-edge`, internal: false });
    }
    const appNetworks: NetworkAttachment[] = [{ network: this.network, aliases: ["zfs-sync"] }];
    if (appPublishes && this.edgeNetwork) appNetworks.push({ network: this.edgeNetwork, aliases: ["zfs-sync"] });

    // Upstream mounts ./logs:/logs; the app's RotatingFileHandler writes /logs/zfs_sync.log (10 MB × 5).
    // A named volume takes the image directory's owner (1001) on first mount.
    // Per node on a swarm: each app task writes its own log file.
    this.logsVolume = new Volume(this, "LogsVolume", { name: `${prefix}-logs`, perNode: true });

    let databaseUrl: string;
    let dataMounts: VolumeMount[] = [];
    let dataBinds: BindMount[] = [];
    let dbPassword: Secret | undefined;
    const database = settings.database;
    if (database.kind === "sqlite") {
      databaseUrl = SQLITE_DATABASE_URL;
      if (database.hostPath !== undefined) {
        dataBinds = [{ hostPath: database.hostPath, containerPath: "/data", readOnly: false }];
      } else {
        this.dataVolume = new Volume(this, "DataVolume", {
          name: `${prefix}-data`,
          stateful: true,
          preventDestroy: deployment.protectData,
        });
        dataMounts = [this.dataVolume.mount("/data")];
      }
    } else {
      dbPassword = new Secret(this, "PostgresPassword", {
        variableName: "postgres_password",
        description: "PostgreSQL password of the zfssync role (upstream POSTGRES_PASSWORD, which upstream defaults to a well-known word)",
        minLength: 16,
      });
      databaseUrl = postgresDatabaseUrl({
        user: DB_USER,
        database: DB_NAME,
        host: "postgres",
        port: 5432,
        // Any character is allowed in the password; the URL carries it percent-encoded.
        encodedPassword: Fn.urlencode(dbPassword.value),
      });
      this.dataVolume = new Volume(this, "PostgresVolume", {
        name: `${prefix}-postgres-data`,
        stateful: true,
        preventDestroy: deployment.protectData,
      });
      this.postgres = this.add(
        new Service(this, "Postgres", {
          ...common("postgres"),
          name: `${prefix}-postgres`,
          image: new ContainerImage(this, "PostgresImage", { reference: image("postgres") }),
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
          secretFiles: [dbPassword.file("/run/secrets/postgres_password")],
          volumes: [this.dataVolume.mount("/var/lib/postgresql/data")],
          networks: [{ network: this.network, aliases: ["postgres"] }],
          healthCheck: {
            // Upstream runs `pg_isready -U zfssync` over the socket, which also answers during the
            // first-boot init server; over TCP it answers only once the real server listens.
            test: ["CMD-SHELL", `pg_isready -U ${DB_USER} -d ${DB_NAME} -h 127.0.0.1`],
            intervalSeconds: 10,
            timeoutSeconds: 5,
            retries: 5,
            startPeriodSeconds: 30,
          },
          waitForHealthySeconds: database.waitForHealthySeconds,
          // The image stops with SIGINT (fast shutdown); give it time to checkpoint instead of crash recovery.
          stopTimeoutSeconds: 30,
        }),
      );
    }

    // Holds the database URL (and so the password when there is one, which makes the file sensitive: a
    // docker_secret on swarm): a file in a volume only this container mounts. The URL is never in the
    // environment: ZFS_SYNC_DATABASE_URL would override it.
    const configFiles = [{ containerPath: APP_CONFIG_PATH, content: appConfigYaml(databaseUrl) }];
    const appEnvironment: Record<string, string> = {
      // Upstream's variables; effective now that a config file is found (they override its keys).
      ZFS_SYNC_HOST: "0.0.0.0",
      ZFS_SYNC_PORT: String(APP_PORT),
      ZFS_SYNC_LOG_LEVEL: settings.logLevel,
      ZFS_SYNC_DEBUG: String(settings.debug),
      // The start-up check otherwise creates ./logs under the read-only /app.
      ZFS_SYNC_LOG_DIR: "/logs",
      PYTHONDONTWRITEBYTECODE: "1",
    };

    if (settings.migrations) {
      this.migrate = this.add(
        new Service(this, "Migrate", {
          ...common("migrate"),
          name: `${prefix}-migrate`,
          image: appImage,
          user: APP_USER,
          oneShot: true,
          command: ["sh", "-c", migrateScript()],
          environment: { ...appEnvironment, ZFS_SYNC_LOG_DIR: "/tmp" },
          tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
          configFiles,
          volumes: dataMounts,
          bindMounts: dataBinds,
          networks: [{ network: this.network }],
          dependsOn: this.postgres ? [this.postgres] : [],
        }),
      );
    }

    const proxy = settings.proxy;
    const viaProxy = proxy !== undefined;
    if (viaProxy) {
      // Proxy ↔ app only: the proxy never sees the database network.
      this.frontendNetwork = new Network(this, "FrontendNetwork", { name: `${prefix}-frontend`, internal: true });
      appNetworks.push({ network: this.frontendNetwork, aliases: ["zfs-sync"] });
    }
    this.app = this.add(
      new Service(this, "App", {
        ...common("app"),
        name: `${prefix}-app`,
        image: appImage,
        replicas: replicasOf(settings.deployment, "app"),
        user: APP_USER,
        // app.py runs mkdir(/app/static) at import; tmpfs /tmp for Python and uvicorn.
        tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/app/static": "rw,noexec,nosuid,size=1m" },
        environment: {
          ...appEnvironment,
          // uvicorn honours X-Forwarded-* only from listed peers; the app is reachable from the proxy
          // network and the database network only, so redirects keep the client's https scheme.
          ...(viaProxy ? { FORWARDED_ALLOW_IPS: "*" } : {}),
        },
        configFiles,
        volumes: [...dataMounts, this.logsVolume.mount("/logs")],
        bindMounts: dataBinds,
        networks: appNetworks,
        ports: appPublishes ? [{ containerPort: APP_PORT, hostPort: appHostPort, kind: "http" }] : [],
        healthCheck: APP_HEALTH,
        waitForHealthySeconds: settings.appWaitForHealthySeconds,
        dependsOn: [...(this.postgres ? [this.postgres] : []), ...(this.migrate ? [this.migrate] : [])],
      }),
    );
    this.backupSources = !this.dataVolume
      ? []
      : this.postgres && dbPassword
        ? [
            {
              kind: "postgres",
              volume: this.dataVolume,
              server: this.postgres,
              network: this.network,
              host: "postgres",
              port: 5432,
              database: DB_NAME,
              user: DB_USER,
              password: dbPassword,
              clients: [this.app],
            },
          ]
        : // SQLite in rollback-journal mode: a copy taken while no file changed is a consistent database.
          [{ kind: "files", volume: this.dataVolume }];

    if (proxy && this.frontendNetwork && this.edgeNetwork) {
      const certificate = new Secret(this, "TlsCertificate", {
        variableName: "tls_certificate",
        description: "PEM certificate chain the proxy serves (leaf first)",
        minLength: 64,
      });
      const privateKey = new Secret(this, "TlsPrivateKey", {
        variableName: "tls_private_key",
        description: "PEM private key of tls_certificate",
        minLength: 64,
      });
      const certificatePath = "/run/secrets/tls_certificate";
      const privateKeyPath = "/run/secrets/tls_private_key";
      this.proxy = this.add(
        new Service(this, "Proxy", {
          ...common("proxy"),
          name: `${prefix}-proxy`,
          replicas: replicasOf(settings.deployment, "proxy"),
          image: new ContainerImage(this, "ProxyImage", { reference: image("proxy") }),
          user: PROXY_USER,
          command: ["nginx", "-c", "/etc/nginx/zfs-sync/nginx.conf"],
          // pid file and request/response buffers (see the generated nginx.conf).
          tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
          configFiles: [
            {
              containerPath: "/etc/nginx/zfs-sync/nginx.conf",
              content: proxyNginxConf(proxy, {
                listenPort: PROXY_LISTEN_PORT,
                serverName: deployment.serverName ?? "_",
                upstreamUrl: `http://zfs-sync:${APP_PORT}`,
                certificatePath,
                privateKeyPath,
                eventStreamPath: `${API_PREFIX}/dashboard/events`,
              }),
            },
          ],
          secretFiles: [certificate.file(certificatePath), privateKey.file(privateKeyPath)],
          networks: [{ network: this.edgeNetwork }, { network: this.frontendNetwork }],
          ports: [{ containerPort: PROXY_LISTEN_PORT, hostPort: proxy.httpsPort, kind: "https", public: true }],
          healthCheck: {
            // Readiness end to end: TLS here, then the app's /health/ready, which runs SELECT 1.
            test: ["CMD", "curl", "-fsk", "-o", "/dev/null", `https://127.0.0.1:${PROXY_LISTEN_PORT}${API_PREFIX}/health/ready`],
            intervalSeconds: 30,
            timeoutSeconds: 10,
            retries: 3,
            startPeriodSeconds: 10,
          },
          waitForHealthySeconds: proxy.waitForHealthySeconds,
          dependsOn: [this.app],
        }),
      );
    }
  }

  private add(service: Service): Service {
    this.services.push(service);
    return service;
  }
}
