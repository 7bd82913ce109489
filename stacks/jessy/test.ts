import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { DEV_STAGE_POSTURE, JessyTestContext } from "./context";
import { MMAP_PATH } from "./layout";
import { RUST_TEST_ENV, testServiceBasics, testSources, testVolumes } from "./test-profile";

/** jessy-test: `cargo test --all-features`; the only test service that mounts the mmap volume (read-write), so it needs the layout first. */
export function testService(scope: Construct, ctx: JessyTestContext): ServiceParts {
  const service = new Service(scope, "Test", {
    ...testServiceBasics(ctx, "test", "jessy-test"),
    resources: ctx.settings.resources.test,
    ...DEV_STAGE_POSTURE("Dockerfile.test", true),
    image: ctx.testImage,
    command: ["cargo", "test", "--all-features"],
    environment: RUST_TEST_ENV,
    bindMounts: testSources(ctx, "/app"),
    volumes: testVolumes(ctx, [ctx.mmapVolume.mount(MMAP_PATH)]),
    dependsOn: [ctx.mmapInit],
  });
  return { service };
}
