import { Construct } from "../../lib/cdk";
import {
  BackupSource,
  BindMount,
  Capability,
  Condition,
  ContainerImage,
  Logging,
  Network,
  ProblemCollector,
  Secret,
  SecretFile,
  Service,
  Volume,
  VolumeMount,
} from "../../lib";
import type { JessyServiceName, JessySettings, JessyTestProfileSettings } from "../../config/jessy/schema";
import { replicasOf } from "../../config/common";
import { API_PORT, CORE_PORT, JESSY_UID, MMAP_PATH, mmapInitScript, UPSTREAM_HEALTH_TIMINGS } from "./layout";

/** What the stack decides about running the test profile; the settings hold the rest. */
export interface JessyTestProfileDeployment {
  /** Image reference of the coverage service (tarpaulin), e.g. a Terraform variable defaulting to the settings' `coverageImage`. */
  readonly coverageImage: string;
  /**
   * Gates the test containers and their images, like compose's `--profile test`.
   * @default - always deployed
   */
  readonly enabledWhen?: Condition;
}

/**
 * What the stack decides for one deployment and the settings do not hold: Docker names, the image
 * references it chose, Terraform references, and data protection.
 */
export interface JessyDeployment {
  /** Prefix of every Docker name (containers, volumes, network), so environments can share a host. */
  readonly namePrefix: string;
  /**
   * Image references of jessy-core and jessy-api: Terraform variable references for pulled images,
   * or, with `settings.source`, the tags the builds produce.
   */
  readonly images: { readonly core: string; readonly api: string };
  /**
   * Absolute path of the Jessy checkout (a reference to the `jessy_source_path` variable): the image
   * build context (on the machine running Terraform) and the source of hot-reload and test bind
   * mounts (on the Docker host). Given exactly when `settings.source` is set.
   * @default - no checkout: images are pulled by reference
   */
  readonly sourcePath?: string;
  /**
   * Given exactly when `settings.testProfile` is set.
   * @default - no test services
   */
  readonly testProfile?: JessyTestProfileDeployment;
  /** `prevent_destroy` on the mmap data volume. @default false */
  readonly protectData?: boolean;
}

/** How a container runs, decided by which Dockerfile stage its image comes from. */
interface Posture {
  readonly user?: string;
  readonly rootReason?: string;
  readonly readOnlyRootFilesystem: boolean;
  readonly tmpfs?: Readonly<Record<string, string>>;
  readonly capabilities?: readonly Capability[];
}

/**
 * Development and test stages run as root, as upstream (no USER; cargo writes $CARGO_HOME under
 * /usr/local/cargo and air writes /app/tmp, both root-owned image paths, so neither UID 1000 nor a
 * read-only root filesystem works). `writesSharedData`: the container writes the UID-1000-owned
 * mmap layout or the checkout's data/ directory; root needs DAC_OVERRIDE for that (upstream's
 * default capability set includes it).
 */
const DEV_STAGE_POSTURE = (tool: string, writesSharedData: boolean): Posture => ({
  rootReason: `upstream's ${tool} image stage has no USER and writes caches and build output into root-owned image paths`,
  readOnlyRootFilesystem: false,
  capabilities: writesSharedData ? ["DAC_OVERRIDE"] : [],
});
const PRODUCTION_STAGE_POSTURE: Posture = {
  user: `${JESSY_UID}:${JESSY_UID}`,
  readOnlyRootFilesystem: true,
  tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
};

/**
 * Jessy (upstream @ aa0bcb4): jessy-core (Rust, actix-web) and jessy-api (Go, Fiber) sharing the
 * mmap volume (core read-write, api read-only), the one-shot init that lays the volume out, and
 * optionally upstream's `test` profile.
 */
export class Jessy extends Construct {
  readonly network: Network;
  /** The mmap data volume (address `docker_volume.jessy_mmap_data`). */
  readonly mmapVolume: Volume;
  /**
   * How its data is backed up: the mmap files copied while jessy-core runs, taken again when a file
   * changed during the copy (its mtime moves with every msync or write).
   */
  readonly backupSources: readonly BackupSource[];
  readonly mmapInit: Service;
  readonly core: Service;
  readonly api: Service;
  /** jessy-test, unit, integration, BDD and coverage, when the test profile is modelled. */
  readonly testServices: readonly Service[];
  readonly services: readonly Service[];

