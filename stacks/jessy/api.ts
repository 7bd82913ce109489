import { Construct } from "../../lib/cdk";
import { ContainerImage, Secret, SecretFile, Service } from "../../lib";
import { replicasOf } from "../../config/common";
import { ServiceParts } from "../service-parts";
import { bindSource, DEV_STAGE_POSTURE, devStage, JessyContext, jessyServiceBasics, PRODUCTION_STAGE_POSTURE } from "./context";
import { API_PORT, CORE_PORT, MMAP_PATH, UPSTREAM_HEALTH_TIMINGS } from "./layout";

/** The API key and JWT secret as files from sensitive variables (upstream task 16.1), with their `*_FILE` variables. */
function apiSecrets(scope: Construct): { secrets: Secret[]; files: SecretFile[]; environment: Record<string, string> } {
  const apiKey = new Secret(scope, "ApiKey", {
    variableName: "api_key",
    description: "API key of jessy-api (API_KEY in upstream .env.example), delivered as /run/secrets/api_key",
    minLength: 32,
  });
  const jwtSecret = new Secret(scope, "JwtSecret", {
    variableName: "jwt_secret",
    description: "JWT signing secret of jessy-api (JWT_SECRET in upstream .env.example), delivered as /run/secrets/jwt_secret",
    minLength: 32,
  });
  return {
    secrets: [apiKey, jwtSecret],
    files: [apiKey.file("/run/secrets/api_key"), jwtSecret.file("/run/secrets/jwt_secret")],
    // The *_FILE convention: upstream reads neither variable yet (see docs/jessy.md, deviations).
    environment: { API_KEY_FILE: "/run/secrets/api_key", JWT_SECRET_FILE: "/run/secrets/jwt_secret" },
  };
}

/** jessy-api (Go, Fiber): reads the mmap volume only, so it needs no capability even in dev, and may run several tasks. */
export function apiService(scope: Construct, ctx: JessyContext & { readonly core: Service }): ServiceParts {
  const { settings, hotReload, source } = ctx;
  const image = new ContainerImage(scope, "ApiImage", {
    reference: ctx.apiImage,
    build: source ? { contextPath: source.path, dockerfile: "docker/Dockerfile.go", target: source.target } : undefined,
  });
  const secrets = settings.apiSecrets ? apiSecrets(scope) : { secrets: [], files: [], environment: {} };
  const posture = devStage(ctx) ? DEV_STAGE_POSTURE("Dockerfile.go development (air)", false) : PRODUCTION_STAGE_POSTURE;
  const api = new Service(scope, "Api", {
    ...jessyServiceBasics(ctx, "api"),
    resources: ctx.settings.resources.api,
    image,
    replicas: replicasOf(settings.deployment, "api"),
    ...posture,
    environment: {
      GO_ENV: settings.goEnv,
      PORT: String(API_PORT),
      // Upstream's service name stays the DNS name through the network alias.
      RUST_SERVICE_URL: `http://jessy-core:${CORE_PORT}`,
      LOG_LEVEL: settings.logLevel,
      ...secrets.environment,
    },
    networks: [{ network: ctx.network, aliases: ["jessy-api"] }],
    ports: [{ containerPort: API_PORT, hostPort: settings.hostPorts.api, kind: "http" }],
    volumes: [ctx.mmapVolume.mount(MMAP_PATH, { readOnly: true }), ...(hotReload ? [hotReload.goCache.mount("/go/pkg/mod")] : [])],
    bindMounts: hotReload
      ? [bindSource(hotReload.sourcePath, "api", "/app/api"), bindSource(hotReload.sourcePath, "api/.air.toml", "/app/.air.toml")]
      : [],
    secretFiles: secrets.files,
    healthCheck: {
      test: ["CMD", "wget", "--no-verbose", "--tries=1", "--spider", `http://localhost:${API_PORT}/api/health`],
      ...UPSTREAM_HEALTH_TIMINGS,
    },
    waitForHealthySeconds: settings.healthyWaitSeconds.api,
    // api/main.go waits up to 30s for in-flight requests on SIGTERM; Docker's default 10s would cut it short.
    stopTimeoutSeconds: 30,
    dependsOn: [ctx.core],
  });
  return { service: api, secrets: secrets.secrets };
}
