import { Fn, Lazy, TerraformLocal, TerraformVariable, Testing } from "../../lib/cdk";
import { ConstructValidationError, FileText, Secret, Service } from "../../lib";
import { DockerProvider } from "../../lib/docker";
import { describeReads, expressionsIn, isSensitive, secretReads } from "../../lib/sensitivity";
import { container, scratchStack, STAGING_SWARM, swarmService, synthJson, uploadsOf } from "../helpers";

/** The secrets a value reads, as `var.x` (and `sensitive()`). */
const reads = (s: ReturnType<typeof scratchStack>, value: string, lazy?: "defer" | "produce") =>
  describeReads(secretReads(s.stack, value, { lazy }));

describe("secretReads: a value carries a secret when its expression reads one", () => {
  test("a sensitive variable, directly", () => {
    const s = scratchStack();
    const secret = new Secret(s.stack, "Pw", { variableName: "db_password", description: "password" });
    expect(reads(s, `url = postgresql://app:${secret.value}@db/app`)).toEqual(["var.db_password"]);
    expect(secretReads(s.stack, secret.value).variables).toEqual([secret.variable]);
  });
  test("any sensitive variable, not only a Secret's (the registry credentials)", () => {
    const s = scratchStack();
    const password = new TerraformVariable(s.stack, "registry_password", { type: "string", sensitive: true, default: "" });
    expect(reads(s, `auth = ${password.stringValue}`)).toEqual(["var.registry_password"]);
  });
  test("through locals, however deep, and inside function calls", () => {
    const s = scratchStack();
    const secret = new Secret(s.stack, "Pw", { variableName: "db_password", description: "password" });
    const inner = new TerraformLocal(s.stack, "inner", { url: `postgresql://app:${secret.value}@db/app` });
    const outer = new TerraformLocal(s.stack, "outer", Fn.jsonencode(inner.expression));
    expect(reads(s, `config: ${Fn.base64encode(outer.asString)}`)).toEqual(["var.db_password"]);
  });
  test("a call of Terraform's sensitive()", () => {
    const s = scratchStack();
    const plain = new TerraformVariable(s.stack, "token", { type: "string" });
    expect(reads(s, `token = \${sensitive(${plain.fqn})}`)).toEqual(["sensitive()"]);
  });
  test("not a variable that is not sensitive, nor literal text that only looks like a reference", () => {
    const s = scratchStack();
    new Secret(s.stack, "Pw", { variableName: "db_password", description: "password" });
    const serverName = new TerraformVariable(s.stack, "server_name", { type: "string" });
    const r = secretReads(s.stack, `server_name ${serverName.stringValue}; # var.db_password, $\${var.db_password}, case-sensitive (yes)`);
    expect([r.variables, r.marked, isSensitive(r)]).toEqual([[], false, false]);
  });
  test("a Lazy part is left unread until synthesis produces it", () => {
    const s = scratchStack();
    const secret = new Secret(s.stack, "Pw", { variableName: "db_password", description: "password" });
    let produced = 0;
    const lazy = Lazy.stringValue({ produce: () => (produced++, `password: ${secret.value}`) });
    const now = secretReads(s.stack, lazy);
    expect([now.variables, now.deferred, produced]).toEqual([[], true, 0]);
    expect(reads(s, lazy, "produce")).toEqual(["var.db_password"]);
    expect(produced).toBe(1);
  });
  test("expressionsIn reads ${…} and %{…}, nested braces included, and skips the escaped $${ and %%{", () => {
    expect(expressionsIn('a ${var.x} b ${ { k = var.y }["k"] } $${var.z} %{ if var.w }w%{ endif } %%{ if var.v }')).toEqual([
      "var.x",
      ' { k = var.y }["k"] ',
      " if var.w ",
      " endif ",
    ]);
  });
});