  constructor(scope: Construct, id: string, settings: JessySettings, deployment: JessyDeployment) {
    super(scope, id);
    Jessy.validate(this, settings, deployment);

    const prefix = deployment.namePrefix;
    const { hotReload, resources } = settings;
    // The settings choose the build stage; the stack gives the checkout path as a Terraform reference.
    const source =
      settings.source && deployment.sourcePath !== undefined ? { path: deployment.sourcePath, target: settings.source.target } : undefined;
    const logging: Logging = { ...settings.logging, labels: ["service", "environment"] };
    const common = { logging };
    // Registry images are what CI builds from the production targets (ci.yml, deploy.yml).
    const devStage = (source?.target ?? "production") === "development";

    this.network = new Network(this, "Network", {
      name: `${prefix}-network`,
      // Ports are published, and the dev stages fetch crates and modules at run time.
      internal: false,
    });
    this.mmapVolume = new Volume(this, "MmapData", {
      name: `${prefix}-mmap-data`,
      stateful: true,
      preventDestroy: deployment.protectData ?? false,
    });
    this.backupSources = [{ kind: "files", volume: this.mmapVolume }];

    const build = (dockerfile: string, target?: string) => (source ? { contextPath: source.path, dockerfile, target } : undefined);
    const coreImage = new ContainerImage(this, "CoreImage", {
      reference: deployment.images.core,
      build: build("docker/Dockerfile.rust", source?.target),
    });
    const apiImage = new ContainerImage(this, "ApiImage", {
      reference: deployment.images.api,
      build: build("docker/Dockerfile.go", source?.target),
    });

    // Caches of upstream's dev compose, shared by jessy-core and the Rust test services as upstream does.
    const needsRustCaches = hotReload || settings.testProfile !== undefined;
    const cargoCache = needsRustCaches ? new Volume(this, "CargoCache", { name: `${prefix}-cargo-cache` }) : undefined;
    const targetCache = needsRustCaches ? new Volume(this, "TargetCache", { name: `${prefix}-target-cache` }) : undefined;
    const goCache = hotReload ? new Volume(this, "GoCache", { name: `${prefix}-go-cache` }) : undefined;
    const bind = (from: string, to: string, readOnly = true): BindMount => ({
      hostPath: `${source!.path}/${from}`,
      containerPath: to,
      readOnly,
    });

    // Upstream creates the layout on the host before `up` (init-mmap-volumes.sh); here a one-shot
    // container does it inside the volume, so a remote Docker host needs no script. It runs the
    // jessy-core image (both stages ship /bin/sh and coreutils), so no extra image is pinned.
    this.mmapInit = new Service(this, "MmapInit", {
      ...common,
      name: `${prefix}-mmap-init`,
      image: coreImage,
      user: "0:0",
      rootReason: `creates the mmap layout and chowns it to UID ${JESSY_UID} (upstream: owner 1000, mode 755)`,
      // CHOWN for the chown; FOWNER and DAC_OVERRIDE to chmod and mkdir in directories already owned by 1000 on a re-run.
      capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER"],
      entrypoint: ["/bin/sh", "-c"],
      command: [mmapInitScript()],
      networks: [{ network: this.network }],
      volumes: [this.mmapVolume.mount(MMAP_PATH)],
      oneShot: true,
      resources: resources.mmapInit,
    });

    const corePosture = devStage ? DEV_STAGE_POSTURE("Dockerfile.rust development (cargo-watch)", true) : PRODUCTION_STAGE_POSTURE;
    this.core = new Service(this, "Core", {
      ...common,
      name: `${prefix}-core`,
      image: coreImage,
      ...corePosture,
      environment: {
        RUST_LOG: settings.rustLog,
        RUST_BACKTRACE: "1",
        RUST_ENV: settings.rustEnv,
        // Set by upstream compose; not read by the service code at aa0bcb4.
        MMAP_BASE_PATH: MMAP_PATH,
        MMAP_INITIAL_SIZE: "1048576",
        MMAP_MAX_SIZE: "10485760",
      },
      networks: [{ network: this.network, aliases: ["jessy-core"] }],
      ports: [{ containerPort: CORE_PORT, hostPort: settings.hostPorts.core, kind: "http" }],
      volumes: [
        this.mmapVolume.mount(MMAP_PATH),
        ...(hotReload ? [cargoCache!.mount("/usr/local/cargo/registry"), targetCache!.mount("/app/target")] : []),
      ],
      bindMounts: hotReload
        ? [
            bind("src", "/app/src"),
            bind("Cargo.toml", "/app/Cargo.toml"),
            bind("Cargo.lock", "/app/Cargo.lock"),
            // The data directory is read-write upstream; the mmap volume is mounted inside it.
            bind("data", "/app/data", false),
          ]
        : [],
      healthCheck: { test: ["CMD", "curl", "-f", `http://localhost:${CORE_PORT}/health`], ...UPSTREAM_HEALTH_TIMINGS },
      waitForHealthySeconds: settings.healthyWaitSeconds.core,
      dependsOn: [this.mmapInit],
      resources: resources.core,
    });

    const secretFiles: SecretFile[] = [];
    const secretEnv: Record<string, string> = {};
    if (settings.apiSecrets) {
      const apiKey = new Secret(this, "ApiKey", {
        variableName: "api_key",
        description: "API key of jessy-api (API_KEY in upstream .env.example), delivered as /run/secrets/api_key",
        minLength: 32,
      });
      const jwtSecret = new Secret(this, "JwtSecret", {
        variableName: "jwt_secret",
        description: "JWT signing secret of jessy-api (JWT_SECRET in upstream .env.example), delivered as /run/secrets/jwt_secret",
        minLength: 32,
      });
      secretFiles.push(apiKey.file("/run/secrets/api_key"), jwtSecret.file("/run/secrets/jwt_secret"));
      // The *_FILE convention: upstream reads neither variable yet (see docs/jessy.md, deviations).
      secretEnv.API_KEY_FILE = "/run/secrets/api_key";
      secretEnv.JWT_SECRET_FILE = "/run/secrets/jwt_secret";
    }

    // jessy-api only reads the mmap volume: no capability even in dev.
    const apiPosture = devStage ? DEV_STAGE_POSTURE("Dockerfile.go development (air)", false) : PRODUCTION_STAGE_POSTURE;
    this.api = new Service(this, "Api", {
      ...common,
      name: `${prefix}-api`,
      image: apiImage,
      replicas: replicasOf(settings.deployment, "api"),
      ...apiPosture,
      environment: {
        GO_ENV: settings.goEnv,
        PORT: String(API_PORT),
        // Upstream's service name stays the DNS name through the network alias.
        RUST_SERVICE_URL: `http://jessy-core:${CORE_PORT}`,
        LOG_LEVEL: settings.logLevel,
        ...secretEnv,
      },
      networks: [{ network: this.network, aliases: ["jessy-api"] }],
      ports: [{ containerPort: API_PORT, hostPort: settings.hostPorts.api, kind: "http" }],
      volumes: [this.mmapVolume.mount(MMAP_PATH, { readOnly: true }), ...(hotReload ? [goCache!.mount("/go/pkg/mod")] : [])],
      bindMounts: hotReload ? [bind("api", "/app/api"), bind("api/.air.toml", "/app/.air.toml")] : [],
      secretFiles,
      healthCheck: {
        test: ["CMD", "wget", "--no-verbose", "--tries=1", "--spider", `http://localhost:${API_PORT}/api/health`],
        ...UPSTREAM_HEALTH_TIMINGS,
      },
      waitForHealthySeconds: settings.healthyWaitSeconds.api,
      // api/main.go waits up to 30s for in-flight requests on SIGTERM; Docker's default 10s would cut it short.
      stopTimeoutSeconds: 30,
      dependsOn: [this.core],
      resources: resources.api,
    });

    this.testServices =
      settings.testProfile && deployment.testProfile && source
        ? this.addTestProfile(settings.testProfile, deployment.testProfile, resources, {
            prefix,
            sourcePath: source.path,
            logging,
            cargoCache: cargoCache!,
            targetCache: targetCache!,
          })
        : [];
    this.services = [this.mmapInit, this.core, this.api, ...this.testServices];
  }

