import { App, TerraformStack, Testing } from "../../../lib/cdk";
import { ConstructValidationError } from "../../../lib";
import { JESSY_SETTINGS } from "../../../config/jessy/environments";
import { jessySchema, JessySettings, JessyTestProfileSettings } from "../../../config/jessy/schema";
import { Jessy, JessyDeployment } from "../../../stacks/jessy/jessy";
import { container, envMap, synthJson, TfJson } from "../../helpers";

/** Production's settings with the dev-only liberties the cases below need (no secrets, no limits). */
const BASE: JessySettings = {
  ...JESSY_SETTINGS.production,
  apiSecrets: false,
  rustEnv: "test",
  goEnv: "test",
  rustLog: "jessy=info",
  logLevel: "info",
  hostPorts: { core: 18080, api: 13000 },
  healthyWaitSeconds: { core: 60, api: 60 },
  resources: {},
};
const DEPLOYMENT: JessyDeployment = {
  namePrefix: "jessy-ci",
  images: { core: "registry.example.com/jessy-core:1.2.3", api: "registry.example.com/jessy-api:1.2.3" },
};
const TEST_PROFILE: JessyTestProfileSettings = {
  testImage: "jessy-test:ci",
  coverageImage: "xd009642/tarpaulin:0.35.1",
  waitForExit: true,
};

/** Settings as main.ts has them: parsed (with every schema rule) for a dev environment. */
const settings = (overrides: Partial<JessySettings>): JessySettings =>
  jessySchema({ name: "dev", requirePinnedImages: false, requireResourceLimits: false }).parse({ ...BASE, ...overrides });

function build(overrides: Partial<JessySettings>, deployment: Partial<JessyDeployment> = {}): { jessy: Jessy; json: TfJson } {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "jessy-ci");
  const jessy = new Jessy(stack, "Jessy", settings(overrides), { ...DEPLOYMENT, ...deployment });
  return { jessy, json: synthJson(stack) };
}

describe("Jessy defaults", () => {
  const { jessy, json } = build({});
  test("without source, images are pulled and run as the production stage (UID 1000, read-only root)", () => {
    for (const image of Object.values(json.resource.docker_image)) expect(image.build).toBeUndefined();
    for (const id of ["jessy_core", "jessy_api"]) expect(container(json, id)).toMatchObject({ user: "1000:1000", read_only: true });
  });
  test("no secrets, no test services, no caches, no protection unless asked", () => {
    expect(json.variable).toBeUndefined();
    expect(container(json, "jessy_api").upload).toBeUndefined();
    expect(Object.keys(envMap(container(json, "jessy_api")))).not.toContain("API_KEY_FILE");
    expect(jessy.testServices).toEqual([]);
    expect(Object.keys(json.resource.docker_volume)).toEqual(["jessy_mmap_data"]);
    expect(json.resource.docker_volume.jessy_mmap_data.lifecycle).toBeUndefined();
  });
  test("services lists init, core and api in creation order", () => {
    expect(jessy.services.map((s) => s.name)).toEqual(["jessy-ci-mmap-init", "jessy-ci-core", "jessy-ci-api"]);
    expect(jessy.services.map((s) => s.oneShot)).toEqual([true, false, false]);
  });
  test("labels every log record with service and environment, keeping the caller's rotation", () => {
    expect(container(json, "jessy_core").log_opts).toEqual({ "max-size": "10m", "max-file": "3", labels: "service,environment" });
  });
});

