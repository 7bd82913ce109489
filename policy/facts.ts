/**
 * Read-only helpers the rules share: reading the generated resources (L1), the L2 parents that know
 * what the L1 does not (`serviceOf`, `volumeOf`), and name tests. Containers and swarm services are
 * read through one view, `workloadOf` (workload.ts).
 */
import { DefaultTokenResolver, IConstruct, StringConcat, TerraformStack, Token, Tokenization } from "../lib/cdk";
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

/** True for a token (a Terraform expression not known at synth time) or an `IResolvable`. */
export function isUnresolved(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "object" && !Array.isArray(value)) return typeof (value as { resolve?: unknown }).resolve === "function";
  return Token.isUnresolved(value);
}

/** A value rendered as Terraform will see it (`${var.x}` instead of an opaque token). */
export function resolved<T>(node: IConstruct, value: T): unknown {
  return Tokenization.resolve(value, { scope: TerraformStack.of(node), preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** `true`, `false`, or `undefined` when not set; throws a readable error for an expression. */
export function booleanInput(value: boolean | object | undefined, what: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean") return value;
  throw new Error(`${what} is a Terraform expression, which cannot be checked at synth time`);
}

/** Plain array of a list block input, or a readable error when the whole list is an expression. */
export function listInput<T>(value: T[] | object | undefined, what: string): T[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  throw new Error(`${what} is a Terraform expression, which cannot be checked at synth time`);
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
