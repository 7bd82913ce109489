import { BindMount, Capability, Condition, ContainerImage, Logging, Network, Service, Volume } from "../../lib";
import { loggingOf } from "../../config/common";
import type { JessyServiceName, JessySettings, JessyTestProfileSettings } from "../../config/jessy/schema";
import { JESSY_SERVICES } from "../../config/jessy/services";
import { JESSY_UID } from "./layout";

/** Upstream's hot reload (dev compose): the checkout's sources bind-mounted, plus the build caches. */
export interface HotReload {
  readonly sourcePath: string;
  readonly cargoCache: Volume;
  readonly targetCache: Volume;
  readonly goCache: Volume;
}

/** What every Jessy service builder reads: the settings and the parts the services share. */
export interface JessyContext {
  readonly settings: JessySettings;
  /** Prefix of every Docker name. */
  readonly namePrefix: string;
  readonly network: Network;
  /** The mmap volume: jessy-core writes it, jessy-api reads it, the init lays it out. */
  readonly mmapVolume: Volume;
  /** jessy-core's image, also run by the init (both stages ship /bin/sh and coreutils). */
  readonly coreImage: ContainerImage;
  /** Image reference of jessy-api (a variable, or the tag a build produces). */
  readonly apiImage: string;
  /** The checkout, when the images are built from one. @default - pulled images */
  readonly source?: { readonly path: string; readonly target: "development" | "production" };
  /** Present when hot reload is on. */
  readonly hotReload?: HotReload;
}

/** What the test services read besides the shared parts (upstream's `test` compose profile). */
export interface JessyTestContext extends JessyContext {
  readonly profile: JessyTestProfileSettings;
  readonly sourcePath: string;
  /** Terraform boolean expression gating the test containers. @default - always deployed */
  readonly enabledWhen?: Condition;
  readonly testImage: ContainerImage;
  readonly coverageImage: ContainerImage;
  readonly results: Volume;
  readonly cargoCache: Volume;
  readonly targetCache: Volume;
  readonly mmapInit: Service;
  readonly core: Service;
  readonly api: Service;
}

/** How a container runs, decided by which Dockerfile stage its image comes from. */
export interface Posture {
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
export const DEV_STAGE_POSTURE = (tool: string, writesSharedData: boolean): Posture => ({
  rootReason: `upstream's ${tool} image stage has no USER and writes caches and build output into root-owned image paths`,
  readOnlyRootFilesystem: false,
  capabilities: writesSharedData ? ["DAC_OVERRIDE"] : [],
});
export const PRODUCTION_STAGE_POSTURE: Posture = {
  user: `${JESSY_UID}:${JESSY_UID}`,
  readOnlyRootFilesystem: true,
  tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
};

/** Registry images are what CI builds from the production targets (ci.yml, deploy.yml). */
export const devStage = (ctx: JessyContext) => (ctx.source?.target ?? "production") === "development";

/** The Service props every Jessy service takes from the catalog and the logging settings: Docker name and log rotation. */
export function jessyServiceBasics(ctx: JessyContext, service: JessyServiceName) {
  // Upstream's compose labels every log record with the service and environment.
  const logging: Logging = { ...loggingOf(ctx.settings.logging, service), labels: ["service", "environment"] };
  return { name: `${ctx.namePrefix}-${JESSY_SERVICES[service].name}`, logging };
}

/** A file or directory of the checkout at `sourcePath`, bind-mounted at `to` (read-only unless said). */
export const bindSource = (sourcePath: string, from: string, to: string, readOnly = true): BindMount => ({
  hostPath: `${sourcePath}/${from}`,
  containerPath: to,
  readOnly,
});
