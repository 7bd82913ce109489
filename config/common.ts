/**
 * Environment-level settings (the schema every environment shares) and the schema pieces the
 * systems' schemas build on: enums, integers, image references, resource limits. Every schema's
 * error message is the "allowed" text of a settings problem (see `settings.ts`).
 */
import { z } from "zod";
import { isImageReference, isPinnedImageReference } from "../lib/image-reference";
import { CPU_LIMIT_ALLOWED, Logging, MAX_CPUS, MAX_MEMORY_MIB, MEMORY_LIMIT_ALLOWED, MIN_MEMORY_MIB, Resources } from "../lib/service";
import type { SwarmTarget } from "../lib/target";

/** Create params making every issue a schema raises itself read `text`. */
export const allowed = (text: string) => ({ errorMap: () => ({ message: text }) });

/** One of fixed string values; the problem lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  text = `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
) {
  return z.enum(values, allowed(text));
}

export const bool = () => z.boolean(allowed("true or false"));

/**
 * An integer from `min` to `max`. Every number in the settings has an upper bound that fits its use:
 * an unbounded one (1e21) would reach the Terraform JSON, nginx or a shell test as `1e+21`.
 */
export function integer(min: number, max: number, text = `an integer from ${min} to ${max}`) {
  return z.number(allowed(text)).int(text).min(min, text).max(max, text);
}

