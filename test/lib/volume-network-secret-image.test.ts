import { ConstructValidationError, ContainerImage, Network, Secret, Volume, isImageReference, isPinnedImageReference } from "../../lib";
import { TerraformVariable } from "../../lib/cdk";
import { lengthCheck, scratchStack, synthJson } from "../helpers";

describe("Volume", () => {
  test("a stateful volume is labelled, and prevent_destroy is set only when asked", () => {
    const { stack } = scratchStack();
    new Volume(stack, "Chain", { name: "chain", stateful: true, preventDestroy: true });
    new Volume(stack, "Cache", { name: "cache" });
    const v = synthJson(stack).resource.docker_volume;
    expect(v.chain).toMatchObject({
      name: "chain",
      driver: "local",
      labels: [{ label: "stateful", value: "true" }],
      lifecycle: { prevent_destroy: true },
    });
    expect(v.cache.lifecycle).toBeUndefined();
    expect(v.cache.labels).toEqual([]);
  });
  test("mount defaults to read-write", () => {
    const { stack } = scratchStack();
    const v = new Volume(stack, "Data", { name: "data" });
    expect(v.mount("/data")).toEqual({ volume: v, containerPath: "/data", readOnly: false });
    expect(v.mount("/data", { readOnly: true }).readOnly).toBe(true);
  });
  test("fails when the name is not a Docker volume name", () => {
    const { stack } = scratchStack();
    expect(() => new Volume(stack, "Bad", { name: "bad name" })).toThrow(ConstructValidationError);
  });
});

describe("Network", () => {
  test("is internal by default", () => {
    const { stack } = scratchStack();
    new Network(stack, "Backend", { name: "backend" });
    expect(synthJson(stack).resource.docker_network.backend).toMatchObject({ name: "backend", driver: "bridge", internal: true });
  });
  test("fails when the name is not a Docker network name", () => {
    const { stack } = scratchStack();
    expect(() => new Network(stack, "Bad", { name: "-bad" })).toThrow(/Docker network name/);
  });
});

describe("Secret", () => {
  test("is a sensitive, non-nullable variable without default, with no validation of its own (Terraform prints the value of a variable whose validation fails)", () => {
    const { stack } = scratchStack();
    new Secret(stack, "Pw", { variableName: "db_password", description: "Database password", minLength: 20 });
    const v = synthJson(stack).variable!.db_password;
    expect(v.sensitive).toBe(true);
    expect(v.default).toBeUndefined();
    expect(v.nullable).toBe(false);
    expect(v.validation).toBeUndefined();
    expect(v.description).toBe("Database password (sensitive; at least 20 characters; set TF_VAR_db_password)");
  });
  test("its minimum length is a precondition of terraform_data.<name>_length, whose message names the variable and the length, never the value", () => {
    const { stack } = scratchStack();
    const secret = new Secret(stack, "Pw", { variableName: "db_password", description: "Database password", minLength: 20 });
    const json = synthJson(stack);
    expect(json.resource.terraform_data.db_password_length).toEqual({
      lifecycle: {
        precondition: [
          {
            condition: "${length(var.db_password) >= 20}",
            error_message: "db_password (TF_VAR_db_password) must be at least 20 characters long; its value is not shown.",
          },
        ],
      },
    });
    expect(lengthCheck(json, "db_password")).toBe("${length(var.db_password) >= 20}");
    expect(secret.lengthCheck.friendlyUniqueId).toBe("db_password_length");
    expect(Secret.of(secret.variable)).toBe(secret);
  });
  test("an optional secret may be empty; a set one is length-checked (16 characters unless stated)", () => {
    const { stack } = scratchStack();
    new Secret(stack, "Pw", { variableName: "backup_password", description: "restic password", optional: true });
    const json = synthJson(stack);
    expect(json.variable!.backup_password.default).toBe("");
    expect(json.resource.terraform_data.backup_password_length.lifecycle.precondition).toEqual([
      {
        condition: '${var.backup_password == "" || length(var.backup_password) >= 16}',
        error_message: "backup_password (TF_VAR_backup_password) must be empty or at least 16 characters long; its value is not shown.",
      },
    ]);
  });
  test("Secret.of finds no secret for a variable a Secret did not declare", () => {
    const { stack } = scratchStack();
    expect(Secret.of(new TerraformVariable(stack, "plain", { type: "string" }))).toBeUndefined();
  });
});

describe("ContainerImage", () => {
  test("keeps images locally on destroy and builds when asked", () => {
    const { stack } = scratchStack();
    new ContainerImage(stack, "Built", {
      reference: "app:dev",
      build: { contextPath: "/src", dockerfile: "docker/Dockerfile", target: "development" },
    });
    const images = Object.values(synthJson(stack).resource.docker_image);
    const built = images.find((i) => i.name === "app:dev");
    expect(built?.keep_locally).toBe(true);
    expect(built?.build).toEqual({ context: "/src", dockerfile: "docker/Dockerfile", target: "development", tag: ["app:dev"] });
  });
  test.each([
    ["zfnd/zebra:5.0.0", true, true],
    ["alpine:3", true, true],
    ["registry.example.com:5000/team/app@sha256:" + "a".repeat(64), true, true],
    ["zfnd/zebra:latest", true, false],
    ["zfnd/zebra", true, false],
    ["ZFND/zebra:1", false, false],
    ["zfnd/zebra:", false, false],
  ])("reference %s: valid=%s pinned=%s", (ref, valid, pinned) => {
    expect(isImageReference(ref)).toBe(valid);
    expect(isPinnedImageReference(ref)).toBe(pinned);
  });
});
