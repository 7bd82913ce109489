/**
 * The Docker host `npm run verify` checks: which URL (--docker-host, then the docker_host variable
 * from -var or TF_VAR_docker_host, then its default), whether it is this machine, and the address
 * published ports are reached at from here.
 */
import { InputError } from "../lib/cli";
import { Variables } from "./variable-values";

export interface DockerHost {
  /** unix://, tcp:// or ssh:// URL, passed to `docker -H`. */
  readonly url: string;
  readonly scheme: "unix" | "tcp" | "ssh";
  /** The engine runs on this machine (a unix socket, or tcp/ssh to a loopback name). */
  readonly local: boolean;
  /** Where a port published on every interface is reached from here: the host's name or IP (127.0.0.1 when local). */
  readonly address: string;
  /** Where the URL came from, for the report. */
  readonly source: string;
  /** Extra environment for the docker CLI (TLS material from docker_cert_path). */
  readonly env: Readonly<Record<string, string>>;
  /** Things the report should say about the connection. */
  readonly notes: readonly string[];
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127\./.test(host);
}

/** Picks and parses the Docker host; an InputError when there is none or it is malformed. */
export function dockerHost(flag: string | undefined, vars: Variables, env: NodeJS.ProcessEnv): DockerHost {
  let url = flag;
  let source = "--docker-host";
  if (url === undefined) {
    url = vars.value("docker_host");
    source = "docker_host variable";
  }
  if (url === undefined || url === "") {
    throw new InputError(
      "no Docker host: pass --docker-host <unix://…|tcp://…|ssh://…> or set TF_VAR_docker_host (the stack's docker_host variable has no default)",
    );
  }
  const m = /^(unix|tcp|ssh):\/\/(.+)$/.exec(url);
  if (!m) throw new InputError(`Docker host ${url}: expected unix://, tcp:// or ssh://`);
  const scheme = m[1] as DockerHost["scheme"];
  const notes: string[] = [];
  const extraEnv: Record<string, string> = {};
  if (scheme === "unix") return { url, scheme, local: true, address: "127.0.0.1", source, env: extraEnv, notes };

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`Docker host ${url} is not a valid URL`);
  }
  const hostname = parsed.hostname.replace(/^\[|\]$/g, "");
  if (hostname === "") throw new InputError(`Docker host ${url} names no host`);
  const local = isLoopback(hostname);
  if (scheme === "tcp") {
    const certPath = vars.declared("docker_cert_path") ? vars.value("docker_cert_path") : undefined;
    if (certPath && env.DOCKER_CERT_PATH === undefined) {
      extraEnv.DOCKER_CERT_PATH = certPath;
      extraEnv.DOCKER_TLS_VERIFY = "1";
      notes.push(`TLS material from docker_cert_path (${certPath})`);
    }
  }
  if (scheme === "ssh") {
    const opts = vars.declared("docker_ssh_opts") ? vars.value("docker_ssh_opts") : undefined;
    if (opts && opts !== "[]")
      notes.push("docker_ssh_opts is not passed to the docker CLI: put those ssh options in ~/.ssh/config for this host");
  }
  return { url, scheme, local, address: local ? "127.0.0.1" : hostname, source, env: extraEnv, notes };
}
