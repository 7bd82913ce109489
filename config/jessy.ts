/**
 * Jessy settings: the shape, the shipped data per environment and the validator. Upstream
 * (github.com/gokselozgur5/jessy @ aa0bcb4) ships only a development compose file; staging and
 * production here are what its task list asks for (tasks 11.2, 16.1, 20.1).
 */
import type { EnvironmentName, EnvironmentSettings, ResourceLimits } from "./types";
import type { SettingsChecker } from "./validate";

/** `docker/Dockerfile.rust` / `docker/Dockerfile.go` stage to build. */
export type JessyBuildTarget = "development" | "production";

/** Values of `RUST_ENV` / `GO_ENV` upstream uses (`.env.test` sets "test"). */
export type JessyAppEnvironment = "development" | "test" | "staging" | "production";
/** zerolog levels jessy-api's `LOG_LEVEL` accepts. */
export type JessyLogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** Every container the Jessy stack can run (keys of `resources`). */
export type JessyServiceName =
  | "core"
  | "api"
  | "mmapInit"
  | "test"
  | "unitTests"
  | "integrationTests"
  | "bddTests"
  | "coverage";
export const JESSY_SERVICE_NAMES: readonly JessyServiceName[] = [
  "core",
  "api",
  "mmapInit",
  "test",
  "unitTests",
  "integrationTests",
  "bddTests",
  "coverage",
];
/** The services of upstream's `test` compose profile. */
export const JESSY_TEST_SERVICE_NAMES: readonly JessyServiceName[] = ["test", "unitTests", "integrationTests", "bddTests", "coverage"];

export interface JessySourceSettings {
  /**
   * Absolute path of a Jessy checkout (upstream layout: `src/`, `tests/`, `api/`, `docker/`), default
   * of the `jessy_source_path` variable. It is the `docker_image` build context (read on the machine
   * running Terraform) and the bind-mount source for hot reload and tests (read on the Docker host):
   * both are the same machine in dev.
   */
  readonly path: string;
  /** Stage of `docker/Dockerfile.rust` and `docker/Dockerfile.go` built for jessy-core and jessy-api. */
  readonly target: JessyBuildTarget;
}

export interface JessyTestProfileSettings {
  /**
   * Terraform waits for each test container to exit and fails the apply on a non-zero exit code.
   * Off in dev: a cold `cargo test --all-features` compiles for many minutes, and a red test is a
   * test result (read it with `docker wait`, the logs and the test-results volume), not a failed deployment.
   */
  readonly waitForExit: boolean;
  /** Tag the `docker/Dockerfile.test` build produces (upstream: `jessy-test:latest`). */
  readonly testImage: string;
  /** Image of the coverage service (upstream pulls `xd009642/tarpaulin:latest`). */
  readonly coverageImage: string;
}

export interface JessyHostPorts {
  /** Host port publishing jessy-core's 8080 (on 127.0.0.1). */
  readonly core: number;
  /** Host port publishing jessy-api's 3000 (on 127.0.0.1). */
  readonly api: number;
}

export interface JessySettings {
  /**
   * Build jessy-core and jessy-api (and the test image) from a source checkout.
   * Unset: `images` are pulled registry references, which are production-stage images.
   */
  readonly source?: JessySourceSettings;
  /**
   * jessy-core and jessy-api image references, defaults of the `jessy_core_image` / `jessy_api_image`
   * variables; with `source`, the tags the builds produce.
   */
  readonly images: { readonly core: string; readonly api: string };
  /**
   * Upstream's dev compose hot reload: source bind mounts from `source.path` plus the cargo, target
   * and Go module caches. Dev only; needs `source.target` "development" (cargo-watch and air live there).
   */
  readonly hotReload: boolean;
  /**
   * Model upstream's `test` compose profile (jessy-test, unit, integration, BDD, coverage) as one-shot
   * containers, run when the stack's `jessy_test_profile` variable is true. Needs `source`; never in production.
   * Unset: no test services.
   */
  readonly testProfile?: JessyTestProfileSettings;
  /** Deliver API_KEY and JWT_SECRET to jessy-api as files from sensitive variables (upstream task 16.1). */
  readonly apiSecrets: boolean;
  /** `RUST_ENV` of jessy-core; "production" switches it to JSON logs. */
  readonly rustEnv: JessyAppEnvironment;
  /** `GO_ENV` of jessy-api; "production" switches zerolog to JSON. */
  readonly goEnv: JessyAppEnvironment;
  /** `RUST_LOG` of jessy-core. */
  readonly rustLog: string;
  /** `LOG_LEVEL` of jessy-api. */
  readonly logLevel: JessyLogLevel;
  readonly hostPorts: JessyHostPorts;
  /** Seconds Terraform waits for each service to report healthy before creating what depends on it. */
  readonly healthyWaitSeconds: { readonly core: number; readonly api: number };
  /** Upstream's json-file rotation is 10m × 3 for both services. */
  readonly logging: { readonly maxSizeMiB: number; readonly maxFiles: number };
  readonly resources: Readonly<Partial<Record<JessyServiceName, ResourceLimits>>>;
}

