import * as fs from "fs";
import * as path from "path";
import { CliDeps, main } from "../../tools/cli/z3ops-command";
import { renderStatus, shortDigest, StatusRow } from "../../tools/cli/status";
import { driftLines, renderDrift } from "../../tools/cli/drift";
import { commitOfRelease, releasesIn } from "../../tools/cli/rollback";
import { fakeDocker, fakeTerraform, stackJson, synthDir, unreachableDocker, unreachableTerraform } from "./fixture";

/*
 * z3ops (tools/cli/z3ops-command.ts): argument validation before anything is contacted (exit 2), output
 * formatting, and exit codes (0 ok, 1 a failure found), with Docker and Terraform answered by fakes.
 * The commands against a real engine: test/e2e/13-operator-cli.e2e.test.ts.
 */

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const ENV = { TF_VAR_docker_host: "unix:///nonexistent/docker.sock", PATH: process.env.PATH };

async function z3ops(argv: string[], deps: CliDeps = {}): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    env: ENV,
    docker: () => unreachableDocker,
    terraform: unreachableTerraform,
    isTTY: false,
    ...deps,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

let fx: ReturnType<typeof synthDir>;
beforeEach(() => {
  fx = synthDir();
});
afterEach(() => fs.rmSync(fx.root, { recursive: true, force: true }));

