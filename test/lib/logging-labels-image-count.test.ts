import { App, Aspects, TerraformStack, Testing } from "../../lib/cdk";
import { ConstructValidationError, ContainerImage, Network, Service, StandardLabels } from "../../lib";
import { container, labelMap, scratchStack, synthJson } from "../helpers";

/** Library additions used by the Jessy stack: json-file `labels` and counted images. */

describe("Logging labels", () => {
  function withLogging(logging: Record<string, unknown>) {
    const s = scratchStack();
    new Service(s.stack, "App", { name: "app", image: s.image, user: "1000:1000", networks: [{ network: s.network }], logging } as any);
    return container(synthJson(s.stack), "app");
  }
  test("are joined into the json-file labels option", () => {
    expect(withLogging({ maxSizeMiB: 10, maxFiles: 3, labels: ["service", "environment"] }).log_opts).toEqual({
      "max-size": "10m",
      "max-file": "3",
      labels: "service,environment",
    });
  });
  test("are left out when none are given (backward compatible)", () => {
    expect(withLogging({ maxSizeMiB: 10, maxFiles: 3 }).log_opts).toEqual({ "max-size": "10m", "max-file": "3" });
    expect(withLogging({ maxSizeMiB: 10, maxFiles: 3, labels: [] }).log_opts).toEqual({ "max-size": "10m", "max-file": "3" });
  });
  test("fails when a label key contains a comma or is empty", () => {
    expect(() => withLogging({ maxSizeMiB: 10, maxFiles: 3, labels: ["service,environment", ""] })).toThrow(ConstructValidationError);
    expect(() => withLogging({ maxSizeMiB: 10, maxFiles: 3, labels: ["a,b"] })).toThrow(/logging\.labels\[0\]: got "a,b"/);
  });
});

describe("ContainerImage enabledWhen", () => {
  function build(enabledWhen?: string) {
    const app: App = Testing.app();
    const stack = new TerraformStack(app, "test");
    const image = new ContainerImage(stack, "Image", { reference: "example/app:1.0", enabledWhen });
    const network = new Network(stack, "Net", { name: "test-net", internal: false });
    new Service(stack, "App", { name: "app", image, user: "1000:1000", networks: [{ network }], oneShot: true, enabledWhen });
    const json = synthJson(stack);
    return { json, image: Object.values<any>(json.resource.docker_image)[0], app: container(json, "app") };
  }
  test("counts the image with the condition and addresses its single instance", () => {
    const { image, app } = build("var.run_it");
    expect(image.count).toBe("${var.run_it ? 1 : 0}");
    expect(app.count).toBe("${var.run_it ? 1 : 0}");
    expect(app.image).toMatch(/^\$\{docker_image\.Image_[A-Za-z0-9_]+\[0\]\.image_id\}$/);
  });
  test("without a condition the image is uncounted and referenced directly", () => {
    const { image, app } = build();
    expect(image.count).toBeUndefined();
    expect(app.image).toMatch(/^\$\{docker_image\.Image_[A-Za-z0-9_]+\.image_id\}$/);
  });
});

describe("StandardLabels", () => {
  const build = (labels?: Record<string, string>) => {
    const s = scratchStack();
    new Service(s.stack, "App", { name: "app", image: s.image, user: "1000:1000", networks: [{ network: s.network }], labels });
    Aspects.of(s.stack).add(new StandardLabels({ environment: "staging", system: "jessy" }));
    return synthJson(s.stack);
  };
  test("adds the stack's labels to every container, sorted with the container's own", () => {
    expect(container(build(), "app").labels).toEqual([
      { label: "environment", value: "staging" },
      { label: "service", value: "app" },
      { label: "system", value: "jessy" },
    ]);
  });
  test("a label the container sets itself wins", () => {
    expect(labelMap(container(build({ system: "custom" }), "app"))).toEqual({ environment: "staging", service: "app", system: "custom" });
  });
  test("touches no volume or network (a label change would replace them)", () => {
    const json = build();
    for (const r of [...Object.values<any>(json.resource.docker_network ?? {}), ...Object.values<any>(json.resource.docker_volume ?? {})]) {
      expect((r.labels ?? []).map((l: any) => l.label)).not.toContain("system");
    }
  });
});
