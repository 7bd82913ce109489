import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { E2eConfig, engineFromEnv, REPO_ROOT } from "./env";
import { detail, say } from "./log";
import { run, RunResult, runOk, tail, waitFor } from "./process";
import { StackUnderTest } from "./stacks";

const MINUTE = 60_000;

/**
 * Remote Docker hosts on this machine (scripts/remote-hosts-testbed.sh): a TLS host
 * (tcp://10.241.0.10:2376, mutual TLS), an SSH host (ssh://deploy@10.241.0.11) and a private
 * registry (10.241.0.12:5000, TLS and htpasswd), each in its own network namespace. The harness
 * reaches each host's daemon directly through its admin socket for the checks; the stacks reach
 * them only the way a deploy job does.
 */
export class RemoteHostsTestbed {
  static readonly script = join(REPO_ROOT, "scripts", "remote-hosts-testbed.sh");

  /**
   * Builds the bed and reads its coordinates: a new one when `fresh` (no image, container or
   * credential left from an earlier run), else the healthy one that is up.
   */
  static up(opts: { fresh?: boolean } = {}): RemoteHostsTestbed {
    if (opts.fresh) script(["down"], 5 * MINUTE);
    say(`remote hosts test bed: up${opts.fresh ? " (fresh)" : ""}`);
    const out = script(["up"], 10 * MINUTE);
    return new RemoteHostsTestbed(out.stderr.trim().split("\n").pop() ?? "");
  }

  readonly tlsHost: string;
  readonly tlsCertPath: string;
  /** A client certificate from a CA the TLS host does not trust (ca.pem is the right one). */
  readonly tlsUntrustedCertPath: string;
  readonly tlsSocket: string;
  readonly sshHost: string;
  readonly sshKey: string;
  readonly sshKnownHosts: string;
  readonly sshSocket: string;
  /** host:port */
  readonly registry: string;
  readonly registryCa: string;
  readonly registryUsername: string;
  readonly registryPassword: string;
  /** The registry's log (access and auth lines). */
  readonly registryLog: string;

  private constructor(readonly upMessage: string) {
    const env = Object.fromEntries(
      script(["env"], 10_000)
        .stdout.split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const get = (k: string) => {
      if (!env[k]) throw new Error(`remote-hosts-testbed.sh env did not print ${k}`);
      return env[k];
    };
    this.tlsHost = get("Z3RH_TLS_DOCKER_HOST");
    this.tlsCertPath = get("Z3RH_TLS_CERT_PATH");
    this.tlsUntrustedCertPath = get("Z3RH_TLS_UNTRUSTED_CERT_PATH");
    this.tlsSocket = get("Z3RH_TLS_SOCKET");
    this.sshHost = get("Z3RH_SSH_DOCKER_HOST");
    this.sshKey = get("Z3RH_SSH_KEY");
    this.sshKnownHosts = get("Z3RH_SSH_KNOWN_HOSTS");
    this.sshSocket = get("Z3RH_SSH_SOCKET");
    this.registry = get("Z3RH_REGISTRY");
    this.registryCa = get("Z3RH_REGISTRY_CA");
    this.registryUsername = readFileSync(get("Z3RH_REGISTRY_USERNAME_FILE"), "utf8").trim();
    this.registryPassword = readFileSync(get("Z3RH_REGISTRY_PASSWORD_FILE"), "utf8").trim();
    this.registryLog = get("Z3RH_REGISTRY_LOG");
  }

  /**
   * Manifests the registry served to `address` (a host's IP) after checking its credentials (every
   * request needs them), as `<repository>@<reference>`, from the registry's log.
   */
  authorizedManifestRequests(address: string): string[] {
    return readFileSync(this.registryLog, "utf8")
      .split("\n")
      .filter((l) => l.includes('msg="authorized request"') && l.includes(`http.request.remoteaddr="${address}:`))
      .map((l) => /http\.request\.uri="?\/v2\/(\S+)\/manifests\/([^"\s]+)"?/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]}@${m[2]}`);
  }

  /** Removes everything up() made; safe to call twice. */
  down(): void {
    say("remote hosts test bed: down");
    script(["down"], 5 * MINUTE);
  }

  /**
   * The provider's `ssh_opts` (the stack's `docker_ssh_opts`): this bed's key, strict host key
   * checking against `knownHosts`, and nothing from ~/.ssh or /etc/ssh.
   */
  sshOpts(knownHosts = this.sshKnownHosts): string[] {
    return [
      "-F",
      "/dev/null",
      "-i",
      this.sshKey,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "StrictHostKeyChecking=yes",
    ];
  }

