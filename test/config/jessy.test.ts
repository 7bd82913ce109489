import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../app";
import { ENVIRONMENTS } from "../../config/environments";
import { JESSY_SETTINGS } from "../../config/jessy/environments";
import { deployedJessyServices } from "../../config/jessy/schema";
import { EnvironmentSettings, settingsProblems } from "../../config/settings";
import { clone, put, remove } from "./settings-helpers";

/** Only the Jessy problems, as "path=value". */
function problemsOf(env: EnvironmentSettings): string[] {
  return settingsProblems(env)
    .filter((p) => p.path.startsWith("jessy"))
    .map((p) => `${p.path}=${JSON.stringify(p.value)}`);
}

describe("shipped Jessy settings", () => {
  test("are valid in every environment", () => {
    for (const env of Object.values(ENVIRONMENTS)) expect([env.name, problemsOf(env)]).toEqual([env.name, []]);
  });
  test("each environment's settings are the Jessy data for that environment", () => {
    expect(ENVIRONMENTS.dev.jessy).toBe(JESSY_SETTINGS.dev);
    expect(ENVIRONMENTS.staging.jessy).toBe(JESSY_SETTINGS.staging);
    expect(ENVIRONMENTS.production.jessy).toBe(JESSY_SETTINGS.production);
  });
  test("only dev has hot reload, a source checkout and the test profile", () => {
    expect(JESSY_SETTINGS.dev).toMatchObject({ hotReload: true, source: { target: "development" } });
    expect(JESSY_SETTINGS.dev.testProfile).toBeDefined();
    for (const s of [JESSY_SETTINGS.staging, JESSY_SETTINGS.production]) {
      expect([s.hotReload, s.source, s.testProfile]).toEqual([false, undefined, undefined]);
    }
  });
  test("deployed services include the test profile only where it is modelled", () => {
    expect(deployedJessyServices(JESSY_SETTINGS.production)).toEqual(["core", "api", "mmapInit"]);
    expect(deployedJessyServices(JESSY_SETTINGS.dev)).toEqual([
      "core",
      "api",
      "mmapInit",
      "test",
      "unitTests",
      "integrationTests",
      "bddTests",
      "coverage",
    ]);
  });
});

