/**
 * What kreuzwerker/docker 4.6 (the version the stacks require) does with each change, from the
 * provider's schema (ForceNew flags) and its container update function; the behaviours the
 * construct library relies on are shown on the real engine by test/e2e/00-provider-behaviour.
 */

/** docker_container attributes that can change without replacing the container. */
export const CONTAINER_IN_PLACE = new Set([
  // Passed to Docker's ContainerUpdate: applied to the running container.
  "restart",
  "max_retry_count",
  "cpu_shares",
  "memory",
  "memory_swap",
  "memory_reservation",
  "cpu_set",
  "device_read_bps",
  "device_read_iops",
  "device_write_bps",
  "device_write_iops",
  // Recorded in state but never sent to Docker (see CONTAINER_NOT_APPLIED).
  "healthcheck",
  "tmpfs",
  "init",
  "cpu_period",
  "cpu_quota",
  // Terraform-side behaviour only (how the provider creates, waits, reads or destroys).
  "rm",
  "start",
  "wait",
  "wait_timeout",
  "attach",
  "logs",
  "must_run",
  "remove_volumes",
  "destroy_grace_seconds",
  "container_read_refresh_timeout_milliseconds",
]);

/**
 * Planned as "update in-place" but not applied to the running container by provider 4.6 (read from
 * resourceDockerContainerUpdate). The healthcheck block forces a replacement when it is added or
 * removed (#989), but edits inside it are planned in place and never applied.
 */
export const CONTAINER_NOT_APPLIED = new Set(["healthcheck", "tmpfs", "init", "cpu_period", "cpu_quota"]);

/** Computed-only docker_container attributes (never in configuration). */
export const CONTAINER_COMPUTED = new Set(["id", "exit_code", "container_logs", "bridge", "network_data"]);

/** Per resource type: attributes that update in place; every other argument forces replacement. */
const IN_PLACE: Readonly<Record<string, ReadonlySet<string>>> = {
  docker_container: CONTAINER_IN_PLACE,
  docker_image: new Set(["keep_locally", "force_remove"]),
  // Every argument of these is ForceNew in 4.6.
  docker_volume: new Set(),
  docker_network: new Set(),
  docker_secret: new Set(),
  docker_config: new Set(),
};

/** Terraform meta-arguments: never provider attributes. */
export const META_ARGUMENTS = ["depends_on", "lifecycle", "count", "for_each", "provider", "provisioner", "connection"];

/**
 * Whether changing top-level argument `attribute` of `resourceType` forces a replacement; undefined
 * when the type is not one this tool knows.
 */
export function forcesReplacement(resourceType: string, attribute: string): boolean | undefined {
  const inPlace = IN_PLACE[resourceType];
  if (inPlace === undefined) return undefined;
  return !inPlace.has(attribute);
}

/** Resource types whose loss is called out: data, connectivity, credentials. */
export const VOLUME = "docker_volume";
export const CALLOUT_TYPES: Readonly<Record<string, string>> = {
  docker_volume: "volume",
  docker_network: "network",
  docker_secret: "secret",
  docker_config: "config",
};

/** `labels` as a list of `{label, value}` blocks (provider schema) or a plain map. */
export function labelValue(body: unknown, label: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const labels = (body as { labels?: unknown }).labels;
  if (Array.isArray(labels)) {
    for (const entry of labels) {
      if (typeof entry === "object" && entry !== null && (entry as { label?: unknown }).label === label) {
        const value = (entry as { value?: unknown }).value;
        return typeof value === "string" ? value : undefined;
      }
    }
  } else if (typeof labels === "object" && labels !== null) {
    const value = (labels as Record<string, unknown>)[label];
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

/** The project's volume construct labels volumes that hold data with `stateful=true`. */
export function isStatefulVolume(body: unknown): boolean {
  return labelValue(body, "stateful") === "true";
}

/**
 * Long-running containers (services) as opposed to one-shot jobs: the project's one-shot services
 * set `must_run = false` (and usually `attach = true`).
 */
export function isLongRunningContainer(body: unknown): boolean {
  if (typeof body !== "object" || body === null) return false;
  const b = body as { must_run?: unknown; attach?: unknown };
  return b.must_run !== false && b.attach !== true;
}
