/**
 * Read-only helpers the rules share: facts from the generated resources (L1), and the facts only an
 * L2 parent knows (a port's kind, a one-shot service, a stateful volume), with label fallbacks for
 * resources created without an L2.
 */
import { DefaultTokenResolver, IConstruct, StringConcat, TerraformStack, Token, Tokenization } from "../lib/cdk";
import { Container } from "../lib/docker";
import { PortKind, Service } from "../lib/service";
import { Volume } from "../lib/volume";

/** Label marking a container created without the `Service` L2 as one-shot (`"true"`). */
export const ONE_SHOT_LABEL = "policy.one-shot";
/** Label prefix declaring a port's kind on a container created without the `Service` L2: `policy.port-kind.<containerPort>`. */
export const PORT_KIND_LABEL_PREFIX = "policy.port-kind.";
/** Label the `Volume` L2 sets on volumes holding data that cannot be recreated. */
export const STATEFUL_LABEL = "stateful";

/** The `Service` L2 whose primary resource this container is, if any. */
export function serviceOf(container: Container): Service | undefined {
  const parent = container.node.scope;
  return parent instanceof Service && parent.resource === container ? parent : undefined;
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

/** Container labels as a map (labels whose key or value is an expression are skipped). */
export function containerLabels(container: Container): Record<string, string> {
  const labels = container.labelsInput;
  if (!Array.isArray(labels)) return {};
  const out: Record<string, string> = {};
  for (const l of labels) {
    if (typeof l.label === "string" && typeof l.value === "string" && !isUnresolved(l.label)) out[l.label] = l.value;
  }
  return out;
}

/**
 * A container that runs once to completion (init, migration, test): `Service.oneShot`, else the
 * `policy.one-shot` label, else `must_run = false` (a long-running container is expected to run).
 */
export function isOneShot(container: Container): boolean {
  const service = serviceOf(container);
  if (service) return service.oneShot;
  if (containerLabels(container)[ONE_SHOT_LABEL] === "true") return true;
  return container.mustRunInput === false;
}

/** Container ports of database servers, used when neither an L2 nor a label says what a port carries. */
const WELL_KNOWN_DATABASE_PORTS: Readonly<Record<number, string>> = {
  1433: "SQL Server",
  1521: "Oracle",
  3306: "MySQL/MariaDB",
  5432: "PostgreSQL",
  5984: "CouchDB",
  6379: "Redis",
  9042: "Cassandra",
  11211: "memcached",
  27017: "MongoDB",
};

/** One `ports` entry of a container, with what the L2 (or a label) declares about it. */
export interface PublishedPort {
  readonly containerPort: number;
  /** @default - Docker picks a free host port */
  readonly hostPort?: number;
  readonly protocol: string;
  /** Host interface; the provider's default is every interface. */
  readonly ip: string;
  /** From `Service.ports[].kind`, a `policy.port-kind.<port>` label, or a well-known database port. */
  readonly kind?: PortKind | string;
  /** The `Service` L2 declared this port `public: true`. */
  readonly declaredPublic: boolean;
}

/** Every published port of a container; throws a readable error when the list is an expression. */
export function publishedPorts(container: Container): PublishedPort[] {
  const service = serviceOf(container);
  const labels = containerLabels(container);
  return listInput(container.portsInput, "ports").map((p) => {
    if (isUnresolved(p.internal) || isUnresolved(p.external) || isUnresolved(p.ip)) {
      throw new Error("a ports entry is a Terraform expression, which cannot be checked at synth time");
    }
    const protocol = p.protocol ?? "tcp";
    const declared = service?.ports.find((d) => d.hostPort === p.external && (d.protocol ?? "tcp") === protocol);
    const kind = declared?.kind ?? labels[`${PORT_KIND_LABEL_PREFIX}${p.internal}`] ?? (WELL_KNOWN_DATABASE_PORTS[p.internal] ? "database" : undefined);
    return {
      containerPort: p.internal,
      hostPort: p.external,
      protocol,
      ip: p.ip ?? "0.0.0.0",
      kind,
      declaredPublic: declared?.public === true,
    };
  });
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

/** Capabilities a container may add back after dropping ALL (the `Service` L2's `Capability` set). */
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
