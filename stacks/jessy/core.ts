import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { bindSource, DEV_STAGE_POSTURE, devStage, JessyContext, jessyServiceBasics, PRODUCTION_STAGE_POSTURE } from "./context";
import { CORE_PORT, MMAP_PATH, UPSTREAM_HEALTH_TIMINGS } from "./layout";

/**
 * jessy-core (Rust, actix-web), the mmap volume's single writer; it starts once the init laid the
 * volume out. The volume is backed up as files, copied while jessy-core runs and taken again when a
 * file changed during the copy (its mtime moves with every msync or write).
 */
export function coreService(scope: Construct, ctx: JessyContext & { readonly mmapInit: Service }): ServiceParts {
  const { settings, hotReload } = ctx;
  const posture = devStage(ctx) ? DEV_STAGE_POSTURE("Dockerfile.rust development (cargo-watch)", true) : PRODUCTION_STAGE_POSTURE;
  const core = new Service(scope, "Core", {
    ...jessyServiceBasics(ctx, "core"),
    resources: ctx.settings.resources.core,
    image: ctx.coreImage,
    ...posture,
    environment: {
      RUST_LOG: settings.rustLog,
      RUST_BACKTRACE: "1",
      RUST_ENV: settings.rustEnv,
      // Set by upstream compose; not read by the service code at aa0bcb4.
      MMAP_BASE_PATH: MMAP_PATH,
      MMAP_INITIAL_SIZE: "1048576",
      MMAP_MAX_SIZE: "10485760",
    },
    networks: [{ network: ctx.network, aliases: ["jessy-core"] }],
    ports: [{ containerPort: CORE_PORT, hostPort: settings.hostPorts.core, kind: "http" }],
    volumes: [
      ctx.mmapVolume.mount(MMAP_PATH),
      ...(hotReload ? [hotReload.cargoCache.mount("/usr/local/cargo/registry"), hotReload.targetCache.mount("/app/target")] : []),
    ],
    bindMounts: hotReload
      ? [
          bindSource(hotReload.sourcePath, "src", "/app/src"),
          bindSource(hotReload.sourcePath, "Cargo.toml", "/app/Cargo.toml"),
          bindSource(hotReload.sourcePath, "Cargo.lock", "/app/Cargo.lock"),
          // The data directory is read-write upstream; the mmap volume is mounted inside it.
          bindSource(hotReload.sourcePath, "data", "/app/data", false),
        ]
      : [],
    healthCheck: { test: ["CMD", "curl", "-f", `http://localhost:${CORE_PORT}/health`], ...UPSTREAM_HEALTH_TIMINGS },
    waitForHealthySeconds: settings.healthyWaitSeconds.core,
    dependsOn: [ctx.mmapInit],
  });
  return { service: core, backupSources: [{ kind: "files", volume: ctx.mmapVolume }] };
}