describe("Jessy build targets", () => {
  test("a production-target build keeps the hardened posture", () => {
    const { json } = build({ source: { path: "/srv/jessy", target: "production" } }, { sourcePath: "/build/jessy" });
    const core = Object.values(json.resource.docker_image).find((i) => i.build?.dockerfile === "docker/Dockerfile.rust");
    // The build context is the stack's path reference; the settings' path is only its default.
    expect(core?.build).toMatchObject({ context: "/build/jessy", target: "production" });
    expect(container(json, "jessy_core")).toMatchObject({ user: "1000:1000", read_only: true });
    expect(container(json, "jessy_core").volumes.filter((v) => v.host_path)).toEqual([]);
  });
  test("a development-target build runs as root with a writable root filesystem, without hot reload binds", () => {
    const { json } = build({ source: { path: "/srv/jessy", target: "development" } }, { sourcePath: "/build/jessy" });
    expect(container(json, "jessy_core").user).toBeUndefined();
    expect(container(json, "jessy_core").read_only).toBe(false);
    expect(container(json, "jessy_core").volumes.filter((v) => v.host_path)).toEqual([]);
  });
});

describe("Jessy test profile", () => {
  const { json } = build(
    { source: { path: "/srv/jessy", target: "development" }, testProfile: TEST_PROFILE },
    { sourcePath: "/build/jessy", testProfile: { coverageImage: "registry.example.com/tarpaulin:0.35.1" } },
  );
  test("waitForExit makes Terraform wait for each test and fail the apply on a non-zero exit", () => {
    for (const id of ["jessy_test", "jessy_unit_tests", "jessy_integration_tests", "jessy_bdd_tests", "jessy_coverage"]) {
      const c = container(json, id);
      expect([id, c.attach, c.must_run, c.lifecycle.postcondition[0].condition, c.count]).toEqual([
        id,
        true,
        false,
        "${self.exit_code == 0}",
        undefined,
      ]);
    }
    // Test caches exist even without hot reload; the Go cache does not.
    expect(Object.keys(json.resource.docker_volume).sort()).toEqual([
      "jessy_cargo_cache",
      "jessy_mmap_data",
      "jessy_target_cache",
      "jessy_test_results",
    ]);
  });
  test("the test image is the settings' tag built from the checkout; the coverage image is the stack's reference", () => {
    const images = Object.values(json.resource.docker_image);
    expect(images.find((i) => i.build?.dockerfile === "docker/Dockerfile.test")).toMatchObject({
      name: "jessy-test:ci",
      build: { context: "/build/jessy" },
    });
    expect(images.filter((i) => i.build === undefined).map((i) => i.name)).toEqual(["registry.example.com/tarpaulin:0.35.1"]);
  });
});

// hotReload needing a development-stage source, and testProfile needing a source, are settings
// rules: the schema rejects them before any construct is built (test/config/jessy.test.ts).
describe("Jessy validation", () => {
  test("fails when the checkout path reference is missing, or given without settings.source", () => {
    expect(() => build({ source: { path: "/srv/jessy", target: "production" } })).toThrow(ConstructValidationError);
    expect(() => build({ source: { path: "/srv/jessy", target: "production" } })).toThrow(
      /sourcePath: got \(not set\); allowed: a checkout path reference/,
    );
    expect(() => build({}, { sourcePath: "/build/jessy" })).toThrow(/sourcePath: got "\/build\/jessy"; allowed: not set/);
  });
  test("fails when the test profile's coverage image and gate are missing, or given without settings.testProfile", () => {
    expect(() =>
      build({ source: { path: "/srv/jessy", target: "development" }, testProfile: TEST_PROFILE }, { sourcePath: "/build/jessy" }),
    ).toThrow(/testProfile: got \(not set\); allowed: the coverage image and gate of the test profile/);
    expect(() => build({}, { testProfile: { coverageImage: "c:1" } })).toThrow(/testProfile: got .*; allowed: not set/);
  });
  test("fails when the name prefix is not a Docker name prefix", () => {
    expect(() => build({}, { namePrefix: "Jessy CI" })).toThrow(/namePrefix: got "Jessy CI"/);
  });
  test("reports every problem at once", () => {
    try {
      build({ source: { path: "/srv/jessy", target: "development" }, testProfile: TEST_PROFILE }, { namePrefix: "-x" });
      throw new Error("expected a ConstructValidationError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConstructValidationError);
      expect((e as ConstructValidationError).problems.map((p) => p.path)).toEqual(["sourcePath", "testProfile", "namePrefix"]);
    }
  });
});
