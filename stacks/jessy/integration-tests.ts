import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { JessyTestContext } from "./context";
import { RUST_TEST_ENV, SERVICE_URLS, testServiceBasics, testSources, testVolumes } from "./test-profile";

/** Integration tests: they call both services, so they are created only after both report healthy. */
export function integrationTestsService(scope: Construct, ctx: JessyTestContext): ServiceParts {
  const service = new Service(scope, "IntegrationTests", {
    ...testServiceBasics(ctx, "integrationTests", "integration-tests"),
    resources: ctx.settings.resources.integrationTests,
    image: ctx.testImage,
    command: ["cargo", "test", "--test", "*", "--all-features", "--color=always"],
    environment: { ...RUST_TEST_ENV, CARGO_TERM_COLOR: "always", ...SERVICE_URLS },
    bindMounts: testSources(ctx, "/app"),
    volumes: testVolumes(ctx, []),
    dependsOn: [ctx.core, ctx.api],
  });
  return { service };
}