  private addTestProfile(
    profile: JessyTestProfileSettings,
    run: JessyTestProfileDeployment,
    resources: JessySettings["resources"],
    shared: { prefix: string; sourcePath: string; logging: Logging; cargoCache: Volume; targetCache: Volume },
  ): Service[] {
    const { prefix, sourcePath } = shared;
    const common = {
      logging: shared.logging,
      ...DEV_STAGE_POSTURE("Dockerfile.test / tarpaulin", false),
      networks: [{ network: this.network }],
      oneShot: true,
      waitForExit: profile.waitForExit,
      enabledWhen: run.enabledWhen,
    };
    const testImage = new ContainerImage(this, "TestImage", {
      reference: profile.testImage,
      build: { contextPath: sourcePath, dockerfile: "docker/Dockerfile.test" },
      enabledWhen: run.enabledWhen,
    });
    const coverageImage = new ContainerImage(this, "CoverageImage", { reference: run.coverageImage, enabledWhen: run.enabledWhen });
    const results = new Volume(this, "TestResults", { name: `${prefix}-test-results` });

    const bind = (from: string, under: string): BindMount => ({ hostPath: `${sourcePath}/${from}`, containerPath: `${under}/${from}` });
    const sources = (under: string): BindMount[] => ["src", "tests", "Cargo.toml", "Cargo.lock"].map((f) => bind(f, under));
    const rustEnv = { RUST_TEST_THREADS: "1", RUST_BACKTRACE: "1" };
    const serviceUrls = { RUST_SERVICE_URL: `http://jessy-core:${CORE_PORT}`, API_SERVICE_URL: `http://jessy-api:${API_PORT}` };
    const rustVolumes = (extra: VolumeMount[]): VolumeMount[] => [
      results.mount("/app/test-results"),
      shared.cargoCache.mount("/usr/local/cargo/registry"),
      shared.targetCache.mount("/app/target"),
      ...extra,
    ];
    const test = (suffix: string, alias: string, name: JessyServiceName) => ({
      ...common,
      name: `${prefix}-${suffix}`,
      networks: [{ network: this.network, aliases: [alias] }],
      resources: resources[name],
    });

    const services = [
      new Service(this, "Test", {
        ...test("test", "jessy-test", "test"),
        ...DEV_STAGE_POSTURE("Dockerfile.test", true),
        image: testImage,
        command: ["cargo", "test", "--all-features"],
        environment: rustEnv,
        bindMounts: sources("/app"),
        // The only test service that mounts the mmap volume (read-write), so it needs the layout first.
        volumes: rustVolumes([this.mmapVolume.mount(MMAP_PATH)]),
        dependsOn: [this.mmapInit],
      }),
      new Service(this, "UnitTests", {
        ...test("unit-tests", "unit-tests", "unitTests"),
        ...DEV_STAGE_POSTURE("Dockerfile.test", true),
        image: testImage,
        command: ["cargo", "test", "--lib", "--no-default-features", "--color=always", "--", "--nocapture"],
        environment: { ...rustEnv, CARGO_TERM_COLOR: "always" },
        // Upstream binds ./data instead of the mmap volume here.
        bindMounts: [...sources("/app"), { hostPath: `${sourcePath}/data`, containerPath: "/app/data", readOnly: false }],
        volumes: rustVolumes([]),
      }),
      // Integration and BDD tests call both services: created only after both report healthy.
      new Service(this, "IntegrationTests", {
        ...test("integration-tests", "integration-tests", "integrationTests"),
        image: testImage,
        command: ["cargo", "test", "--test", "*", "--all-features", "--color=always"],
        environment: { ...rustEnv, CARGO_TERM_COLOR: "always", ...serviceUrls },
        bindMounts: sources("/app"),
        volumes: rustVolumes([]),
        dependsOn: [this.core, this.api],
      }),
      new Service(this, "BddTests", {
        ...test("bdd-tests", "bdd-tests", "bddTests"),
        image: testImage,
        command: ["cargo", "test", "--test", "cucumber", "--all-features", "--color=always"],
        environment: { ...rustEnv, CARGO_TERM_COLOR: "always", ...serviceUrls },
        bindMounts: sources("/app"),
        volumes: rustVolumes([]),
        dependsOn: [this.core, this.api],
      }),
      new Service(this, "Coverage", {
        ...test("coverage", "coverage", "coverage"),
        image: coverageImage,
        command: [
          "cargo",
          "tarpaulin",
          "--all-features",
          "--workspace",
          "--timeout",
          "300",
          "--out",
          "Html",
          "--output-dir",
          "test-results",
          "--color",
          "always",
        ],
        environment: { ...rustEnv, CARGO_TERM_COLOR: "always" },
        workingDir: "/volume",
        bindMounts: sources("/volume"),
        // Upstream writes the report to a ./test-results host bind; here it lands on the test-results volume.
        volumes: [
          results.mount("/volume/test-results"),
          shared.cargoCache.mount("/usr/local/cargo/registry"),
          shared.targetCache.mount("/volume/target"),
        ],
      }),
    ];
    return services;
  }

  /** Only what the settings schema cannot know: the settings are parsed and refined before any stack is built. */
  private static validate(scope: Jessy, settings: JessySettings, deployment: JessyDeployment): void {
    const p = new ProblemCollector();
    p.check(
      (deployment.sourcePath !== undefined) === (settings.source !== undefined),
      "sourcePath",
      deployment.sourcePath,
      settings.source ? "a checkout path reference (settings.source is set)" : "not set (settings.source is not set)",
    );
    p.check(
      (deployment.testProfile !== undefined) === (settings.testProfile !== undefined),
      "testProfile",
      deployment.testProfile,
      settings.testProfile
        ? "the coverage image and gate of the test profile (settings.testProfile is set)"
        : "not set (settings.testProfile is not set)",
    );
    p.check(
      /^[a-z0-9][a-z0-9_.-]*$/.test(deployment.namePrefix),
      "namePrefix",
      deployment.namePrefix,
      "lower-case letters, digits, '_', '.', '-'",
    );
    p.throwIfAny(scope);
  }
}