const UPSTREAM_LOGGING = { maxSizeMiB: 10, maxFiles: 3 };
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

const APP_ENVS: readonly JessyAppEnvironment[] = ["development", "test", "staging", "production"];
const LOG_LEVELS: readonly JessyLogLevel[] = ["trace", "debug", "info", "warn", "error"];

/** Which services a settings object deploys (the keys `resources` may and, if required, must cover). */
export function deployedJessyServices(j: JessySettings): JessyServiceName[] {
  return ["core", "api", "mmapInit", ...(j.testProfile ? JESSY_TEST_SERVICE_NAMES : [])];
}

/** Jessy's settings rules; registered in SYSTEM_VALIDATORS. */
export function validateJessy(s: EnvironmentSettings, c: SettingsChecker): void {
  const j = s.jessy;
  const production = s.name === "production";
  if (j === undefined) {
    c.check(false, "jessy", j, "Jessy settings for every environment");
    return;
  }

  c.image(j.images?.core, "jessy.images.core", s.requirePinnedImages);
  c.image(j.images?.api, "jessy.images.api", s.requirePinnedImages);

  if (j.source !== undefined) {
    c.check(typeof j.source.path === "string" && /^\/[^\0]*$/.test(j.source.path), "jessy.source.path", j.source.path, "an absolute path of a Jessy checkout");
    c.oneOf(j.source.target, ["development", "production"] as const, "jessy.source.target");
    if (production) {
      c.check(j.source.target === "production", "jessy.source.target", j.source.target, '"production" in the production environment (the development stages run as root with cargo-watch and air)');
    }
  }

  c.boolean(j.hotReload, "jessy.hotReload");
  if (j.hotReload === true) {
    c.check(s.name === "dev", "jessy.hotReload", j.hotReload, "false outside dev (source bind mounts and build caches are a development setup)");
    c.check(j.source?.target === "development", "jessy.source.target", j.source?.target, '"development" when jessy.hotReload is true (cargo-watch and air exist only in the development stages)');
  }

  const t = j.testProfile;
  if (t !== undefined) {
    c.check(!production, "jessy.testProfile", t, "unset in the production environment (test containers mount a source checkout and run as root)");
    c.check(j.source !== undefined, "jessy.source", j.source, "a source checkout when jessy.testProfile is set (the test image is built from docker/Dockerfile.test and the tests bind-mount src/ and tests/)");
    c.boolean(t.waitForExit, "jessy.testProfile.waitForExit");
    c.image(t.testImage, "jessy.testProfile.testImage", s.requirePinnedImages);
    c.image(t.coverageImage, "jessy.testProfile.coverageImage", s.requirePinnedImages);
  }

  c.boolean(j.apiSecrets, "jessy.apiSecrets");
  if (production) {
    c.check(j.apiSecrets === true, "jessy.apiSecrets", j.apiSecrets, "true in the production environment (upstream task 16.1: secrets as read-only files)");
  }

  c.oneOf(j.rustEnv, APP_ENVS, "jessy.rustEnv");
  c.oneOf(j.goEnv, APP_ENVS, "jessy.goEnv");
  c.oneOf(j.logLevel, LOG_LEVELS, "jessy.logLevel");
  c.check(typeof j.rustLog === "string" && j.rustLog.trim() !== "", "jessy.rustLog", j.rustLog, "a non-empty RUST_LOG filter");
  if (production) {
    c.check(j.rustEnv === "production", "jessy.rustEnv", j.rustEnv, '"production" in the production environment (JSON logs)');
    c.check(j.goEnv === "production", "jessy.goEnv", j.goEnv, '"production" in the production environment (JSON logs)');
    c.check(["info", "warn", "error"].includes(j.logLevel), "jessy.logLevel", j.logLevel, '"info", "warn" or "error" in the production environment');
  }

  const port = (value: unknown, path: string) =>
    c.check(typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535, path, value, "a TCP port from 1 to 65535");
  port(j.hostPorts?.core, "jessy.hostPorts.core");
  port(j.hostPorts?.api, "jessy.hostPorts.api");
  c.check(j.hostPorts?.core !== j.hostPorts?.api, "jessy.hostPorts.api", j.hostPorts?.api, "a host port other than jessy.hostPorts.core");

  c.positiveInteger(j.healthyWaitSeconds?.core, "jessy.healthyWaitSeconds.core", 10);
  c.positiveInteger(j.healthyWaitSeconds?.api, "jessy.healthyWaitSeconds.api", 10);
  c.positiveInteger(j.logging?.maxSizeMiB, "jessy.logging.maxSizeMiB");
  c.positiveInteger(j.logging?.maxFiles, "jessy.logging.maxFiles");

  for (const name of deployedJessyServices(j)) c.limits(j.resources?.[name], `jessy.resources.${name}`, s.requireResourceLimits);
  for (const name of Object.keys(j.resources ?? {})) {
    c.check((JESSY_SERVICE_NAMES as readonly string[]).includes(name), `jessy.resources.${name}`, name, `a Jessy service: ${JESSY_SERVICE_NAMES.join(", ")}`);
  }
}