/** `${` starts a Terraform interpolation and `%{` a template directive, in any string of the JSON configuration. */
const TERRAFORM_TEMPLATE = /[$%]\{/;

/**
 * A free-form string (a log filter, a path, a host): `text` says what it is, `check` (when given)
 * what it must look like. It never holds `${` or `%{`: a setting is copied into the synthesized
 * JSON, where Terraform would evaluate it (`${var.zallet_identity}` in a log filter would put the
 * wallet key into the container's environment). Every string setting that no strict pattern
 * restricts is one of these.
 */
export function freeText(text: string, check?: (s: string) => boolean) {
  const plain = `${text}, without "\${" or "%{" (Terraform would evaluate it as an interpolation or a template directive)`;
  const s = z.string(allowed(text));
  return (check === undefined ? s : s.refine(check, text)).refine((v) => !TERRAFORM_TEMPLATE.test(v), plain);
}

export const nonEmptyString = (text: string) => freeText(text, (s) => s.trim() !== "");

/**
 * Edit distance between two keys, case ignored: insertions, deletions, substitutions and swaps of
 * two neighbouring letters count one each (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/**
 * The known key `key` is most likely a misspelling of: the nearest one, if it is within a third of
 * the key's length (at least one edit): `memoryMib` → `memoryMiB`, `backups` → `backup`, `cpu` → `cpus`;
 * else the one key that `key` begins, as a name without its unit does (`hstsMaxAge` → `hstsMaxAgeSeconds`).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best !== undefined || key.length < 4) return best;
  const longer = known.filter((candidate) => candidate.toLowerCase().startsWith(key.toLowerCase()));
  return longer.length === 1 ? longer[0] : undefined;
}

/** What a strict settings object says about a key it does not have, beside its keys. */
export interface UnknownKeyHelp {
  /** Former names of keys: `{ zebraRustLog: "zebraLogFilter" }`. */
  readonly renamed?: Readonly<Record<string, string>>;
  /** Why the object takes only these keys, added to the problem. */
  readonly why?: string;
}

/**
 * What is allowed instead of an unknown `key` of the object at `parent` (its path), which has `known`
 * keys: no such key, the key it most likely means, and the keys there are.
 */
export function unknownKeyText(
  key: string,
  parent: readonly (string | number)[],
  known: readonly string[],
  help: UnknownKeyHelp = {},
): string {
  const renamed = Object.prototype.hasOwnProperty.call(help.renamed ?? {}, key) ? help.renamed![key] : undefined;
  const suggestion = closestKey(key, known);
  const hint =
    renamed !== undefined ? `: it was renamed to \`${renamed}\`` : suggestion !== undefined ? `: did you mean \`${suggestion}\`?` : "";
  const where = parent.length === 0 ? "top-level keys" : `keys of ${parent.join(".")}`;
  return `no key \`${key}\`${hint} (${where}: ${known.join(", ")}${help.why === undefined ? "" : `; ${help.why}`})`;
}

/**
 * A settings object: these keys and no other. Each unknown key (a typo, a renamed or removed
 * setting) is a problem of its own at its full path, naming the key, the known key it most likely
 * means and every key the object has; it is never dropped. The problem leaves the object's other
 * checks running (a refinement failure, not a type error), so every problem is reported at once.
 * Every object of the settings is one of these: this is the one definition of strictness.
 */
export function strictObject<S extends z.ZodRawShape>(shape: S, text: string, help: UnknownKeyHelp = {}): z.ZodObject<S, "strict"> {
  const known = Object.keys(shape);
  const unknownKey = z.unknown().superRefine((_, ctx) => {
    ctx.addIssue({ code: "custom", message: unknownKeyText(String(ctx.path[ctx.path.length - 1]), ctx.path.slice(0, -1), known, help) });
  });
  // The catchall makes the inferred type carry an index signature of unknown values; the object's
  // type is its shape's, as zod's own `.strict()` gives it (which reports all unknown keys of an
  // object in one problem at the object's path, without a suggestion).
  return z.object(shape, allowed(text)).catchall(unknownKey) as unknown as z.ZodObject<S, "strict">;
}

/** The longest Terraform waits for a container to turn healthy (`wait_timeout`), in seconds: an hour. */
export const MAX_WAIT_SECONDS = 3600;

/** Seconds Terraform waits for a container's health check before creating what depends on it. */
export const waitSeconds = () => integer(10, MAX_WAIT_SECONDS);

/** A Docker image reference; pinned (tag other than `latest`, or a digest) when the environment requires it. */
export function imageReference(requirePinned: boolean) {
  const text = requirePinned
    ? "an image reference pinned by a tag other than 'latest' or by @sha256 digest (this environment requires pinned images)"
    : "an image reference such as repo/name:tag or repo/name@sha256:<digest>";
  return z.string(allowed(text)).refine(requirePinned ? isPinnedImageReference : isImageReference, text);
}

/** An object with one `schema`-typed property per name (e.g. one image per service). */
export function objectOf<K extends string, S extends z.ZodTypeAny>(names: readonly K[], schema: S, text: string) {
  return strictObject(Object.fromEntries(names.map((name) => [name, schema])) as Record<K, S>, text).readonly();
}

/** Limits of one container. Optional unless the environment requires them; when given they must be sane. */
export const resourceLimitsSchema = strictObject(
  {
    /** Memory limit in MiB. */
    memoryMiB: integer(MIN_MEMORY_MIB, MAX_MEMORY_MIB, MEMORY_LIMIT_ALLOWED).optional(),
    /** CPU limit in cores. */
    cpus: z.number(allowed(CPU_LIMIT_ALLOWED)).gt(0, CPU_LIMIT_ALLOWED).lte(MAX_CPUS, CPU_LIMIT_ALLOWED).optional(),
  },
  "memoryMiB and cpus limits",
).readonly() satisfies z.ZodType<Resources>;
export type ResourceLimits = z.infer<typeof resourceLimitsSchema>;

/** Limits per service, keyed by a service of the system (an unknown service is an unknown key). */
export const resourcesOf = <K extends string>(services: z.ZodEnum<[K, ...K[]]>) =>
  strictObject(
    Object.fromEntries(services.options.map((name) => [name, resourceLimitsSchema.optional()])) as Record<
      K,
      z.ZodOptional<typeof resourceLimitsSchema>
    >,
    "limits per service",
  ).readonly();

/** Refinement step: each deployed service has a memory and CPU limit, when the environment requires limits. */
export function requireLimits(
  ctx: z.RefinementCtx,
  resources: Readonly<Partial<Record<string, ResourceLimits>>>,
  deployed: readonly string[],
  required: boolean,
): void {
  if (!required) return;
  for (const name of deployed) {
    if (resources[name]?.memoryMiB === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["resources", name, "memoryMiB"],
        message: "a memory limit in MiB (this environment requires resource limits)",
      });
    }
    if (resources[name]?.cpus === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["resources", name, "cpus"],
        message: "a CPU limit in cores (this environment requires resource limits)",
      });
    }
  }
}

export const environmentNameSchema = oneOf(["dev", "staging", "production"]);
export type EnvironmentName = z.infer<typeof environmentNameSchema>;
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = environmentNameSchema.options;

/** Which policy pack gates the environment's stacks: baseline rules warn, production rules fail synth. */
export const policyPackNameSchema = oneOf(["baseline", "production"]);
export type PolicyPackName = z.infer<typeof policyPackNameSchema>;

