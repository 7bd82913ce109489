import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { DEV_STAGE_POSTURE, JessyTestContext } from "./context";
import { RUST_TEST_ENV, testServiceBasics, testSources, testVolumes } from "./test-profile";

/** Unit tests (`cargo test --lib`); upstream binds ./data instead of the mmap volume here. */
export function unitTestsService(scope: Construct, ctx: JessyTestContext): ServiceParts {
  const service = new Service(scope, "UnitTests", {
    ...testServiceBasics(ctx, "unitTests", "unit-tests"),
    resources: ctx.settings.resources.unitTests,
    ...DEV_STAGE_POSTURE("Dockerfile.test", true),
    image: ctx.testImage,
    command: ["cargo", "test", "--lib", "--no-default-features", "--color=always", "--", "--nocapture"],
    environment: { ...RUST_TEST_ENV, CARGO_TERM_COLOR: "always" },
    bindMounts: [...testSources(ctx, "/app"), { hostPath: `${ctx.sourcePath}/data`, containerPath: "/app/data", readOnly: false }],
    volumes: testVolumes(ctx, []),
  });
  return { service };
}
