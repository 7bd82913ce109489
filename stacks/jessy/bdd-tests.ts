import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { JessyTestContext } from "./context";
import { RUST_TEST_ENV, SERVICE_URLS, testServiceBasics, testSources, testVolumes } from "./test-profile";

/** BDD tests (cucumber): like the integration tests, created only after both services report healthy. */
export function bddTestsService(scope: Construct, ctx: JessyTestContext): ServiceParts {
  const service = new Service(scope, "BddTests", {
    ...testServiceBasics(ctx, "bddTests", "bdd-tests"),
    resources: ctx.settings.resources.bddTests,
    image: ctx.testImage,
    command: ["cargo", "test", "--test", "cucumber", "--all-features", "--color=always"],
    environment: { ...RUST_TEST_ENV, CARGO_TERM_COLOR: "always", ...SERVICE_URLS },
    bindMounts: testSources(ctx, "/app"),
    volumes: testVolumes(ctx, []),
    dependsOn: [ctx.core, ctx.api],
  });
  return { service };
}