export const loggingSchema = strictObject(
  {
    /** json-file `max-size` in MiB (a file is rotated at this size). */
    maxSizeMiB: integer(1, 1024),
    /** json-file `max-file`: rotated files kept, the current one included. */
    maxFiles: integer(1, 100),
    compress: bool(),
  },
  "json-file rotation settings (maxSizeMiB, maxFiles, compress)",
).readonly() satisfies z.ZodType<Logging>;
export type LoggingSettings = z.infer<typeof loggingSchema>;

/**
 * The one logging shape of every system and of the backup runner: `default` for each container,
 * `overrides` for the services (keys of the system's catalog) that rotate differently.
 */
export function loggingPolicySchema<K extends string>(services: readonly K[]) {
  const keys = services.length === 0 ? "default" : "default, overrides";
  return strictObject(
    {
      /** json-file rotation of every container that has no override. */
      default: loggingSchema,
      /** Rotation of single services, by their key in the system's catalog. @default - none: every container rotates by `default` */
      overrides: strictObject(
        Object.fromEntries(services.map((name) => [name, loggingSchema.optional()])) as Record<K, z.ZodOptional<typeof loggingSchema>>,
        `json-file rotation per service (${services.join(", ") || "none"})`,
      )
        .readonly()
        .optional(),
    },
    `json-file rotation: ${keys} (each maxSizeMiB, maxFiles, compress)`,
    // The earlier shapes: one rotation for the whole system, or one per service (ZFS Sync).
    {
      renamed: Object.fromEntries([
        ...["maxSizeMiB", "maxFiles", "compress"].map((key) => [key, `default.${key}`]),
        ...services.map((name) => [name, `overrides.${name}`]),
      ]),
    },
  ).readonly();
}

/** Logging settings: a default, and per-service overrides. */
export interface LoggingPolicy<K extends string = string> {
  readonly default: LoggingSettings;
  readonly overrides?: Readonly<Partial<Record<K, LoggingSettings>>>;
}

/** The rotation a service's containers get: its override, else the default. */
export function loggingOf<K extends string>(policy: LoggingPolicy<K>, service: K): LoggingSettings {
  return policy.overrides?.[service] ?? policy.default;
}

const schemaNameText = "a PostgreSQL schema name: lower-case letters, digits and '_'";

/**
 * Terraform state backend. `local` keeps state next to the stack (dev). `pg` stores state in a
 * PostgreSQL schema with advisory locks; the connection string is never in code: Terraform reads it
 * from the `PG_CONN_STR` environment variable at init.
 */
export const backendSchema = z
  .discriminatedUnion(
    "kind",
    [
      strictObject({ kind: z.literal("local") }, "a local backend: kind"),
      strictObject(
        { kind: z.literal("pg"), schemaName: z.string(allowed(schemaNameText)).regex(/^[a-z_][a-z0-9_]{0,62}$/, schemaNameText) },
        "a pg backend: kind, schemaName",
      ),
    ],
    allowed('one of "local", "pg"'),
  )
  .readonly();
export type BackendSettings = z.infer<typeof backendSchema>;

const dockerHostText = "a unix://, tcp:// or ssh:// Docker host";
const DOCKER_HOST = /^(unix|tcp|ssh):\/\/.+/;

/** The most replicas a stateless service may ask for. */
export const MAX_REPLICAS = 32;
const nodeLabelText = "a node label key: letters, digits, '.', '-' and '_', starting with a letter (e.g. \"z3-infra.data\")";

/**
 * The environment's Docker Swarm, for the systems whose `deployment.target` is "swarm". Unset: no
 * system of the environment may target swarm.
 */
export const swarmSchema = strictObject(
  {
    /**
     * `vip`: a virtual IP per service and the ingress routing mesh; needs IPVS in every node's kernel.
     * `dnsrr`: DNS round robin over the tasks and ports published in host mode on the nodes running a
     * task; works on kernels without IPVS.
     */
    endpointMode: oneOf(["vip", "dnsrr"]),
    /** IPsec encryption of overlay traffic between nodes (required in production). */
    encryptOverlay: bool(),
    /**
     * Node label key marking the data node (`docker node update --label-add <key>=true`): services that
     * mount a node-local volume are placed there. It must be the node `docker_host` points at.
     */
    dataNodeLabel: z.string(allowed(nodeLabelText)).regex(/^[A-Za-z][A-Za-z0-9._-]{0,62}$/, nodeLabelText),
  },
  "swarm settings: endpointMode, encryptOverlay, dataNodeLabel",
).readonly() satisfies z.ZodType<Omit<SwarmTarget, "kind">>;
export type SwarmSettings = z.infer<typeof swarmSchema>;

