import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { JessyTestContext } from "./context";
import { RUST_TEST_ENV, testServiceBasics, testSources } from "./test-profile";

/** Coverage with tarpaulin; upstream writes the report to a ./test-results host bind, here it lands on the test-results volume. */
export function coverageService(scope: Construct, ctx: JessyTestContext): ServiceParts {
  const service = new Service(scope, "Coverage", {
    ...testServiceBasics(ctx, "coverage", "coverage"),
    resources: ctx.settings.resources.coverage,
    image: ctx.coverageImage,
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
    environment: { ...RUST_TEST_ENV, CARGO_TERM_COLOR: "always" },
    workingDir: "/volume",
    bindMounts: testSources(ctx, "/volume"),
    volumes: [
      ctx.results.mount("/volume/test-results"),
      ctx.cargoCache.mount("/usr/local/cargo/registry"),
      ctx.targetCache.mount("/volume/target"),
    ],
  });
  return { service };
}
