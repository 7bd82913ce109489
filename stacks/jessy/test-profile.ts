import { BindMount, VolumeMount } from "../../lib";
import { API_PORT, CORE_PORT } from "./layout";
import { DEV_STAGE_POSTURE, JessyTestContext, jessyServiceBasics } from "./context";
import type { JessyServiceName } from "../../config/jessy/schema";

/** What upstream's test services share: a one-shot container of a test stage on the stack's network, gated like `--profile test`. */
export function testServiceBasics(ctx: JessyTestContext, service: JessyServiceName, alias: string) {
  return {
    ...jessyServiceBasics(ctx, service),
    ...DEV_STAGE_POSTURE("Dockerfile.test / tarpaulin", false),
    networks: [{ network: ctx.network, aliases: [alias] }],
    oneShot: true,
    waitForExit: ctx.profile.waitForExit,
    enabledWhen: ctx.enabledWhen,
  };
}

/** The checkout's Rust sources bind-mounted under `under`. */
export const testSources = (ctx: JessyTestContext, under: string): BindMount[] =>
  ["src", "tests", "Cargo.toml", "Cargo.lock"].map((f) => ({ hostPath: `${ctx.sourcePath}/${f}`, containerPath: `${under}/${f}` }));

/** The test results and the cargo caches, plus `extra`. */
export const testVolumes = (ctx: JessyTestContext, extra: VolumeMount[]): VolumeMount[] => [
  ctx.results.mount("/app/test-results"),
  ctx.cargoCache.mount("/usr/local/cargo/registry"),
  ctx.targetCache.mount("/app/target"),
  ...extra,
];

export const RUST_TEST_ENV = { RUST_TEST_THREADS: "1", RUST_BACKTRACE: "1" } as const;
/** Where the integration and BDD tests reach both services. */
export const SERVICE_URLS = {
  RUST_SERVICE_URL: `http://jessy-core:${CORE_PORT}`,
  API_SERVICE_URL: `http://jessy-api:${API_PORT}`,
} as const;