/**
 * Where a system runs: `containers` (one `docker_container` per service on one host) or `swarm`
 * (`docker_service`s on the environment's swarm), with replicas for the services that hold no state.
 * `replicable` lists those services; every other service runs one task.
 */
export function deploymentSchema<const K extends string>(replicable: readonly K[], why: string) {
  const replicasText = `replicas for the stateless services only (${replicable.join(", ")}): ${why}`;
  return z
    .discriminatedUnion(
      "target",
      [
        strictObject({ target: z.literal("containers") }, "the containers target: target", { why: 'replicas need target "swarm"' }),
        strictObject(
          {
            target: z.literal("swarm"),
            /** Tasks per stateless service. @default 1 each */
            replicas: strictObject(
              Object.fromEntries(replicable.map((name) => [name, integer(1, MAX_REPLICAS).optional()])) as Record<
                K,
                z.ZodOptional<z.ZodNumber>
              >,
              replicasText,
              { why: `replicas for the stateless services only: ${why}` },
            )
              .readonly()
              .optional(),
          },
          "the swarm target: target and replicas",
        ),
      ],
      allowed('one of {target: "containers"}, {target: "swarm", replicas?}'),
    )
    .readonly();
}
export type DeploymentSettings<K extends string = string> =
  { readonly target: "containers" } | { readonly target: "swarm"; readonly replicas?: Readonly<Partial<Record<K, number>>> };

const backupImageText =
  "an image reference such as repo/name:tag or repo/name@sha256:<digest> (restic 0.17 or later, ssh, pg_dump of the databases' major version, busybox: e2e/real-images/backup/Dockerfile)";

/**
 * Backups of the environment's stateful volumes with restic, by a backup runner container per stack
 * (`lib/backup.ts`). The destination and keys are deployment inputs (variables `backup_repository`,
 * `backup_password`, `backup_ssh_key`, `backup_known_hosts`), never settings. Unset: no stack of the
 * environment is backed up (not allowed in production).
 */
export const backupSchema = strictObject(
  {
    /**
     * Every stack must be backed up: the destination variables are required. Otherwise a stack's
     * runner is deployed only while `backup_repository` is set (dev, staging).
     */
    required: bool(),
    /** Image of the runner (restic, ssh, pg_dump, busybox). */
    image: z.string(allowed(backupImageText)).refine(isImageReference, backupImageText),
    /** Minutes between two runs; the first run starts with the runner. */
    intervalMinutes: integer(5, 7 * 24 * 60),
    /**
     * Snapshots kept per volume (`restic forget --keep-within <withinHours>h --keep-daily/--keep-weekly/--keep-monthly`).
     * `withinHours` keeps every snapshot of that window: after a loss the runner snapshots the new,
     * empty volume, and a daily rule alone would then drop the same day's good snapshot.
     */
    keep: strictObject(
      { withinHours: integer(1, 24 * 366), daily: integer(1, 366), weekly: integer(0, 260), monthly: integer(0, 120) },
      "snapshots to keep: withinHours, daily, weekly, monthly",
    ).readonly(),
    /**
     * A volume whose newest snapshot is older than this is reported: the runner turns unhealthy and
     * `z3infra_backup_last_success_timestamp_seconds` feeds the BackupTooOld alert. More than the
     * interval; at most two weeks (twice the longest interval).
     */
    maxAgeMinutes: integer(10, 14 * 24 * 60),
    /**
     * Volumes that can be rebuilt from elsewhere (Zebra's chain, Zaino's index: re-synced from the
     * network; Prometheus and Alertmanager data): `skip` saves the space and the time of copying them
     * and costs a re-sync after a loss (hours to days on Mainnet); `include` backs them up like the rest.
     */
    rebuildable: oneOf(["skip", "include"]),
    /** Limits of the runner (required where the environment requires limits). */
    resources: resourceLimitsSchema.optional(),
    /** The runner's json-file rotation (the runner is the only container: no overrides). */
    logging: loggingPolicySchema([]),
  },
  "backup settings: required, image, intervalMinutes, keep, maxAgeMinutes, rebuildable, resources, logging",
).readonly();
export type BackupSettings = z.infer<typeof backupSchema>;

