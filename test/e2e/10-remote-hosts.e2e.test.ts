import { mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { loadConfig, REPO_ROOT } from "./harness/env";
import { say } from "./harness/log";
import { psql } from "./harness/postgres";
import { run, tail } from "./harness/process";
import { record, seconds } from "./harness/report";
import { CdktfCli, CdktfResult, emptyKnownHosts, filesContaining, RemoteHostsTestbed, stackObjectsOn } from "./harness/remote-hosts";
import { StackUnderTest } from "./harness/stacks";
import { scenario } from "./harness/suite";

const STACK = "zcash-staging";
const MINUTE = 60_000;

/**
 * zcash-staging (what staging runs on one remote host) deployed the way a deploy job does it, with
 * `npx cdktf deploy|diff|destroy --skip-provider-lock`, to Docker hosts that are not the machine's
 * own engine (scripts/remote-hosts-testbed.sh): once over ssh://deploy@<address>, once over
 * tcp://<address>:2376 with mutual TLS; its images pulled from a private registry (TLS, htpasswd)
 * by digest with the provider's registry_auth. State in the suite's PostgreSQL.
 */
describe("zcash-staging on remote hosts over SSH and TLS, images by digest from a private registry", () => {
  const started = Date.now();
  let bed: RemoteHostsTestbed;
  let s: StackUnderTest;
  let cli: CdktfCli;
  let workDir: string;
  /** Image variable -> `<registry>/z3-e2e/<name>@sha256:…`. */
  let pinned: Record<string, string> = {};
  let deployedOn: "ssh" | "tls" | undefined;
  const outputs: CdktfResult[] = [];
  const { step } = scenario();

  /** The sensitive inputs: the stack's generated secrets and the bed's registry credentials. */
  const secrets = (password = bed.registryPassword) => ({
    ...s.secrets,
    registry_username: bed.registryUsername,
    registry_password: password,
  });
  /** Every credential value that must never show up anywhere. */
  const credentials = () => [bed.registryPassword, bed.registryUsername];

  const varsFor = (host: "ssh" | "tls", opts: { knownHosts?: string; certPath?: string } = {}): Record<string, string> => ({
    ...pinned,
    registry_address: bed.registry,
    ...(host === "ssh"
      ? { docker_host: bed.sshHost, docker_ssh_opts: JSON.stringify(bed.sshOpts(opts.knownHosts)) }
      : { docker_host: bed.tlsHost, docker_cert_path: opts.certPath ?? bed.tlsCertPath }),
  });
  /** The registry check runs on this machine: it trusts the bed's CA through SSL_CERT_FILE. */
  const env = () => ({ SSL_CERT_FILE: bed.registryCa });

  const cdktf = async (command: "deploy" | "diff" | "destroy", vars: Record<string, string>, password?: string) => {
    const r = await cli.run(command, { vars, secrets: secrets(password), env: env() });
    outputs.push(r);
    return r;
  };
  const mustSucceed = (r: CdktfResult, what: string) => {
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}${r.timedOut ? ", timed out" : ""}):\n${tail(r.output, 60)}`);
  };
  /** The stack's containers, volumes and networks on each engine. */
  const objects = async () => ({
    local: await stackObjectsOn(s, []),
    ssh: await stackObjectsOn(s, ["-H", bed.sshSocket]),
    tls: await stackObjectsOn(s, ["-H", bed.tlsSocket]),
  });
  // Not the secrets' length checks (terraform_data.<name>_length): they hold nothing and reach no host, and an apply that
  // fails at the first Docker call (an unknown host key, an untrusted certificate) may already have recorded them.
  const managedResources = async () =>
    (await cli.stateList()).filter((a) => !a.startsWith("data.") && !/^terraform_data\.\w+_length$/.test(a));

  beforeAll(async () => {
    const config = loadConfig();
    workDir = join(config.workDir, "remote-hosts");
    mkdirSync(workDir, { recursive: true });
    bed = RemoteHostsTestbed.up({ fresh: true });
    say(`remote hosts: ${bed.upMessage}`);
    s = new StackUnderTest(STACK, config, { section: `${STACK} remote hosts` });
    cli = new CdktfCli(s, config, join(workDir, "cdktf.out"));
  }, 15 * MINUTE);

  afterAll(async () => {
    if (s && deployedOn && process.env.E2E_KEEP !== "1") {
      const r = await cli.run("destroy", { vars: varsFor(deployedOn), secrets: secrets(), env: env() }).catch(() => undefined);
      if (!r || r.code !== 0) say(`${STACK}: clean-up destroy on the ${deployedOn} host failed; the bed's teardown removes its daemon`);
    }
    if (bed && process.env.E2E_KEEP !== "1") bed.down();
    const wall = seconds(Date.now() - started);
    record(`${STACK} remote hosts`, "scenario wall time s (bed up to bed down)", wall);
    say(`remote hosts scenario: ${wall}s wall time, test bed up and down included`);
  }, 20 * MINUTE);

  step(
    "the stand-in images are pushed to the registry and pinned by digest; no engine holds the stack, neither test host the images",
    async () => {
      expect(s.pgBackend).toBe(true);
      const t0 = Date.now();
      const local = s.images(1);
      const byRef = await bed.pushImages([...new Set(Object.values(local))]);
      pinned = Object.fromEntries(Object.entries(local).map(([v, ref]) => [v, byRef[ref]]));
      record(s.section, "images pushed", Object.keys(byRef).length);
      record(s.section, "push s", seconds(Date.now() - t0));
      for (const [v, ref] of Object.entries(pinned))
        expect([v, ref]).toEqual([
          v,
          expect.stringMatching(new RegExp(`^${bed.registry.replace(/\./g, "\\.")}/z3-e2e/[a-z-]+@sha256:[0-9a-f]{64}$`)),
        ]);
      say(
        `${STACK}: pushed ${Object.keys(byRef).length} images to ${bed.registry} in ${seconds(Date.now() - t0)}s; ${Object.entries(pinned)
          .map(([v, r]) => `${v}=${r.replace(/^.*\//, "")}`)
          .join(", ")}`,
      );
      for (const host of ["ssh", "tls"] as const) {
        expect([
          host,
          (await bed.dockerOk(host, ["image", "ls", "--format", "{{.Repository}}"])).split("\n").filter((r) => r.includes("z3-e2e")),
        ]).toEqual([host, []]);
      }
      expect(await objects()).toEqual({ local: [], ssh: [], tls: [] });
      const schema = await psql(
        loadConfig().pgConnStr!,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'zcash_staging' AND table_name = 'states'",
      );
      if (schema !== "0")
        expect(
          await psql(loadConfig().pgConnStr!, "SELECT count(*) FROM zcash_staging.states WHERE data::jsonb -> 'resources' <> '[]'::jsonb"),
        ).toBe("0");
    },
    10 * MINUTE,
  );

  step("an unknown SSH host key: cdktf deploy stops with ssh's message and nothing is deployed", async () => {
    const r = await cdktf("deploy", varsFor("ssh", { knownHosts: emptyKnownHosts(workDir) }));
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(
      /No ED25519 host key is known for 10\.241\.0\.11 and you have requested strict checking\.\s+Host key verification failed\./,
    );
    say(
      `${STACK}: unknown host key -> ${/stderr=[^\n]*/.exec(r.output)?.[0] ?? "(no ssh stderr)"} ${/Host key verification failed\./.exec(r.output)?.[0] ?? ""}`,
    );
    expect(await objects()).toEqual({ local: [], ssh: [], tls: [] });
    expect(await managedResources()).toEqual([]);
  });

  step("a wrong registry password: the plan fails with the registry's 401 before anything changes", async () => {
    const r = await cdktf("deploy", varsFor("ssh"), `wrong-${bed.registryPassword}`);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(
      /Got error when attempting to fetch image version z3-e2e\/[a-z-]+:sha256:[0-9a-f]{64} from registry: bad credentials: 401 Unauthorized/,
    );
    // cdktf prints the construct path after the address: `registry_check (registry_check)["zebra_image"]`.
    expect(r.output).toMatch(/with data\.docker_registry_image\.registry_check( \(registry_check\))?\["[a-z_]+_image"\]/);
    // Planning failed: Terraform never started applying.
    expect(r.output).not.toMatch(/Creating\.\.\.|Apply complete/);
    say(`${STACK}: wrong registry password -> ${/Got error when attempting[^\n]*/.exec(r.output)![0]}`);
    expect(await objects()).toEqual({ local: [], ssh: [], tls: [] });
    expect(await managedResources()).toEqual([]);
  });

  step(
    "cdktf deploy over ssh://deploy@<address>: every service runs on the SSH host from the pinned digests, pulled with the registry credentials; nothing on the other engines",
    async () => {
      const t0 = Date.now();
      const r = await cdktf("deploy", varsFor("ssh"));
      mustSucceed(r, "cdktf deploy over SSH");
      deployedOn = "ssh";
      record(s.section, "cdktf deploy over ssh s", seconds(Date.now() - t0));
      const services = s
        .services()
        .filter((c) => s.isDeployed(c))
        .map((c) => c.name);
      await bed.waitHealthy("ssh", services, 4 * MINUTE);
      await assertRunsPinnedImages("ssh");
      const found = await objects();
      expect(found.local).toEqual([]);
      expect(found.tls).toEqual([]);
      expect(found.ssh.filter((o) => o.startsWith("container ")).length).toBe(s.containers().filter((c) => s.isDeployed(c)).length);
      // The SSH host pulled every image by digest from the registry, with accepted credentials.
      const pulls = new Set(bed.authorizedManifestRequests("10.241.0.11"));
      for (const ref of Object.values(pulled())) expect([ref, pulls.has(ref.replace(`${bed.registry}/`, ""))]).toEqual([ref, true]);
      say(
        `${STACK}: deployed over SSH in ${seconds(Date.now() - t0)}s; ${services.length} services healthy on the SSH host; nothing of the stack on the local engine or the TLS host`,
      );
    },
    30 * MINUTE,
  );

  step("no credential in the synthesized JSON, the cdktf output, the state, its outputs or the plan summary", async () => {
    const leaks = filesContaining(cli.outDir, credentials(), ["providers"]);
    expect(leaks).toEqual([]);
    const json = JSON.parse(readFileSync(join(cli.stackDir, "cdk.tf.json"), "utf8"));
    expect(json.provider.docker[0].dynamic.registry_auth.content).toEqual({
      address: "${each.value}",
      username: "${var.registry_username}",
      password: "${var.registry_password}",
    });
    for (const r of outputs) for (const c of credentials()) expect(r.output.includes(c)).toBe(false);
    const state = await cli.terraform(["state", "pull"]);
    expect(state.code).toBe(0);
    expect(JSON.parse(state.stdout).resources.length).toBeGreaterThan(0);
    for (const c of credentials()) expect(state.stdout.includes(c)).toBe(false);
    const out = await cli.terraform(["output", "-json"]);
    expect(out.code).toBe(0);
    expect(Object.keys(JSON.parse(out.stdout)).sort()).toEqual(["network", "zebra_container"]);
    for (const c of credentials()) expect(out.stdout.includes(c)).toBe(false);
    // The plan summary reviewers read, of a real plan of this deployment (its destroy).
    const varArgs = Object.entries(varsFor("ssh")).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    const plan = await cli.terraform(["plan", "-destroy", "-input=false", "-no-color", "-out=tfplan.review", ...varArgs], secrets(), env());
    if (plan.code !== 0) throw new Error(`terraform plan -destroy failed:\n${tail(plan.stderr + plan.stdout)}`);
    const show = await cli.terraform(["show", "-json", "tfplan.review"], secrets(), env());
    const planJson = join(workDir, "plan.json");
    writeFileSync(planJson, show.stdout, { mode: 0o600 });
    try {
      // Plan JSON holds variable values in clear text (documented): the summary must not.
      expect(show.stdout.includes(bed.registryPassword)).toBe(true);
      const summary = await run("npm", ["run", "--silent", "plan:summary", "--", "--stack", `${STACK}=${planJson}`], {
        cwd: REPO_ROOT,
        timeoutMs: 3 * MINUTE,
        quiet: true,
      });
      expect(summary.code).toBe(0);
      expect(summary.stdout).toContain(STACK);
      expect(summary.stdout).toMatch(/docker_container\.z3_zebra/);
      for (const c of credentials()) expect(summary.stdout.includes(c)).toBe(false);
    } finally {
      rmSync(planJson, { force: true });
      rmSync(join(cli.stackDir, "tfplan.review"), { force: true });
    }
  });

  step("cdktf diff over SSH: no changes", async () => {
    const r = await cdktf("diff", varsFor("ssh"));
    mustSucceed(r, "cdktf diff over SSH");
    expect(r.output).toMatch(/No changes\. Your infrastructure matches the configuration\./);
  });

  step("cdktf destroy over SSH: nothing of the stack is left on the SSH host, the state holds no resource", async () => {
    const t0 = Date.now();
    mustSucceed(await cdktf("destroy", varsFor("ssh")), "cdktf destroy over SSH");
    deployedOn = undefined;
    record(s.section, "cdktf destroy over ssh s", seconds(Date.now() - t0));
    expect(await objects()).toEqual({ local: [], ssh: [], tls: [] });
    expect(await managedResources()).toEqual([]);
  });

  step("a client certificate the TLS host does not trust: cdktf deploy stops with the TLS error and nothing is deployed", async () => {
    const r = await cdktf("deploy", varsFor("tls", { certPath: bed.tlsUntrustedCertPath }));
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(
      /Error pinging Docker server[\s\S]*tcp:\/\/10\.241\.0\.10:2376[\s\S]*remote error: tls: (certificate required|bad certificate)/,
    );
    say(`${STACK}: untrusted client certificate -> ${/remote error: tls: [a-z ]+/.exec(r.output)![0]}`);
    expect(await objects()).toEqual({ local: [], ssh: [], tls: [] });
    expect(await managedResources()).toEqual([]);
  });

  step(
    "cdktf deploy over tcp://<address>:2376 with docker_cert_path: every service runs on the TLS host from the pinned digests; nothing on the other engines",
    async () => {
      const t0 = Date.now();
      const r = await cdktf("deploy", varsFor("tls"));
      mustSucceed(r, "cdktf deploy over TLS");
      deployedOn = "tls";
      record(s.section, "cdktf deploy over tls s", seconds(Date.now() - t0));
      const services = s
        .services()
        .filter((c) => s.isDeployed(c))
        .map((c) => c.name);
      await bed.waitHealthy("tls", services, 4 * MINUTE);
      await assertRunsPinnedImages("tls");
      const found = await objects();
      expect(found.local).toEqual([]);
      expect(found.ssh).toEqual([]);
      expect(found.tls.filter((o) => o.startsWith("container ")).length).toBe(s.containers().filter((c) => s.isDeployed(c)).length);
      const pulls = new Set(bed.authorizedManifestRequests("10.241.0.10"));
      for (const ref of Object.values(pulled())) expect([ref, pulls.has(ref.replace(`${bed.registry}/`, ""))]).toEqual([ref, true]);
      say(`${STACK}: deployed over TLS in ${seconds(Date.now() - t0)}s; ${services.length} services healthy on the TLS host`);
    },
    30 * MINUTE,
  );

  step("cdktf diff over TLS: no changes", async () => {
    const r = await cdktf("diff", varsFor("tls"));
    mustSucceed(r, "cdktf diff over TLS");
    expect(r.output).toMatch(/No changes\. Your infrastructure matches the configuration\./);
  });

  step("cdktf destroy over TLS: nothing of the stack is left on any engine; no credential in any cdktf output", async () => {
    const t0 = Date.now();
    mustSucceed(await cdktf("destroy", varsFor("tls")), "cdktf destroy over TLS");
    deployedOn = undefined;
    record(s.section, "cdktf destroy over tls s", seconds(Date.now() - t0));
    expect(await objects()).toEqual({ local: [], ssh: [], tls: [] });
    expect(await managedResources()).toEqual([]);
    for (const r of outputs) for (const c of credentials()) expect(r.output.includes(c)).toBe(false);
  });

  /**
   * The pinned images a host pulls: all but the backup runner's, which is not deployed here (no
   * backup_repository; its image is pushed and read by the plan-time registry check, never pulled).
   */
  function pulled(): Record<string, string> {
    return Object.fromEntries(Object.entries(pinned).filter(([v]) => s.backups || v !== "backup_image"));
  }

  /** Each service's container runs the image the host pulled by the pinned digest. */
  async function assertRunsPinnedImages(host: "ssh" | "tls"): Promise<void> {
    const idOf: Record<string, string> = {};
    for (const [v, ref] of Object.entries(pulled()))
      idOf[v] = (await bed.dockerOk(host, ["image", "inspect", "--format", "{{.Id}}", ref])).trim();
    for (const c of s.containers().filter((x) => s.isDeployed(x))) {
      const image = /docker_image\.([A-Za-z0-9_]+)(\[0\])?\.image_id/.exec(c.config.image ?? "");
      const variable = image ? /\$\{var\.([a-z_]+_image)\}/.exec(s.json.resource.docker_image[image[1]].name)?.[1] : undefined;
      if (!variable) continue;
      const running = (await bed.dockerOk(host, ["inspect", "--format", "{{.Image}}", c.name])).trim();
      expect([c.name, running]).toEqual([c.name, idOf[variable]]);
    }
  }
});
