/** Jessy settings: the schema (types inferred from it) and its dev-only and production rules. */
import { z } from "zod";
import {
  bool,
  deploymentSchema,
  EnvironmentContext,
  freeText,
  imageReference,
  integer,
  loggingPolicySchema,
  nonEmptyString,
  oneOf,
  requireLimits,
  resourcesOf,
  strictObject,
  waitSeconds,
} from "../common";
import { catalogKeys, deployedServices, replicableServices } from "../catalog";
import { JESSY_SERVICES } from "./services";

/** `docker/Dockerfile.rust` / `docker/Dockerfile.go` stage to build. */
export const jessyBuildTargetSchema = oneOf(["development", "production"]);
export type JessyBuildTarget = z.infer<typeof jessyBuildTargetSchema>;

/** Values of `RUST_ENV` / `GO_ENV` upstream uses (`.env.test` sets "test"). */
export const jessyAppEnvironmentSchema = oneOf(["development", "test", "staging", "production"]);
export type JessyAppEnvironment = z.infer<typeof jessyAppEnvironmentSchema>;

/** zerolog levels jessy-api's `LOG_LEVEL` accepts. */
export const jessyLogLevelSchema = oneOf(["trace", "debug", "info", "warn", "error"]);
export type JessyLogLevel = z.infer<typeof jessyLogLevelSchema>;

/** Every container the Jessy stack can run (keys of `resources`), in the catalog's order (config/jessy/services.ts). */
const SERVICES = catalogKeys(JESSY_SERVICES);
export const jessyServiceNameSchema = oneOf(SERVICES, `a Jessy service: ${SERVICES.join(", ")}`);
export type JessyServiceName = z.infer<typeof jessyServiceNameSchema>;
export const JESSY_SERVICE_NAMES: readonly JessyServiceName[] = jessyServiceNameSchema.options;

export const jessySourceSchema = strictObject(
  {
    /**
     * Absolute path of a Jessy checkout (upstream layout: `src/`, `tests/`, `api/`, `docker/`), default
     * of the `jessy_source_path` variable. It is the `docker_image` build context (read on the machine
     * running Terraform) and the bind-mount source for hot reload and tests (read on the Docker host):
     * both are the same machine in dev.
     */
    path: freeText("an absolute path of a Jessy checkout", (p) => /^\/[^\0]*$/.test(p)),
    /** Stage of `docker/Dockerfile.rust` and `docker/Dockerfile.go` built for jessy-core and jessy-api. */
    target: jessyBuildTargetSchema,
  },
  "a source checkout: path and target",
).readonly();
export type JessySourceSettings = z.infer<typeof jessySourceSchema>;

export function jessyTestProfileSchema(env: EnvironmentContext) {
  return strictObject(
    {
      /**
       * Terraform waits for each test container to exit and fails the apply on a non-zero exit code.
       * Off in dev: a cold `cargo test --all-features` compiles for many minutes, and a red test is a
       * test result (read it with `docker wait`, the logs and the test-results volume), not a failed deployment.
       */
      waitForExit: bool(),
      /** Tag the `docker/Dockerfile.test` build produces (upstream: `jessy-test:latest`). */
      testImage: imageReference(env.requirePinnedImages),
      /** Image of the coverage service (upstream pulls `xd009642/tarpaulin:latest`). */
      coverageImage: imageReference(env.requirePinnedImages),
    },
    "test profile settings: waitForExit, testImage, coverageImage",
  ).readonly();
}
export type JessyTestProfileSettings = z.infer<ReturnType<typeof jessyTestProfileSchema>>;

const portText = "a TCP port from 1 to 65535";
export const jessyHostPortsSchema = strictObject(
  {
    /** Host port publishing jessy-core's 8080 (on 127.0.0.1). */
    core: integer(1, 65535, portText),
    /** Host port publishing jessy-api's 3000 (on 127.0.0.1). */
    api: integer(1, 65535, portText),
  },
  "host ports for core and api",
).readonly();
export type JessyHostPorts = z.infer<typeof jessyHostPortsSchema>;