describe("Jessy settings validation", () => {
  test("fails when production turns hot reload on", () => {
    const all = clone();
    all.production.jessy.hotReload = true;
    all.production.jessy.source = { path: "/srv/jessy", target: "development" };
    expect(problemsOf(all.production)).toEqual(['jessy.source.target="development"', "jessy.hotReload=true"]);
  });
  test("fails when staging turns hot reload on (dev only)", () => {
    const all = clone();
    all.staging.jessy.hotReload = true;
    expect(problemsOf(all.staging)).toEqual(["jessy.hotReload=true", "jessy.source.target=undefined"]);
  });
  test("fails when hot reload has a production-stage source", () => {
    const all = clone();
    all.dev.jessy.source!.target = "production";
    expect(problemsOf(all.dev)).toEqual(['jessy.source.target="production"']);
  });
  test("fails when production enables the test profile", () => {
    const all = clone();
    all.production.jessy.testProfile = { waitForExit: true, testImage: "jessy-test:1.0.0", coverageImage: "xd009642/tarpaulin:0.35.1" };
    all.production.jessy.source = { path: "/srv/jessy", target: "production" };
    const problems = problemsOf(all.production);
    expect(problems[0]).toMatch(/^jessy\.testProfile=\{/);
    // Its services must then have limits, like every production service.
    expect(problems.slice(1)).toEqual(
      ["test", "unitTests", "integrationTests", "bddTests", "coverage"].flatMap((n) => [
        `jessy.resources.${n}.memoryMiB=undefined`,
        `jessy.resources.${n}.cpus=undefined`,
      ]),
    );
  });
  test("fails when the test profile has no source checkout", () => {
    const all = clone();
    all.staging.jessy.testProfile = { waitForExit: false, testImage: "jessy-test:1.0.0", coverageImage: "xd009642/tarpaulin:0.35.1" };
    expect(problemsOf(all.staging)).toEqual(["jessy.source=undefined"]);
  });
  test("fails when production uses latest or an unpinned image", () => {
    const all = clone();
    all.production.jessy.images.core = "jessy-core:latest";
    all.production.jessy.images.api = "jessy-api";
    expect(problemsOf(all.production)).toEqual(['jessy.images.core="jessy-core:latest"', 'jessy.images.api="jessy-api"']);
  });
  test("dev accepts latest but not a malformed reference", () => {
    const all = clone();
    all.dev.jessy.images.core = "jessy-core:latest";
    expect(problemsOf(all.dev)).toEqual([]);
    all.dev.jessy.testProfile!.coverageImage = "Tarpaulin Latest";
    expect(problemsOf(all.dev)).toEqual(['jessy.testProfile.coverageImage="Tarpaulin Latest"']);
  });
  test("fails when production builds the development stage", () => {
    const all = clone();
    all.production.jessy.source = { path: "/srv/jessy", target: "development" };
    expect(problemsOf(all.production)).toEqual(['jessy.source.target="development"']);
  });
  test("accepts production-stage builds in production", () => {
    const all = clone();
    all.production.jessy.source = { path: "/srv/jessy", target: "production" };
    expect(problemsOf(all.production)).toEqual([]);
  });
  test("fails when the source path is relative", () => {
    const all = clone();
    all.dev.jessy.source!.path = "../jessy";
    expect(problemsOf(all.dev)).toEqual(['jessy.source.path="../jessy"']);
  });
  test("fails when production has no API secrets", () => {
    const all = clone();
    all.production.jessy.apiSecrets = false;
    expect(problemsOf(all.production)).toEqual(["jessy.apiSecrets=false"]);
  });
  test("fails when production logs are not JSON or are at debug level", () => {
    const all = clone();
    all.production.jessy.rustEnv = "staging";
    all.production.jessy.goEnv = "development";
    all.production.jessy.logLevel = "debug";
    expect(problemsOf(all.production)).toEqual(['jessy.rustEnv="staging"', 'jessy.goEnv="development"', 'jessy.logLevel="debug"']);
  });
  test("fails when RUST_ENV, GO_ENV or LOG_LEVEL are unknown, or RUST_LOG is empty", () => {
    const all = clone();
    put(all.dev.jessy, { rustEnv: "dev", goEnv: "prod", logLevel: "verbose" });
    all.dev.jessy.rustLog = "";
    expect(problemsOf(all.dev)).toEqual(['jessy.rustEnv="dev"', 'jessy.goEnv="prod"', 'jessy.logLevel="verbose"', 'jessy.rustLog=""']);
  });
  test("fails when host ports are out of range or equal", () => {
    const all = clone();
    all.staging.jessy.hostPorts = { core: 70000, api: 70000 };
    expect(problemsOf(all.staging)).toEqual(["jessy.hostPorts.core=70000", "jessy.hostPorts.api=70000", "jessy.hostPorts.api=70000"]);
  });
  test("fails when a health wait is shorter than one health-check round", () => {
    const all = clone();
    all.staging.jessy.healthyWaitSeconds = { core: 5, api: 0 };
    expect(problemsOf(all.staging)).toEqual(["jessy.healthyWaitSeconds.core=5", "jessy.healthyWaitSeconds.api=0"]);
  });
  test("fails when log rotation is not a positive integer", () => {
    const all = clone();
    all.dev.jessy.logging = { default: { maxSizeMiB: 0, maxFiles: 1.5, compress: false } };
    expect(problemsOf(all.dev)).toEqual(["jessy.logging.default.maxSizeMiB=0", "jessy.logging.default.maxFiles=1.5"]);
  });
  test("fails when production has a service without limits", () => {
    const all = clone();
    delete all.production.jessy.resources.core;
    delete all.production.jessy.resources.mmapInit;
    expect(problemsOf(all.production)).toEqual([
      "jessy.resources.core.memoryMiB=undefined",
      "jessy.resources.core.cpus=undefined",
      "jessy.resources.mmapInit.memoryMiB=undefined",
      "jessy.resources.mmapInit.cpus=undefined",
    ]);
  });
  test("fails when resources name an unknown service", () => {
    const all = clone();
    put(all.staging.jessy.resources, { redis: { memoryMiB: 64, cpus: 1 } });
    expect(problemsOf(all.staging)).toEqual(['jessy.resources.redis={"memoryMiB":64,"cpus":1}']);
  });
  test("fails when Jessy settings are missing", () => {
    const all = clone();
    remove(all.staging, "jessy");
    expect(problemsOf(all.staging)).toEqual(["jessy=undefined"]);
  });
});

describe("npm run synth with bad Jessy settings", () => {
  test("exits 1 naming [env] path, bad value and what is allowed, for every problem at once", () => {
    const all = clone();
    all.production.jessy.hotReload = true;
    all.production.jessy.testProfile = { waitForExit: false, testImage: "jessy-test:1.0.0", coverageImage: "xd009642/tarpaulin:latest" };
    all.production.jessy.images.api = "jessy-api:latest";
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-jessy-"));
    let stderr = "";
    expect(synthesize(all, { outdir: out, stderr: (t) => (stderr += t) })).toBe(1);
    expect(stderr).toContain("[production] jessy.hotReload: got true; allowed: false outside dev");
    expect(stderr).toContain("[production] jessy.testProfile: got {");
    expect(stderr).toContain("allowed: unset in the production environment");
    expect(stderr).toContain('[production] jessy.images.api: got "jessy-api:latest"; allowed: an image reference pinned');
    expect(stderr).toContain('[production] jessy.testProfile.coverageImage: got "xd009642/tarpaulin:latest"');
    const written = fs.existsSync(path.join(out, "stacks")) ? fs.readdirSync(path.join(out, "stacks")) : [];
    expect(written).toEqual([]);
  });
});
