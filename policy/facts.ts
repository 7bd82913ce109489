/**
 * Read-only helpers the rules share: the L2 parents that know what the JSON does not carry
 * (`serviceOf`, `volumeOf`), and name tests. Containers and swarm services are read through one view,
 * `workloadOf` (workload.ts), over the synthesized JSON or the plan (subject.ts).
 */
import { IConstruct } from "../lib/cdk";
import { Subject } from "./subject";
import { Service } from "../lib/service";
import { Volume } from "../lib/volume";

/** Label the `Volume` L2 sets on volumes holding data that cannot be recreated. */
export const STATEFUL_LABEL = "stateful";

/**
 * The `Service` L2 whose primary resource this is, if any: its `docker_container`, or its
 * `docker_service` on the swarm target (`Service.resource` is either).
 */
export function serviceOf(node: IConstruct): Service | undefined {
  const parent = node.node.scope;
  return parent instanceof Service && parent.resource === node ? parent : undefined;
}

/** The `Volume` L2 whose primary resource this construct is, if any. */
export function volumeOf(node: IConstruct): Volume | undefined {
  const parent = node.node.scope;
  return parent instanceof Volume && parent.resource === node ? parent : undefined;
}

/** 127.0.0.0/8 or ::1: reachable from the Docker host only. */
export function isLoopback(ip: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip === "::1" || ip === "[::1]";
}

/** Words in an identifier: `GF_SECURITY_ADMIN_PASSWORD__FILE` and `adminPassword` both give PASSWORD. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== "");
}

/** Words that mark a credential. `PWD` is left out on purpose: it is the shell's working directory. */
export const CREDENTIAL_WORDS: readonly string[] = [
  "APIKEY",
  "CREDENTIAL",
  "CREDENTIALS",
  "CREDS",
  "KEY",
  "KEYS",
  "PASS",
  "PASSPHRASE",
  "PASSWD",
  "PASSWORD",
  "PRIVATEKEY",
  "SECRET",
  "SECRETS",
  "TOKEN",
  "TOKENS",
];
const CREDENTIAL = new Set(CREDENTIAL_WORDS);

/** True when an environment variable or Terraform variable name looks like it holds a credential. */
export function looksLikeCredential(name: string): boolean {
  const w = words(name);
  // A public key is not a secret.
  return w.some((word, i) => CREDENTIAL.has(word) && !(word.startsWith("KEY") && w[i - 1] === "PUBLIC"));
}

/**
 * Capabilities a container may add back after dropping ALL (the `Service` L2's `Capability` set), all
 * of them in Docker's default set, so docker-bench-security's capability check passes too. Not
 * DAC_READ_SEARCH: Docker's default seccomp profile allows `open_by_handle_at` to a container that
 * has it ("Shocker").
 */
export const ALLOWED_CAPABILITY_ADDITIONS: readonly string[] = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "NET_BIND_SERVICE",
  "SETGID",
  "SETUID",
];

/** `cap_add`/`cap_drop` spelling Docker accepts: with or without `CAP_`, any case. */
export function normalizeCapability(cap: string): string {
  return cap.toUpperCase().replace(/^CAP_/, "");
}

/**
 * The secret variables a Terraform expression reads, following locals (the `Service` L2 passes file
 * content through a `local`): sensitive variables, and variables named like a credential, as
 * `var.<name> (sensitive)`. In a plan, a value Terraform marks sensitive is given as its expression
 * (subject.ts), so the same references are found there.
 */
export function secretVariablesRead(subject: Subject, text: string, seen: Set<string> = new Set()): string[] {
  const found: string[] = [];
  for (const [, name] of text.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) {
    const variable = subject.config.variable?.[name];
    const why = variable?.sensitive === true ? "sensitive" : looksLikeCredential(name) ? "named like a credential" : undefined;
    if (why && !found.some((f) => f.startsWith(`var.${name} `))) found.push(`var.${name} (${why})`);
  }
  for (const [, name] of text.matchAll(/\blocal\.([A-Za-z0-9_-]+)/g)) {
    if (seen.has(name)) continue;
    seen.add(name);
    const definition = subject.config.locals?.[name];
    if (definition !== undefined)
      found.push(...secretVariablesRead(subject, JSON.stringify(definition), seen).filter((f) => !found.includes(f)));
  }
  return found;
}
