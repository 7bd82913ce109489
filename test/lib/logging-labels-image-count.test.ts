import { App, Aspects, TerraformStack, TerraformVariable, Testing } from "../../lib/cdk";
import { Condition, ConstructValidationError, ContainerImage, Network, Service, ServiceProps, StandardLabels, Volume } from "../../lib";
import { setDeploymentTarget, SwarmTarget } from "../../lib/target";
import { container, labelMap, scratchStack, STAGING_SWARM, synthJson } from "../helpers";

/** Library additions used by the Jessy stack: json-file `labels` and counted images (and networks, volumes). */

describe("Logging labels", () => {
  function withLogging(logging: ServiceProps["logging"]) {
    const s = scratchStack();
    new Service(s.stack, "App", { name: "app", image: s.image, user: "1000:1000", networks: [{ network: s.network }], logging });
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
  function build(gated: boolean) {
    const app: App = Testing.app();
    const stack = new TerraformStack(app, "test");
    const runIt = new TerraformVariable(stack, "run_it", { type: "bool" });
    const enabledWhen = gated ? Condition.whenTrue(runIt) : undefined;
    const image = new ContainerImage(stack, "Image", { reference: "example/app:1.0", enabledWhen });
    const network = new Network(stack, "Net", { name: "test-net", internal: false });
    new Service(stack, "App", { name: "app", image, user: "1000:1000", networks: [{ network }], oneShot: true, enabledWhen });
    const json = synthJson(stack);
    return { json, image: Object.values(json.resource.docker_image)[0], app: container(json, "app") };
  }
  test("counts the image with the condition and addresses its single instance", () => {
    const { image, app } = build(true);
    expect(image.count).toBe("${var.run_it ? 1 : 0}");
    expect(app.count).toBe("${var.run_it ? 1 : 0}");
    expect(app.image).toBe("${docker_image.image[0].image_id}");
  });
  test("without a condition the image is uncounted and referenced directly", () => {
    const { image, app } = build(false);
    expect(image.count).toBeUndefined();
    expect(app.image).toBe("${docker_image.image.image_id}");
  });
});

describe("a counted image is used only by services with its condition", () => {
  function stackWithImage(target?: SwarmTarget) {
    const stack = new TerraformStack(Testing.app(), "test");
    if (target) setDeploymentTarget(stack, target);
    const on = new TerraformVariable(stack, "on", { type: "bool" });
    const other = new TerraformVariable(stack, "other", { type: "bool" });
    const image = new ContainerImage(stack, "Counted", { reference: "example/app:1.0", enabledWhen: Condition.whenTrue(on) });
    const network = new Network(stack, "Net", { name: "test-net", internal: false });
    const service = (extra: Partial<ServiceProps> = {}) =>
      new Service(stack, "App", { name: "app", image, user: "1000:1000", networks: [{ network }], ...extra });
    return { stack, on, other, image, service };
  }
  const errorOf = (build: () => unknown): Error => {
    try {
      build();
    } catch (e) {
      return e as Error;
    }
    throw new Error("no error");
  };

  test("fails when the service has no condition; the error names the service and the image", () => {
    const { service } = stackWithImage();
    const error = errorOf(() => service());
    expect(error).toBeInstanceOf(ConstructValidationError);
    expect(error.message).toBe(
      "Invalid props for test/App:\n" +
        "  - enabledWhen: got (not set); allowed: var.on, the enabledWhen of its image test/Counted (example/app:1.0): service app would reference the image's instance [0], which does not exist while that is false, and every plan would fail",
    );
  });
  test("fails when the service has another condition", () => {
    const { service, other } = stackWithImage();
    expect(errorOf(() => service({ enabledWhen: Condition.whenTrue(other) })).message).toContain(
      'enabledWhen: got "var.other"; allowed: var.on, the enabledWhen of its image test/Counted',
    );
  });
  test("fails when the service tests the same variable another way", () => {
    const { service, on } = stackWithImage();
    expect(errorOf(() => service({ enabledWhen: Condition.whenSet(on) })).message).toContain('enabledWhen: got "var.on != \\"\\""');
  });
  test("a service with the same condition (another Condition object of the same variable) builds", () => {
    const { service, on } = stackWithImage();
    expect(service({ enabledWhen: Condition.whenTrue(on) }).resource).toBeDefined();
  });
  test("fails for a long-running swarm service (which cannot be conditional)", () => {
    const { service } = stackWithImage(STAGING_SWARM);
    expect(errorOf(() => service()).message).toContain("enabledWhen: got (not set); allowed: var.on, the enabledWhen of its image");
  });
});

describe("Network and Volume enabledWhen", () => {
  const build = () => {
    const s = scratchStack();
    const on = Condition.whenSet(new TerraformVariable(s.stack, "destination", { type: "string" }));
    new Network(s.stack, "Gated", { name: "gated-net", enabledWhen: on });
    new Volume(s.stack, "Scratch", { name: "gated-scratch", enabledWhen: on });
    return { ...s, on, json: synthJson(s.stack) };
  };
  test("count the network and the volume with the condition", () => {
    const { json } = build();
    expect(json.resource.docker_network.gated.count).toBe('${var.destination != "" ? 1 : 0}');
    expect(json.resource.docker_volume.scratch.count).toBe('${var.destination != "" ? 1 : 0}');
  });
  test("leave them uncounted without one", () => {
    const { json } = build();
    expect(json.resource.docker_network.net.count).toBeUndefined();
  });
  test("fails when a stateful volume has a condition (turning false would delete its data)", () => {
    const { stack, on } = build();
    expect(() => new Volume(stack, "Data", { name: "data", stateful: true, enabledWhen: on })).toThrow(
      'enabledWhen: got "var.destination != \\"\\""; allowed: unset for a stateful or protected volume',
    );
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
    for (const r of [...Object.values(json.resource.docker_network ?? {}), ...Object.values(json.resource.docker_volume ?? {})]) {
      expect((r.labels ?? []).map((l) => l.label)).not.toContain("system");
    }
  });
});