describe("help and usage", () => {
  test("--help lists every command and the exit codes, exit 0", async () => {
    const r = await z3ops(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: z3ops \[options\] \[command\]$/m);
    for (const cmd of ["status", "logs", "exec", "rollback", "drift", "verify", "restore"])
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, "m"));
    expect(r.stdout).toContain("Exit codes: 0 ok, 1 a failure found, 2 usage error.");
  });
  test("each command's help has the same shape and options", async () => {
    for (const cmd of ["status", "logs", "exec", "rollback", "drift", "verify", "restore"]) {
      const r = await z3ops([cmd, "--help"]);
      expect([cmd, r.code]).toEqual([cmd, 0]);
      expect(r.stdout).toMatch(new RegExp(`^Usage: z3ops ${cmd} \\[options\\] <stack>`, "m"));
      expect(r.stdout).toContain("--out <dir>");
      expect(r.stdout).toContain("--docker-host <url>");
      expect(r.stdout).toContain("-var name=value");
    }
  });
  test.each([
    [["nope"], /unknown command 'nope'/],
    [["status"], /missing required argument 'stack'/],
    [["status", "a-dev", "b-dev"], /too many arguments/],
    [["status", "shop-dev", "--frobnicate"], /unknown option '--frobnicate'/],
    [["logs", "shop-dev"], /missing required argument 'service'/],
    [["status", "shop-dev", "-var"], /-var needs name=value/],
    [["status", "shop-dev", "-var", "novalue"], /-var novalue: expected name=value/],
  ])("%j is a usage error: exit 2, nothing contacted", async (argv, message) => {
    const r = await z3ops(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});

describe("arguments are checked before Docker or Terraform is contacted", () => {
  test.each([
    [["status", "Bad Name"], /"Bad Name" is not a stack name/],
    [["status", "other-dev"], /unknown stack other-dev; synthesized stacks: shop-dev/],
    [["logs", "shop-dev", "nope"], /shop-dev has no service "nope"; its services: shop-dev-app, shop-dev-api, shop-dev-migrate/],
    [["logs", "shop-dev", "app", "--tail", "ten"], /--tail ten: a number of lines or "all"/],
    [["exec", "shop-dev", "app"], /which command\? z3ops exec <stack> <service> -- <command>/],
    [["exec", "shop-dev", "nope", "--", "true"], /has no service "nope"/],
    [["drift", "other-dev"], /unknown stack other-dev/],
    [["rollback", "shop-dev", "not a release"], /release "not a release"/],
    [["rollback", "shop-dev", "0.1.0+bbbbbbb", "--wait", "soon"], /--wait soon: a number of seconds/],
    [["rollback", "shop-dev", "0.1.0+bbbbbbb", "--from", "/nonexistent/out"], /--from \/nonexistent\/out: no such directory/],
    [["rollback", "shop-dev", "0.1.0", "--yes"], /release 0\.1\.0 names no commit .*--from/],
    [["restore", "shop-dev", "nope"], /nope is not backed up by shop-dev; its backed-up volumes: shop-dev-data/],
    [["restore", "shop-dev", "shop-dev-data"], /confirm with --yes \(no terminal to ask on\)/],
    [["restore", "shop-dev", "shop-dev-data", "--list", "--dry-run"], /--list and --dry-run: give one of them/],
    [["status", "shop-dev", "--docker-host", "http://x"], /Docker host http:\/\/x: expected unix:\/\/, tcp:\/\/ or ssh:\/\//],
  ])("%j: exit 2", async (argv, message) => {
    const r = await z3ops([argv[0], "--out", fx.out, ...argv.slice(1)]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
  test("no Docker host anywhere: exit 2 naming the ways to give one", async () => {
    const r = await z3ops(["status", "shop-dev", "--out", fx.out], { env: { PATH: process.env.PATH } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no Docker host: pass --docker-host .* or set TF_VAR_docker_host/);
  });
  test("the restore of a stack without backups configured: exit 2 before Docker", async () => {
    const json = stackJson();
    delete (json.resource as { docker_container: Record<string, unknown> }).docker_container.backup_runner_files;
    const other = synthDir(json);
    try {
      const r = await z3ops(["restore", "shop-dev", "shop-dev-data", "--dry-run", "--out", other.out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/shop-dev has no backup runner in its synthesized stack/);
    } finally {
      fs.rmSync(other.root, { recursive: true, force: true });
    }
  });
});

const inspect = (status: string, health: string | null, release: string, exit = 0) =>
  JSON.stringify([
    {
      Image: "sha256:" + "a".repeat(64),
      Config: { Labels: { release } },
      State: { Status: status, ExitCode: exit, Health: health ? { Status: health } : null },
    },
  ]);
const docker = (app: string, migrate = inspect("exited", null, "0.1.0+aaaaaaa", 0), apiTasks = 2) =>
  fakeDocker({
    "info --format {{.Name}}": "host-1\n",
    "container inspect shop-dev-app": app,
    "container inspect shop-dev-migrate": migrate,
    [`image inspect sha256:${"a".repeat(64)}`]: JSON.stringify([
      { Id: "sha256:" + "a".repeat(64), RepoDigests: ["shop/app@sha256:" + "b".repeat(64)] },
    ]),
    "service inspect shop-dev-api": JSON.stringify([
      {
        Spec: {
          Labels: { release: "0.1.0+aaaaaaa" },
          TaskTemplate: { ContainerSpec: { Image: "shop/api:1@sha256:" + "c".repeat(64) } },
          Mode: { Replicated: { Replicas: 2 } },
        },
      },
    ]),
    "service ps --no-trunc --filter desired-state=running --format {{json .}} shop-dev-api": Array.from({ length: apiTasks }, (_, i) =>
      JSON.stringify({ Node: `node-${i + 1}`, CurrentState: "Running 5 minutes ago", DesiredState: "Running" }),
    ).join("\n"),
  });

describe("status", () => {
  test("every deployed service with state, health, release, image digest and host; exit 0", async () => {
    const d = docker(inspect("running", "healthy", "0.1.0+aaaaaaa"));
    const r = await z3ops(["status", "shop-dev", "--out", fx.out], { docker: () => d });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual(
      [
        "shop-dev on unix:///nonexistent/docker.sock",
        "SERVICE           KIND       STATE        HEALTH           RELEASE        IMAGE                HOST",
        "shop-dev-app      container  running      healthy          0.1.0+aaaaaaa  sha256:bbbbbbbbbbbb  host-1",
        "shop-dev-api      swarm      running 2/2  healthy (tasks)  0.1.0+aaaaaaa  sha256:cccccccccccc  node-1,node-2",
        "shop-dev-migrate  job        exited 0     none             0.1.0+aaaaaaa  sha256:bbbbbbbbbbbb  host-1",
        "ok: 3 running as configured",
        "",
      ].map((l) => l),
    );
    // The backup runner is count-gated off (backup_repository empty): not asked for.
    expect(d.calls.some((c) => c.includes("shop-dev-backup"))).toBe(false);
  });
  test.each([
    ["an unhealthy container", docker(inspect("running", "unhealthy", "x")), /FAILED: shop-dev-app running unhealthy/],
    ["a stopped container", docker(inspect("exited", "unhealthy", "x", 137)), /FAILED: shop-dev-app exited 137/],
    ["a missing container", docker(undefined as unknown as string), /FAILED: shop-dev-app missing/],
    ["a job that failed", docker(inspect("running", "healthy", "x"), inspect("exited", null, "x", 3)), /FAILED: shop-dev-migrate exited 3/],
    ["a swarm service short of replicas", docker(inspect("running", "healthy", "x"), undefined, 1), /FAILED: shop-dev-api running 1\/2/],
  ])("%s: exit 1 with the failure named", async (_what, d, verdict) => {
    const r = await z3ops(["status", "shop-dev", "--out", fx.out], { docker: () => d });
    expect(r.stdout).toMatch(verdict);
    expect(r.code).toBe(1);
  });
  test("a Docker host that does not answer: exit 1, not a usage error", async () => {
    const d = fakeDocker({ "info --format {{.Name}}": { code: 1, stdout: "", stderr: "Cannot connect to the Docker daemon" } });
    const r = await z3ops(["status", "shop-dev", "--out", fx.out], { docker: () => d });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed: the Docker host unix:\/\/\/nonexistent\/docker.sock did not answer: Cannot connect/);
  });
  test("renderStatus and shortDigest", () => {
    const row: StatusRow = {
      service: "s",
      kind: "container",
      state: "running",
      health: "none",
      release: "-",
      image: "sha256:" + "f".repeat(64),
      host: "h",
      failed: false,
    };
    expect(renderStatus("x-dev", "ssh://u@h", [row])).toBe(
      "x-dev on ssh://u@h\nSERVICE  KIND       STATE    HEALTH  RELEASE  IMAGE                HOST\ns        container  running  none    -        sha256:ffffffffffff  h\nok: 1 running as configured\n",
    );
    expect(shortDigest("example/app:1")).toBe("example/app:1");
  });
});

describe("logs and exec", () => {
  test("logs: docker logs of the service by its short name, -f follows; docker service logs on a swarm", async () => {
    const d = fakeDocker({ "logs --tail all --follow shop-dev-app": "", "service logs --tail 10 shop-dev-api": "" });
    expect((await z3ops(["logs", "shop-dev", "app", "-f", "--out", fx.out], { docker: () => d })).code).toBe(0);
    expect((await z3ops(["logs", "shop-dev", "api", "--tail", "10", "--out", fx.out], { docker: () => d })).code).toBe(0);
    expect(d.calls).toEqual(["logs --tail all --follow shop-dev-app", "service logs --tail 10 shop-dev-api"]);
  });
  test("exec: the command after -- runs in the container; its exit code is z3ops's", async () => {
    const d = fakeDocker({ "exec -i shop-dev-app sh -c exit 3": { code: 3, stdout: "", stderr: "" } });
    const r = await z3ops(["exec", "shop-dev", "app", "--out", fx.out, "--", "sh", "-c", "exit 3"], { docker: () => d });
    expect(r.code).toBe(3);
    expect(d.calls).toEqual(["exec -i shop-dev-app sh -c exit 3"]);
  });
  test("exec: -var and options after -- belong to the command, not to z3ops", async () => {
    const d = fakeDocker({ "exec -it shop-dev-app echo -var --out x": "" });
    const r = await z3ops(["exec", "shop-dev", "shop-dev-app", "--out", fx.out, "--", "echo", "-var", "--out", "x"], {
      docker: () => d,
      isTTY: true,
    });
    expect(r.code).toBe(0);
    expect(d.calls).toEqual(["exec -it shop-dev-app echo -var --out x"]);
  });
});

const driftPlan = {
  format_version: "1.2",
  resource_drift: [
    {
      address: "docker_container.app",
      type: "docker_container",
      change: {
        actions: ["update"],
        before: { name: "shop-dev-app", must_run: true, env: ["A=1"], networks_advanced: [{ name: "shop-dev" }] },
        after: { name: "shop-dev-app", must_run: true, env: ["A=2"], networks_advanced: [] },
      },
    },
    {
      address: "docker_network.old",
      type: "docker_network",
      change: { actions: ["delete"], before: { name: "shop-dev-old" }, after: null },
    },
  ],
  resource_changes: [
    {
      address: "docker_container.app",
      type: "docker_container",
      name: "app",
      change: {
        actions: ["delete", "create"],
        before: { name: "shop-dev-app", must_run: true, env: ["A=2"] },
        after: { name: "shop-dev-app", must_run: true, env: ["A=1"] },
        replace_paths: [["env"]],
      },
    },
  ],
};

describe("drift", () => {
  test("driftLines names each resource and each attribute changed outside Terraform", () => {
    const lines = driftLines(driftPlan);
    expect(lines[0]).toMatch(/^- `docker_container\.app` \(`shop-dev-app`\): /);
    expect(lines[0]).toContain("`env`");
    expect(lines[0]).toContain("`networks_advanced`");
    expect(lines[1]).toBe("- `docker_network.old` (`shop-dev-old`): **gone** (deleted outside Terraform)");
    expect(driftLines({})).toEqual([]);
    // Refreshed without a visible difference (computed attributes only): not reported.
    const same = { name: "shop-dev-app-files", start: false };
    expect(
      driftLines({
        resource_drift: [
          { address: "docker_container.app_files", type: "docker_container", change: { actions: ["update"], before: same, after: same } },
        ],
      }),
    ).toEqual([]);
  });
  test("renderDrift: the drift, then the next apply in the plan-summary format", () => {
    const md = renderDrift("shop-dev", driftPlan);
    expect(md).toMatch(/^## Drift of `shop-dev`\n\nChanged outside Terraform:\n\n- `docker_container\.app`/);
    expect(md).toContain("What the next apply would do:");
    expect(md).toContain("**downtime**: long-running container `docker_container.app`");
  });
  test("a clean stack: terraform plan exits 0; nothing on stdout, exit 0", async () => {
    fs.mkdirSync(path.join(fx.dir, ".terraform"));
    const tf = fakeTerraform({ plan: { code: 0, stdout: "No changes.", stderr: "" } });
    const r = await z3ops(["drift", "shop-dev", "--out", fx.out, "-var", "app_image=shop/app:1"], { terraform: tf });
    expect(r).toEqual({ code: 0, stdout: "", stderr: "drift: shop-dev: none\n" });
    expect(tf.calls[0].args.slice(0, 5)).toEqual(["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"]);
    expect(tf.calls[0].args.slice(-2)).toEqual(["-var", "app_image=shop/app:1"]);
    expect(tf.calls[0].cwd).toBe(fx.dir);
    // --docker-host reaches Terraform as the docker_host variable.
    await z3ops(["drift", "shop-dev", "--out", fx.out, "--docker-host", "ssh://deploy@host"], { terraform: tf });
    expect(tf.calls[1].args.slice(-2)).toEqual(["-var", "docker_host=ssh://deploy@host"]);
  });
  test("a drifted stack: plan exits 2; the report on stdout (and --output), exit 1; init first when never initialised", async () => {
    const tf = fakeTerraform({
      init: { code: 0, stdout: "", stderr: "" },
      plan: { code: 2, stdout: "", stderr: "" },
      show: { code: 0, stdout: JSON.stringify(driftPlan), stderr: "" },
    });
    const report = path.join(fx.root, "drift.md");
    const r = await z3ops(["drift", "shop-dev", "--out", fx.out, "--output", report], { terraform: tf });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("`docker_container.app` (`shop-dev-app`)");
    expect(fs.readFileSync(report, "utf8")).toBe(r.stdout);
    expect(tf.calls.map((c) => c.args[0])).toEqual(["init", "plan", "show"]);
  });
  test("a plan that fails: exit 1 with Terraform's error, no report", async () => {
    fs.mkdirSync(path.join(fx.dir, ".terraform"));
    const tf = fakeTerraform({ plan: { code: 1, stdout: "", stderr: "Error: Cannot connect to the Docker daemon" } });
    const r = await z3ops(["drift", "shop-dev", "--out", fx.out], { terraform: tf });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/failed: terraform plan of shop-dev failed \(exit 1\):\nError: Cannot connect/);
  });
});

describe("rollback", () => {
  let earlier: ReturnType<typeof synthDir>;
  beforeEach(() => {
    earlier = synthDir(stackJson("0.1.0+0000000"));
  });
  afterEach(() => fs.rmSync(earlier.root, { recursive: true, force: true }));

  test("releasesIn and commitOfRelease", () => {
    expect(releasesIn(stackJson("1.0.0+abcdef1"))).toEqual(["1.0.0+abcdef1"]);
    expect(releasesIn({})).toEqual([]);
    expect(commitOfRelease("0.1.0+ccea108")).toBe("ccea108");
    expect(commitOfRelease("ccea108")).toBe("ccea108");
    expect(commitOfRelease("e2e13-r1")).toBeUndefined();
  });
  test("the --from output must be that release: exit 2 before Terraform", async () => {
    const r = await z3ops(["rollback", "shop-dev", "0.1.0+1111111", "--from", earlier.out, "--out", fx.out, "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is release 0\.1\.0\+0000000, not 0\.1\.0\+1111111/);
  });
  test("without --yes and a terminal: exit 2; a wrong answer on a terminal: exit 1; nothing applied either way", async () => {
    const argv = ["rollback", "shop-dev", "0.1.0+0000000", "--from", earlier.out, "--out", fx.out];
    const refused = await z3ops(argv);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/rolling shop-dev back to 0\.1\.0\+0000000: confirm with --yes/);
    let asked = "";
    const declined = await z3ops(argv, { isTTY: true, confirm: async (q) => ((asked = q), false) });
    expect(asked).toMatch(/^Roll shop-dev on unix:\/\/\/nonexistent\/docker.sock back from 0\.1\.0\+aaaaaaa to 0\.1\.0\+0000000 /);
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("rollback: not confirmed; nothing was changed");
    expect(JSON.parse(fs.readFileSync(path.join(fx.dir, "cdk.tf.json"), "utf8"))).toEqual(stackJson());
  });
  test("applies the earlier stack through Terraform in the stack's directory, keeps the current one beside it; a failed apply exits 1", async () => {
    const tf = fakeTerraform({
      init: { code: 0, stdout: "", stderr: "" },
      apply: { code: 1, stdout: "", stderr: "Error: image not found" },
    });
    const r = await z3ops(
      ["rollback", "shop-dev", "0.1.0+0000000", "--from", earlier.out, "--out", fx.out, "--yes", "-var", "app_image=shop/app:1"],
      {
        terraform: tf,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/terraform apply of the earlier release failed \(exit 1\):\nError: image not found/);
    expect(tf.calls.map((c) => [c.args[0], c.cwd])).toEqual([
      ["init", fx.dir],
      ["apply", fx.dir],
    ]);
    expect(tf.calls[1].args).toEqual(["apply", "-auto-approve", "-input=false", "-no-color", "-var", "app_image=shop/app:1"]);
    expect(JSON.parse(fs.readFileSync(path.join(fx.dir, "cdk.tf.json"), "utf8"))).toEqual(stackJson("0.1.0+0000000"));
    expect(JSON.parse(fs.readFileSync(path.join(fx.dir, "cdk.tf.json.before-rollback"), "utf8"))).toEqual(stackJson());
  });
});
