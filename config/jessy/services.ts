/**
 * The Jessy services, each declared once: its image variable, when the settings deploy it, whether it
 * may be replicated and whether it is stateful. The schema (`resources`, `logging`,
 * `deployment.replicas` keys and the production limits), the stack's image variables and the
 * README's service table derive from it.
 */
import type { ServiceCatalog } from "../catalog";

/** The settings that decide which Jessy services and image variables there are (a part of `JessySettings`). */
export interface JessySwitches {
  readonly images: { readonly core: string; readonly api: string };
  /** A checkout the images are built from: built images are named by the settings' tags, not variables. */
  readonly source?: unknown;
  readonly testProfile?: { readonly coverageImage: string };
}

const always = { deployedWhen: () => true, deployedWhenText: "always" };
const withTests = {
  deployedWhen: (j: JessySwitches) => j.testProfile !== undefined,
  deployedWhenText: "`jessy.testProfile` (and `jessy_test_profile`)",
};
/** jessy-core's and jessy-api's images are pulled unless a checkout builds them. */
const pulledUnlessBuilt = (j: JessySwitches) => j.source === undefined;
const testImage = "the test image (`docker/Dockerfile.test`, built)";

export const JESSY_SERVICES = {
  core: {
    summary: "jessy-core (Rust, actix-web), the mmap volume's single writer",
    name: "core",
    image: { variable: "jessy_core", reference: (j: JessySwitches) => j.images.core, pulled: pulledUnlessBuilt },
    ...always,
    replicable: false,
    stateful: true,
  },
  api: {
    summary: "jessy-api (Go, Fiber), reads the mmap volume",
    name: "api",
    image: { variable: "jessy_api", reference: (j: JessySwitches) => j.images.api, pulled: pulledUnlessBuilt },
    ...always,
    replicable: true,
    stateful: false,
  },
  mmapInit: {
    summary: "one-shot: lays the mmap volume out",
    name: "mmap-init",
    runs: "core",
    ...always,
    replicable: false,
    stateful: false,
  },
  test: {
    summary: "one-shot: `cargo test --all-features`",
    name: "test",
    runs: testImage,
    ...withTests,
    replicable: false,
    stateful: false,
  },
  unitTests: { summary: "one-shot: unit tests", name: "unit-tests", runs: testImage, ...withTests, replicable: false, stateful: false },
  integrationTests: {
    summary: "one-shot: integration tests against both services",
    name: "integration-tests",
    runs: testImage,
    ...withTests,
    replicable: false,
    stateful: false,
  },
  bddTests: {
    summary: "one-shot: BDD tests (cucumber)",
    name: "bdd-tests",
    runs: testImage,
    ...withTests,
    replicable: false,
    stateful: false,
  },
  coverage: {
    summary: "one-shot: coverage report (tarpaulin)",
    name: "coverage",
    image: { variable: "jessy_coverage", reference: (j: JessySwitches) => j.testProfile?.coverageImage },
    ...withTests,
    replicable: false,
    stateful: false,
  },
} as const satisfies ServiceCatalog<string, JessySwitches>;