/** The Jessy settings schema for one environment. */
export function jessySchema(env: EnvironmentContext) {
  const production = env.name === "production";
  const inProduction = " in the production environment";
  return strictObject(
    {
      /**
       * jessy-core and jessy-api image references, defaults of the `jessy_core_image` / `jessy_api_image`
       * variables; with `source`, the tags the builds produce.
       */
      images: strictObject(
        { core: imageReference(env.requirePinnedImages), api: imageReference(env.requirePinnedImages) },
        "image references for core and api",
      ).readonly(),
      /**
       * Build jessy-core and jessy-api (and the test image) from a source checkout.
       * Unset: `images` are pulled registry references, which are production-stage images.
       */
      source: jessySourceSchema.optional(),
      /**
       * Upstream's dev compose hot reload: source bind mounts from `source.path` plus the cargo, target
       * and Go module caches. Dev only; needs `source.target` "development" (cargo-watch and air live there).
       */
      hotReload: bool(),
      /**
       * Model upstream's `test` compose profile (jessy-test, unit, integration, BDD, coverage) as one-shot
       * containers, run when the stack's `jessy_test_profile` variable is true. Needs `source`; never in production.
       * Unset: no test services.
       */
      testProfile: jessyTestProfileSchema(env).optional(),
      /** Deliver API_KEY and JWT_SECRET to jessy-api as files from sensitive variables (upstream task 16.1). */
      apiSecrets: bool(),
      /** `RUST_ENV` of jessy-core; "production" switches it to JSON logs. */
      rustEnv: jessyAppEnvironmentSchema,
      /** `GO_ENV` of jessy-api; "production" switches zerolog to JSON. */
      goEnv: jessyAppEnvironmentSchema,
      /** `LOG_LEVEL` of jessy-api. */
      logLevel: jessyLogLevelSchema,
      /** `RUST_LOG` of jessy-core. */
      rustLog: nonEmptyString("a non-empty RUST_LOG filter"),
      hostPorts: jessyHostPortsSchema,
      /** Seconds Terraform waits for each service to report healthy before creating what depends on it. */
      healthyWaitSeconds: strictObject({ core: waitSeconds(), api: waitSeconds() }, "health waits for core and api").readonly(),
      /** json-file rotation: a default and per-service overrides (upstream's is 10m × 3 for both services). */
      logging: loggingPolicySchema(JESSY_SERVICE_NAMES),
      resources: resourcesOf(jessyServiceNameSchema),
      /**
       * Containers on one host (unset: the default) or services on the environment's swarm. Only
       * jessy-api is replicable: it only reads jessy-core's mmap volume, so its tasks run on jessy-core's node.
       */
      deployment: deploymentSchema(
        replicableServices(JESSY_SERVICES),
        "jessy-api only reads jessy-core's volume; jessy-core is its single writer",
      ).optional(),
    },
    "Jessy settings for every environment",
  )
    .readonly()
    .superRefine((j, ctx) => {
      const problem = (ok: boolean, path: string[], value: string) => ok || ctx.addIssue({ code: "custom", path, message: value });
      if (j.source !== undefined && production) {
        problem(
          j.source.target === "production",
          ["source", "target"],
          `"production"${inProduction} (the development stages run as root with cargo-watch and air)`,
        );
      }
      if (j.hotReload) {
        problem(env.name === "dev", ["hotReload"], "false outside dev (source bind mounts and build caches are a development setup)");
        problem(
          j.source?.target === "development",
          ["source", "target"],
          '"development" when jessy.hotReload is true (cargo-watch and air exist only in the development stages)',
        );
      }
      if (j.testProfile !== undefined) {
        problem(!production, ["testProfile"], `unset${inProduction} (test containers mount a source checkout and run as root)`);
        problem(
          j.source !== undefined,
          ["source"],
          "a source checkout when jessy.testProfile is set (the test image is built from docker/Dockerfile.test and the tests bind-mount src/ and tests/)",
        );
      }
      if (production) {
        problem(j.apiSecrets, ["apiSecrets"], `true${inProduction} (upstream task 16.1: secrets as read-only files)`);
        problem(j.rustEnv === "production", ["rustEnv"], `"production"${inProduction} (JSON logs)`);
        problem(j.goEnv === "production", ["goEnv"], `"production"${inProduction} (JSON logs)`);
        problem(["info", "warn", "error"].includes(j.logLevel), ["logLevel"], `"info", "warn" or "error"${inProduction}`);
      }
      if (j.deployment?.target === "swarm") {
        problem(
          j.source === undefined,
          ["source"],
          'unset with deployment.target "swarm" (an image Terraform builds exists on one node only; swarm nodes run pulled images)',
        );
      }
      problem(j.hostPorts.core !== j.hostPorts.api, ["hostPorts", "api"], "a host port other than jessy.hostPorts.core");
      requireLimits(ctx, j.resources, deployedJessyServices(j), env.requireResourceLimits);
    });
}
export type JessySettings = z.infer<ReturnType<typeof jessySchema>>;

/** Which services a settings object deploys (the keys `resources` may and, if required, must cover). */
export function deployedJessyServices(j: Pick<JessySettings, "testProfile" | "images" | "source">): JessyServiceName[] {
  return deployedServices(JESSY_SERVICES, j);
}