  /**
   * Pushes images of the machine's own engine to the bed's registry and returns, per local
   * reference, the registry reference pinned by digest (`<registry>/<repo>@sha256:…`). The registry
   * tags exist on the local engine only during the push; the login lives in a temporary
   * DOCKER_CONFIG, never in ~/.docker.
   */
  async pushImages(localRefs: readonly string[]): Promise<Record<string, string>> {
    const dockerConfig = mkdtempSync(join(tmpdir(), "z3-rh-docker-config-"));
    const env = { ...process.env, DOCKER_CONFIG: dockerConfig };
    const pinned: Record<string, string> = {};
    try {
      await runOk("docker", ["login", "--username", this.registryUsername, "--password-stdin", this.registry], {
        env,
        input: this.registryPassword,
        timeoutMs: MINUTE,
      });
      for (const ref of localRefs) {
        const remote = `${this.registry}/${ref}`;
        const repo = remote.replace(/:[^/:]+$/, "");
        await runOk("docker", ["tag", ref, remote], { env, timeoutMs: MINUTE });
        try {
          await runOk("docker", ["push", "-q", remote], { env, timeoutMs: 5 * MINUTE });
          const digests = JSON.parse(
            (await runOk("docker", ["image", "inspect", "--format", "{{json .RepoDigests}}", remote], { env, timeoutMs: MINUTE })).stdout,
          ) as string[];
          const digest = digests.find((d) => d.startsWith(`${repo}@sha256:`));
          if (!digest) throw new Error(`no registry digest for ${remote} after the push (RepoDigests: ${digests.join(", ")})`);
          pinned[ref] = digest;
        } finally {
          // Untag only (its digest reference goes with it): the image stays under its local name.
          await run("docker", ["rmi", "--no-prune", remote], { env, timeoutMs: MINUTE });
        }
      }
    } finally {
      await run("docker", ["logout", this.registry], { env, timeoutMs: MINUTE });
      rmSync(dockerConfig, { recursive: true, force: true });
    }
    return pinned;
  }

  /** `docker -H <host's admin socket> ...args` (never throws for a non-zero exit). */
  docker(host: "tls" | "ssh", args: readonly string[], timeoutMs = MINUTE): Promise<RunResult> {
    return run("docker", ["-H", host === "tls" ? this.tlsSocket : this.sshSocket, ...args], { timeoutMs, quiet: true });
  }

  async dockerOk(host: "tls" | "ssh", args: readonly string[], timeoutMs = MINUTE): Promise<string> {
    const r = await this.docker(host, args, timeoutMs);
    if (r.code !== 0) throw new Error(`docker -H <${host} host> ${args.join(" ")} failed (exit ${r.code}): ${tail(r.stderr || r.stdout)}`);
    return r.stdout;
  }

  /** Engine id of a host's daemon (compared with what the stack reports it ran on). */
  async engineId(host: "tls" | "ssh"): Promise<string> {
    return (await this.dockerOk(host, ["info", "--format", "{{.ID}}"])).trim();
  }

  /** Waits until the named containers run on `host` and, when they have a health check, are healthy. */
  async waitHealthy(host: "tls" | "ssh", names: readonly string[], timeoutMs: number): Promise<void> {
    const pending = new Set(names);
    await waitFor(
      `${[...pending].join(", ")} running and healthy on the ${host} host`,
      async () => {
        for (const n of [...pending]) {
          const r = await this.docker(host, [
            "inspect",
            "--format",
            "{{.State.Running}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
            n,
          ]);
          const [running, health] = r.stdout.trim().split(" ");
          if (r.code === 0 && running === "true" && (health === "none" || health === "healthy")) pending.delete(n);
        }
        return pending.size === 0;
      },
      {
        timeoutMs,
        intervalMs: 2000,
        describe: async () => {
          const parts: string[] = [];
          for (const n of pending) {
            const r = await this.docker(host, [
              "inspect",
              "--format",
              "{{.State.Status}} restarts={{.RestartCount}} health={{if .State.Health}}{{.State.Health.Status}}{{end}}",
              n,
            ]);
            const logs = await this.docker(host, ["logs", "--tail", "15", n]);
            parts.push(`${n}: ${r.stdout.trim() || r.stderr.trim()}\n${(logs.stdout + logs.stderr).trim()}`);
          }
          return parts.join("\n");
        },
      },
    );
  }
}

/** The containers, volumes and networks of a stack that exist on an engine (`docker` args select it). */
export async function stackObjectsOn(s: StackUnderTest, dockerArgs: readonly string[]): Promise<string[]> {
  const list = async (args: string[]) => {
    const r = await run("docker", [...dockerArgs, ...args], { timeoutMs: MINUTE, quiet: true });
    if (r.code !== 0) throw new Error(`docker ${[...dockerArgs, ...args].join(" ")} failed: ${tail(r.stderr)}`);
    return new Set(r.stdout.split("\n").filter(Boolean));
  };
  const containers = await list(["ps", "-a", "--format", "{{.Names}}"]);
  const volumes = await list(["volume", "ls", "--format", "{{.Name}}"]);
  const networks = await list(["network", "ls", "--format", "{{.Name}}"]);
  return [
    ...s
      .containers()
      .map((c) => c.name)
      .filter((n) => containers.has(n))
      .map((n) => `container ${n}`),
    ...s
      .volumeNames()
      .filter((n) => volumes.has(n))
      .map((n) => `volume ${n}`),
    ...s
      .networkNames()
      .filter((n) => networks.has(n))
      .map((n) => `network ${n}`),
  ];
}

