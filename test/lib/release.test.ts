import { Testing, TerraformStack } from "../../lib/cdk";
import { ContainerImage, Network, Service } from "../../lib";
import { RELEASE_CONTEXT_KEY, releaseLabels, releaseOf, validRelease } from "../../lib/release";
import { DeploymentTarget, setDeploymentTarget } from "../../lib/target";
import { container, STAGING_SWARM, swarmService, synthJson } from "../helpers";

/** One service on a stack whose app carries `release` in its context (as main.ts sets it), or none. */
function deployed(release: string | undefined, target?: DeploymentTarget) {
  const app = Testing.app(release === undefined ? {} : { context: { [RELEASE_CONTEXT_KEY]: release } });
  const stack = new TerraformStack(app, "test");
  if (target) setDeploymentTarget(stack, target);
  const image = new ContainerImage(stack, "Image", { reference: "example/app:1.0" });
  const network = new Network(stack, "Net", { name: "test-net", internal: false });
  new Service(stack, "App", { name: "app", image, user: "1000:1000", networks: [{ network }] });
  return synthJson(stack);
}
type Label = { label: string; value: string };
const labels = (list: readonly Label[] | undefined) => Object.fromEntries((list ?? []).map((l) => [l.label, l.value]));

describe("release of a checkout (releaseOf)", () => {
  test("<version>+<commit>, the commit as git prints it (trailing newline dropped)", () => {
    expect(releaseOf({ version: "0.1.0", commit: "ccea108\n" })).toBe("0.1.0+ccea108");
  });
  test("the version alone outside a git checkout", () => {
    expect(releaseOf({ version: "0.1.0" })).toBe("0.1.0");
    expect(releaseOf({ version: "0.1.0", commit: "" })).toBe("0.1.0");
  });
  test("STACK_RELEASE wins, so CI and tests synthesize the same output from any commit", () => {
    expect(releaseOf({ override: "ci-42", version: "0.1.0", commit: "ccea108" })).toBe("ci-42");
    expect(releaseOf({ override: "", version: "0.1.0", commit: "ccea108" })).toBe("0.1.0+ccea108");
  });
  test.each(["has space", "${var.x}", "-leading", "a".repeat(81), 'q"uote'])("fails on the release %j", (bad) => {
    expect(() => validRelease(bad, "STACK_RELEASE")).toThrow(/^STACK_RELEASE .*: a release is letters, digits/);
    expect(() => releaseOf({ override: bad, version: "0.1.0" })).toThrow(/STACK_RELEASE/);
  });
});

describe("release label on containers", () => {
  test("a container carries release=<release> beside its other labels", () => {
    const c = container(deployed("0.1.0+ccea108"), "app");
    expect(labels(c.labels)).toMatchObject({ release: "0.1.0+ccea108", service: "app" });
  });
  test("without a release in the context (tests, generated docs) no container carries one", () => {
    expect(labels(container(deployed(undefined), "app").labels).release).toBeUndefined();
  });
  test("an unchanged release gives the same output; a new release changes only the label", () => {
    const a = deployed("0.1.0+aaaaaaa");
    expect(deployed("0.1.0+aaaaaaa")).toEqual(a);
    const b = deployed("0.1.0+bbbbbbb");
    const strip = (json: unknown): unknown =>
      JSON.parse(JSON.stringify(json), (_k, v: unknown) =>
        Array.isArray(v) ? v.filter((x: Partial<Label> | null) => !(x && x.label === "release")) : v,
      );
    expect(strip(b)).toEqual(strip(a));
    expect(labels(container(b, "app").labels).release).toBe("0.1.0+bbbbbbb");
    // The files loader (created, never started) does not carry it: the service's label is enough.
    for (const [id, body] of Object.entries(b.resource.docker_container))
      if (id !== "app") expect([id, labels((body as { labels?: Label[] }).labels).release]).toEqual([id, undefined]);
  });
  test("a context value that is not a release fails the synth", () => {
    expect(() => deployed("bad release")).toThrow(/context z3:release "bad release"/);
  });
});

describe("release label on swarm services", () => {
  test("on the service (updated in place), not on the task template (which would restart every task)", () => {
    const svc = swarmService(deployed("0.1.0+ccea108", STAGING_SWARM), "app");
    expect(labels(svc.labels).release).toBe("0.1.0+ccea108");
    expect(labels(svc.task_spec.container_spec.labels).release).toBeUndefined();
  });
});

describe("releaseLabels", () => {
  test("nothing for a scope without the context, the label with it", () => {
    const bare = new TerraformStack(Testing.app(), "bare");
    expect(releaseLabels(bare)).toEqual({});
    const labelled = new TerraformStack(Testing.app({ context: { [RELEASE_CONTEXT_KEY]: "1.2.3+abcdef0" } }), "labelled");
    expect(releaseLabels(labelled)).toEqual({ release: "1.2.3+abcdef0" });
  });
});
