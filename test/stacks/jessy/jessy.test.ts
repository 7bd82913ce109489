import { App, TerraformStack, Testing } from "../../../lib/cdk";
import { ConstructValidationError } from "../../../lib";
import { Jessy, JessyProps } from "../../../stacks/jessy/jessy";
import { container, envMap, synthJson, TfJson } from "../../helpers";

const BASE: JessyProps = {
  namePrefix: "jessy-ci",
  images: { core: "registry.example.com/jessy-core:1.2.3", api: "registry.example.com/jessy-api:1.2.3" },
  rustEnv: "test",
  goEnv: "test",
  rustLog: "jessy=info",
  logLevel: "info",
  hostPorts: { core: 18080, api: 13000 },
  healthyWaitSeconds: { core: 60, api: 60 },
  logging: { maxSizeMiB: 10, maxFiles: 3 },
};

function build(overrides: Partial<JessyProps>): { jessy: Jessy; json: TfJson } {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "jessy-ci");
  const jessy = new Jessy(stack, "Jessy", { ...BASE, ...overrides });
  return { jessy, json: synthJson(stack) };
}

describe("Jessy defaults", () => {
  const { jessy, json } = build({});
  test("without source, images are pulled and run as the production stage (UID 1000, read-only root)", () => {
    for (const image of Object.values<any>(json.resource.docker_image)) expect(image.build).toBeUndefined();
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
    const { json } = build({ source: { path: "/build/jessy", target: "production" } });
    const core = Object.values<any>(json.resource.docker_image).find((i) => i.build?.dockerfile === "docker/Dockerfile.rust");
    expect(core.build).toMatchObject({ context: "/build/jessy", target: "production" });
    expect(container(json, "jessy_core")).toMatchObject({ user: "1000:1000", read_only: true });
    expect(container(json, "jessy_core").volumes.filter((v: any) => v.host_path)).toEqual([]);
  });
  test("a development-target build runs as root with a writable root filesystem, without hot reload binds", () => {
    const { json } = build({ source: { path: "/build/jessy", target: "development" } });
    expect(container(json, "jessy_core").user).toBeUndefined();
    expect(container(json, "jessy_core").read_only).toBe(false);
    expect(container(json, "jessy_core").volumes.filter((v: any) => v.host_path)).toEqual([]);
  });
});

describe("Jessy test profile", () => {
  test("waitForExit makes Terraform wait for each test and fail the apply on a non-zero exit", () => {
    const { json } = build({
      source: { path: "/build/jessy", target: "development" },
      testProfile: { testImage: "jessy-test:ci", coverageImage: "xd009642/tarpaulin:0.35.1", waitForExit: true },
    });
    for (const id of ["jessy_test", "jessy_unit_tests", "jessy_integration_tests", "jessy_bdd_tests", "jessy_coverage"]) {
      const c = container(json, id);
      expect([id, c.attach, c.must_run, c.lifecycle.postcondition[0].condition, c.count]).toEqual([id, true, false, "${self.exit_code == 0}", undefined]);
    }
    // Test caches exist even without hot reload; the Go cache does not.
    expect(Object.keys(json.resource.docker_volume).sort()).toEqual(["jessy_cargo_cache", "jessy_mmap_data", "jessy_target_cache", "jessy_test_results"]);
  });
});

describe("Jessy validation", () => {
  test("fails when hotReload is set without a development-stage source", () => {
    expect(() => build({ hotReload: true })).toThrow(ConstructValidationError);
    expect(() => build({ hotReload: true, source: { path: "/src", target: "production" } })).toThrow(
      /source\.target: got "production"; allowed: "development" when hotReload is true/,
    );
  });
  test("fails when the test profile has no source checkout", () => {
    expect(() => build({ testProfile: { testImage: "jessy-test:ci", coverageImage: "xd009642/tarpaulin:0.35.1", waitForExit: false } })).toThrow(
      /source: got \(not set\); allowed: a source checkout when testProfile is set/,
    );
  });
  test("fails when the name prefix is not a Docker name prefix", () => {
    expect(() => build({ namePrefix: "Jessy CI" })).toThrow(/namePrefix: got "Jessy CI"/);
  });
  test("reports every problem at once", () => {
    try {
      build({ hotReload: true, namePrefix: "-x", testProfile: { testImage: "t:1", coverageImage: "c:1", waitForExit: false } });
      throw new Error("expected a ConstructValidationError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConstructValidationError);
      expect((e as ConstructValidationError).problems.map((p) => p.path)).toEqual(["source.target", "source", "namePrefix"]);
    }
  });
});