/** The settings every environment has, whatever systems it runs. */
const commonShape = {
  name: environmentNameSchema,
  /**
   * Default Docker host for the `docker_host` variable. Unset means the variable is required
   * (staging and production must name their host explicitly).
   */
  defaultDockerHost: freeText(dockerHostText, (s) => DOCKER_HOST.test(s)).optional(),
  backend: backendSchema,
  policyPack: policyPackNameSchema,
  /** Every service must declare a memory and CPU limit. */
  requireResourceLimits: bool(),
  /** Data volumes carry `prevent_destroy`. */
  protectData: bool(),
  /** Image references must be pinned (tag other than `latest`, or a digest). */
  requirePinnedImages: bool(),
  swarm: swarmSchema.optional(),
  backup: backupSchema.optional(),
};
export type CommonSettings = Readonly<z.infer<z.ZodObject<typeof commonShape>>>;

/** The production guards and the rules between environment-level settings. */
function commonRules(s: CommonSettings, ctx: z.RefinementCtx): void {
  const problem = (ok: boolean, path: string[], message: string) => ok || ctx.addIssue({ code: "custom", path, message });
  if (s.name === "production") {
    const inProduction = " in the production environment";
    problem(s.policyPack === "production", ["policyPack"], `"production"${inProduction}`);
    problem(s.protectData, ["protectData"], `true${inProduction}`);
    problem(s.requireResourceLimits, ["requireResourceLimits"], `true${inProduction}`);
    problem(s.requirePinnedImages, ["requirePinnedImages"], `true${inProduction}`);
    problem(s.backend.kind !== "local", ["backend", "kind"], `"pg" (a shared, locking backend)${inProduction}`);
    if (s.backup !== undefined)
      problem(s.backup.required, ["backup", "required"], `true${inProduction} (no deploy without a backup destination)`);
    problem(
      s.backup !== undefined,
      ["backup"],
      `backup settings${inProduction} (every stateful volume is backed up: image, intervalMinutes, keep, maxAgeMinutes, rebuildable, resources, logging)`,
    );
    if (s.swarm !== undefined)
      problem(
        s.swarm.encryptOverlay,
        ["swarm", "encryptOverlay"],
        `true${inProduction} (overlay traffic between nodes carries database and RPC traffic)`,
      );
  }
  if (s.backup !== undefined) {
    if (s.requirePinnedImages)
      problem(
        isPinnedImageReference(s.backup.image),
        ["backup", "image"],
        "an image reference pinned by a tag other than 'latest' or by @sha256 digest (this environment requires pinned images)",
      );
    if (s.requireResourceLimits) {
      problem(
        s.backup.resources?.memoryMiB !== undefined,
        ["backup", "resources", "memoryMiB"],
        "a memory limit in MiB (this environment requires resource limits)",
      );
      problem(
        s.backup.resources?.cpus !== undefined,
        ["backup", "resources", "cpus"],
        "a CPU limit in cores (this environment requires resource limits)",
      );
    }
    problem(
      s.backup.maxAgeMinutes > s.backup.intervalMinutes,
      ["backup", "maxAgeMinutes"],
      `more than backup.intervalMinutes (${s.backup.intervalMinutes}): a snapshot is at least that old before the next run`,
    );
  }
  if (s.defaultDockerHost !== undefined) {
    problem(
      s.name === "dev",
      ["defaultDockerHost"],
      "unset outside dev (staging and production name their host at deploy time with docker_host)",
    );
  }
}

/**
 * The environment-level settings, production guards as refinements. `systems` are the keys of the
 * systems' blocks (`z3`, …), which the systems' own schemas check (config/settings.ts): here they
 * are keys an environment has, so that any other key is an unknown one.
 */
export function commonSchema(systems: readonly string[]): z.ZodType<CommonSettings> {
  const blocks = Object.fromEntries(systems.map((key) => [key, z.unknown()]));
  return strictObject({ ...commonShape, ...blocks }, "an environment settings object")
    .superRefine(commonRules)
    .readonly();
}

/** What a system's schema needs to know about the environment it is parsed for. */
export type EnvironmentContext = Pick<CommonSettings, "name" | "requirePinnedImages" | "requireResourceLimits">;

/** The replicas the deployment settings give a service (unset: one task). */
export function replicasOf<K extends string>(deployment: DeploymentSettings<K> | undefined, name: K): number | undefined {
  return deployment?.target === "swarm" ? deployment.replicas?.[name] : undefined;
}
