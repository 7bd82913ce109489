/**
 * The shipped Jessy settings per environment. Upstream (github.com/gokselozgur5/jessy @ aa0bcb4)
 * ships only a development compose file; staging and production here are what its task list asks
 * for (tasks 11.2, 16.1, 20.1).
 */
import type { EnvironmentName } from "../common";
import type { JessySettings } from "./schema";

const UPSTREAM_LOGGING = { default: { maxSizeMiB: 10, maxFiles: 3, compress: false } };
// The upstream health check allows 10s start + 3 × 10s; production binaries start at once.
const PRODUCTION_WAIT = { core: 120, api: 120 };

/** The shipped Jessy settings per environment (upstream `docker-compose.yml` @ aa0bcb4 for dev). */
export const JESSY_SETTINGS: Readonly<Record<EnvironmentName, JessySettings>> = {
  dev: {
    source: { path: "/srv/jessy", target: "development" },
    // Local build tags; not `latest`, so a dev build is never mistaken for a pulled release.
    images: { core: "jessy-core:dev", api: "jessy-api:dev" },
    hotReload: true,
    testProfile: {
      waitForExit: false,
      testImage: "jessy-test:dev",
      coverageImage: "xd009642/tarpaulin:0.35.1",
    },
    apiSecrets: false,
    rustEnv: "development",
    goEnv: "development",
    rustLog: "jessy=debug,actix_web=info",
    logLevel: "debug",
    hostPorts: { core: 8080, api: 3000 },
    // The first cargo-watch build of jessy-core compiles every dependency before /health answers.
    healthyWaitSeconds: { core: 900, api: 300 },
    logging: UPSTREAM_LOGGING,
    resources: {},
  },
  staging: {
    // deploy.yml tags jessy-core:<version> / jessy-api:<version> from the production targets.
    images: { core: "jessy-core:1.0.0", api: "jessy-api:1.0.0" },
    hotReload: false,
    apiSecrets: true,
    rustEnv: "staging",
    goEnv: "staging",
    rustLog: "jessy=info,actix_web=info",
    logLevel: "info",
    // Distinct from dev (8080/3000) and from the zcash stacks, for stacks sharing a host.
    hostPorts: { core: 8081, api: 3001 },
    // On the staging swarm: jessy-api's tasks run beside jessy-core on the data node.
    deployment: { target: "swarm", replicas: { api: 2 } },
    healthyWaitSeconds: PRODUCTION_WAIT,
    logging: UPSTREAM_LOGGING,
    resources: {
      core: { memoryMiB: 2048, cpus: 2 },
      api: { memoryMiB: 512, cpus: 1 },
      mmapInit: { memoryMiB: 64, cpus: 0.25 },
    },
  },
  production: {
    images: { core: "jessy-core:1.0.0", api: "jessy-api:1.0.0" },
    hotReload: false,
    apiSecrets: true,
    rustEnv: "production",
    goEnv: "production",
    rustLog: "jessy=info,actix_web=info",
    logLevel: "info",
    hostPorts: { core: 8082, api: 3002 },
    healthyWaitSeconds: PRODUCTION_WAIT,
    logging: UPSTREAM_LOGGING,
    resources: {
      // docs/DOCKER_SETUP.md's example limit for jessy-core: 2 CPUs / 2G.
      core: { memoryMiB: 2048, cpus: 2 },
      // Not upstream: the Go API and the init container have no documented figures.
      api: { memoryMiB: 512, cpus: 1 },
      mmapInit: { memoryMiB: 64, cpus: 0.25 },
    },
  },
};
