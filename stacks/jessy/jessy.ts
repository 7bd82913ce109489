import { Construct } from "../../lib/cdk";
import { BackupSource, Condition, ContainerImage, Network, ProblemCollector, Service, Volume } from "../../lib";
import type { JessySettings } from "../../config/jessy/schema";
import { ServiceParts } from "../service-parts";
import { apiService } from "./api";
import { bddTestsService } from "./bdd-tests";
import { JessyContext, JessyTestContext } from "./context";
import { coreService } from "./core";
import { coverageService } from "./coverage";
import { integrationTestsService } from "./integration-tests";
import { mmapInitService } from "./mmap-init";
import { testService } from "./test";
import { unitTestsService } from "./unit-tests";

/** What the stack decides about running the test profile; the settings hold the rest. */
export interface JessyTestProfileDeployment {
  /** Image reference of the coverage service (tarpaulin), e.g. a Terraform variable defaulting to the settings' `coverageImage`. */
  readonly coverageImage: string;
  /**
   * Terraform boolean expression gating the test containers and their images, like compose's
   * `--profile test`.
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
    // The settings choose the build stage; the stack gives the checkout path as a Terraform reference.
    const source =
      settings.source && deployment.sourcePath !== undefined ? { path: deployment.sourcePath, target: settings.source.target } : undefined;

    // Ports are published, and the dev stages fetch crates and modules at run time.
    this.network = new Network(this, "Network", { name: `${prefix}-network`, internal: false });
    this.mmapVolume = new Volume(this, "MmapData", {
      name: `${prefix}-mmap-data`,
      stateful: true,
      preventDestroy: deployment.protectData ?? false,
    });
    const coreImage = new ContainerImage(this, "CoreImage", {
      reference: deployment.images.core,
      build: source ? { contextPath: source.path, dockerfile: "docker/Dockerfile.rust", target: source.target } : undefined,
    });
    // Caches of upstream's dev compose, shared by jessy-core and the Rust test services as upstream does.
    const cargoCache = () => new Volume(this, "CargoCache", { name: `${prefix}-cargo-cache` });
    const targetCache = () => new Volume(this, "TargetCache", { name: `${prefix}-target-cache` });
    const caches =
      source && (settings.hotReload || settings.testProfile) ? { cargoCache: cargoCache(), targetCache: targetCache() } : undefined;
    const hotReload =
      settings.hotReload && source && caches
        ? { sourcePath: source.path, ...caches, goCache: new Volume(this, "GoCache", { name: `${prefix}-go-cache` }) }
        : undefined;
    const ctx: JessyContext = {
      settings,
      namePrefix: prefix,
      network: this.network,
      mmapVolume: this.mmapVolume,
      coreImage,
      apiImage: deployment.images.api,
      source,
      hotReload,
    };

    const mmapInit = mmapInitService(this, ctx);
    const core = coreService(this, { ...ctx, mmapInit: mmapInit.service });
    const api = apiService(this, { ...ctx, core: core.service });
    [this.mmapInit, this.core, this.api] = [mmapInit.service, core.service, api.service];
    const tests =
      settings.testProfile && deployment.testProfile && source && caches
        ? this.testProfile(
            {
              ...ctx,
              ...caches,
              profile: settings.testProfile,
              sourcePath: source.path,
              mmapInit: this.mmapInit,
              core: this.core,
              api: this.api,
            },
            deployment.testProfile,
          )
        : [];
    this.testServices = tests.map((t) => t.service);
    this.services = [mmapInit, core, api, ...tests].map((p) => p.service);
    this.backupSources = [mmapInit, core, api, ...tests].flatMap((p) => p.backupSources ?? []);
  }

  /** Upstream's `test` compose profile: jessy-test, unit, integration, BDD and coverage, gated like `--profile test`. */
  private testProfile(
    ctx: Omit<JessyTestContext, "testImage" | "coverageImage" | "results" | "enabledWhen">,
    run: JessyTestProfileDeployment,
  ): ServiceParts[] {
    const enabledWhen = run.enabledWhen;
    const testImage = new ContainerImage(this, "TestImage", {
      reference: ctx.profile.testImage,
      build: { contextPath: ctx.sourcePath, dockerfile: "docker/Dockerfile.test" },
      enabledWhen,
    });
    const coverageImage = new ContainerImage(this, "CoverageImage", { reference: run.coverageImage, enabledWhen });
    const results = new Volume(this, "TestResults", { name: `${ctx.namePrefix}-test-results` });
    const tests: JessyTestContext = { ...ctx, enabledWhen, testImage, coverageImage, results };
    return [testService, unitTestsService, integrationTestsService, bddTestsService, coverageService].map((build) => build(this, tests));
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