describe("Service configuration files: sensitive when the content reads a secret", () => {
  function app(configFiles: { containerPath: string; content: string; mode?: string }[], options: { swarm?: boolean; user?: string } = {}) {
    const s = scratchStack(options.swarm ? STAGING_SWARM : undefined);
    const secret = new Secret(s.stack, "Pw", { variableName: "db_password", description: "password" });
    const files = configFiles.map((f) => ({ ...f, content: FileText.of(f.content.replace("PASSWORD", secret.value)) }));
    const user = options.user ?? "1000:1000";
    const service = new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      networks: [{ network: s.network }],
      configFiles: files,
      ...(user === "0" ? { rootReason: "the image needs root to bind its port" } : { user }),
    });
    return { s, service, secret };
  }

  test("a file with a secret is sensitive and names what it reads; a file without one is not", () => {
    const { service, secret } = app([
      { containerPath: "/etc/app/db.conf", content: "url = postgresql://app:PASSWORD@db/app\n" },
      { containerPath: "/etc/app/app.conf", content: "level = info\n" },
    ]);
    expect(service.configFiles.map((f) => [f.containerPath, f.sensitive, f.secrets])).toEqual([
      ["/etc/app/db.conf", true, [secret.variable]],
      ["/etc/app/app.conf", false, []],
    ]);
  });
  test("on one host, a file with a secret gets a secret file's permissions (0400 for a root reader) and its loader waits for the length check", () => {
    const { s } = app(
      [
        { containerPath: "/etc/app/db.conf", content: "url = postgresql://app:PASSWORD@db/app\n" },
        { containerPath: "/etc/app/app.conf", content: "level = info\n" },
      ],
      { user: "0" },
    );
    const json = synthJson(s.stack);
    expect(uploadsOf(json, "app").map((u) => [u.file, u.permissions])).toEqual([
      ["/etc/app/db.conf", "0400"],
      ["/etc/app/app.conf", "0444"],
    ]);
    expect(container(json, "app_files").depends_on).toEqual(["terraform_data.db_password_length", "docker_volume.app_files_etc_app"]);
  });
  test("on one host, a non-root reader can read it only world-readable, as a secret file (0444, in a directory only the service mounts)", () => {
    const { s } = app([{ containerPath: "/etc/app/db.conf", content: "url = postgresql://app:PASSWORD@db/app\n" }]);
    expect(uploadsOf(synthJson(s.stack), "app").map((u) => u.permissions)).toEqual(["0444"]);
  });
  test("on swarm, a file with a secret is a docker_secret and one without a docker_config", () => {
    const { s } = app(
      [
        { containerPath: "/etc/app/db.conf", content: "url = postgresql://app:PASSWORD@db/app\n" },
        { containerPath: "/etc/app/app.conf", content: "level = info\n" },
      ],
      { swarm: true },
    );
    const json = synthJson(s.stack);
    expect(Object.keys(json.resource.docker_secret)).toEqual(["app_etc_app_db_conf"]);
    expect(Object.keys(json.resource.docker_config)).toEqual(["app_etc_app_app_conf"]);
    expect(json.resource.docker_config.app_etc_app_app_conf.data).toBe("${base64encode(local.app_etc_app_app_conf_content)}");
    const spec = swarmService(json, "app").task_spec.container_spec;
    expect(spec.secrets.map((f) => [f.file_name, f.file_mode])).toEqual([["/etc/app/db.conf", 0o400]]);
  });
  test("a file reading a sensitive variable that no Secret declared is a docker_secret too, with no length check to wait for", () => {
    const s = scratchStack(STAGING_SWARM);
    const password = new TerraformVariable(s.stack, "registry_password", { type: "string", sensitive: true, default: "" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      configFiles: [{ containerPath: "/etc/app/auth", content: FileText.of(`password ${password.stringValue}`) }],
    });
    const json = synthJson(s.stack);
    expect(json.resource.docker_config).toBeUndefined();
    expect(json.resource.docker_secret.app_etc_app_auth.depends_on).toBeUndefined();
  });
  test("fails when a file with a secret sets a mode (it gets a secret file's)", () => {
    expect(() => app([{ containerPath: "/etc/app/db.conf", content: "url = postgresql://app:PASSWORD@db/app\n", mode: "0444" }])).toThrow(
      ConstructValidationError,
    );
    expect(() => app([{ containerPath: "/etc/app/db.conf", content: "url = postgresql://app:PASSWORD@db/app\n", mode: "0444" }])).toThrow(
      /configFiles\[0\]\.mode: got "0444"; allowed: unset for \/etc\/app\/db\.conf, which reads var\.db_password: a file that carries a secret gets a secret file's mode/,
    );
  });
  test("fails synthesis when a Lazy part of a file, produced only at synthesis, reads a secret the rendering did not deliver as one", () => {
    const s = scratchStack(STAGING_SWARM);
    new DockerProvider(s.stack, "docker");
    const secret = new Secret(s.stack, "Pw", { variableName: "db_password", description: "password" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      configFiles: [
        { containerPath: "/etc/app/db.conf", content: FileText.lazy(() => FileText.of(`url = postgresql://app:${secret.value}@db/app\n`)) },
      ],
    });
    expect(() => Testing.synth(s.stack, true)).toThrow(
      /configFiles \/etc\/app\/db\.conf: its content reads var\.db_password only once synthesis produces it \(a Lazy value\), after the file was rendered as one that carries no secret/,
    );
  });
  test("a Lazy part without a secret synthesizes (Prometheus' configuration is built so)", () => {
    const s = scratchStack(STAGING_SWARM);
    new DockerProvider(s.stack, "docker");
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000",
      networks: [{ network: s.network }],
      configFiles: [{ containerPath: "/etc/app/app.conf", content: FileText.lazy(() => FileText.of("level = info\n")) }],
    });
    expect(() => Testing.synth(s.stack, true)).not.toThrow();
    expect(Object.keys(synthJson(s.stack).resource.docker_config)).toEqual(["app_etc_app_app_conf"]);
  });
});