export interface CdktfResult extends RunResult {
  /** stdout and stderr together, as a deployer reads them. */
  readonly output: string;
}

/**
 * The cdktf CLI on one stack, as a deployer runs it from the project root: `npx cdktf <command>
 * <stack> --skip-provider-lock` (Terraform gets the provider from the mirror of TF_CLI_CONFIG_FILE)
 * with a synth output directory of its own. Non-secret inputs go as `--var`, secrets only as
 * TF_VAR_* in the environment.
 */
export class CdktfCli {
  readonly stackDir: string;

  constructor(
    readonly s: StackUnderTest,
    private readonly config: E2eConfig,
    readonly outDir: string,
  ) {
    this.stackDir = join(outDir, "stacks", s.name);
  }

  env(secrets: Readonly<Record<string, string>>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CI: "true",
      FORCE_COLOR: "0",
      ...extra,
    };
    delete env.TF_LOG;
    delete env.CDKTF_OUTDIR;
    for (const k of Object.keys(env)) if (k.startsWith("TF_VAR_")) delete env[k];
    if (this.config.cliConfigFile) env.TF_CLI_CONFIG_FILE = this.config.cliConfigFile;
    if (this.s.pgBackend) {
      if (!this.config.pgConnStr) throw new Error(`${this.s.name} uses the pg backend but the suite has no PostgreSQL`);
      env.PG_CONN_STR = this.config.pgConnStr;
    }
    for (const [k, v] of Object.entries(secrets)) env[`TF_VAR_${k}`] = v;
    return env;
  }

  /** `npx cdktf <command> <stack> --skip-provider-lock [--auto-approve] --var ...`. */
  async run(
    command: "deploy" | "diff" | "destroy",
    opts: {
      vars: Readonly<Record<string, string>>;
      secrets: Readonly<Record<string, string>>;
      env?: NodeJS.ProcessEnv;
      timeoutMs?: number;
    },
  ): Promise<CdktfResult> {
    const args = ["cdktf", command, this.s.name, "--skip-provider-lock", "--output", this.outDir, "--no-color"];
    if (command !== "diff") args.push("--auto-approve");
    for (const [k, v] of Object.entries(opts.vars)) args.push("--var", `${k}=${v}`);
    say(`${this.s.name}: npx cdktf ${command} (docker_host ${opts.vars.docker_host})`);
    const r = await run("npx", args, { cwd: REPO_ROOT, env: this.env(opts.secrets, opts.env), timeoutMs: opts.timeoutMs ?? 20 * MINUTE });
    return { ...r, output: `${r.stdout}\n${r.stderr}` };
  }

  /** Terraform itself in the stack directory cdktf wrote and initialized (state, outputs, plans). */
  async terraform(
    args: readonly string[],
    secrets: Readonly<Record<string, string>> = {},
    extra: NodeJS.ProcessEnv = {},
    timeoutMs = 5 * MINUTE,
  ): Promise<RunResult> {
    // The binary cdktf runs too (TERRAFORM_BINARY_NAME).
    return run(engineFromEnv(), args, { cwd: this.stackDir, env: this.env(secrets, extra), timeoutMs, quiet: true });
  }

  async stateList(): Promise<string[]> {
    const r = await this.terraform(["state", "list"]);
    if (r.code !== 0) throw new Error(`${this.s.name}: terraform state list failed: ${tail(r.stderr)}`);
    return r.stdout.split("\n").filter(Boolean);
  }
}

/**
 * Every file under `dir` (recursively, but for directories named in `skip`) whose bytes contain one
 * of `needles`, with the needle's index (never the needle itself).
 */
export function filesContaining(dir: string, needles: readonly string[], skip: readonly string[] = []): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (skip.includes(entry)) continue;
      const st = statSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && st.size < 256 * 1024 * 1024) {
        const bytes = readFileSync(full);
        needles.forEach((n, i) => {
          if (bytes.includes(n)) found.push(`${full} (value ${i})`);
        });
      }
    }
  };
  walk(dir);
  return found;
}

/** An empty known_hosts file: every host key is unknown against it. */
export function emptyKnownHosts(dir: string): string {
  const f = join(dir, "known_hosts.empty");
  writeFileSync(f, "");
  return f;
}

function script(args: readonly string[], timeoutMs: number): { stdout: string; stderr: string } {
  const started = Date.now();
  const r = spawnSync("bash", [RemoteHostsTestbed.script, ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 16 * 1024 * 1024,
  });
  detail(
    `$ remote-hosts-testbed.sh ${args.join(" ")}\n  -> exit ${r.status ?? r.signal} after ${((Date.now() - started) / 1000).toFixed(1)}s${r.stderr?.trim() ? `\n${r.stderr.trim().replace(/^/gm, "    ")}` : ""}`,
  );
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(
      `scripts/remote-hosts-testbed.sh ${args.join(" ")} failed (exit ${r.status ?? r.signal}):\n${tail(r.stderr || r.stdout || "")}`,
    );
  return { stdout: r.stdout, stderr: r.stderr };
}
