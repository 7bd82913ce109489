/**
 * Terraform addresses that earlier releases gave resources still deployed today, and the `moved`
 * blocks that carry their state to today's addresses. Internal to `lib/` (not exported by its
 * index): a resource first deployed by this release or a later one has no earlier address, and
 * emits no `moved` block. Each list names what the shipped stacks had deployed, by today's logical
 * id (the same in every environment); it shrinks to nothing once every deployment has applied the
 * release that moved them.
 */
import { TerraformStack } from "./cdk";
import type { Image } from "./docker";
import type { Volume } from "./volume";
import { readableLogicalId } from "./validation";
import type { IConstruct } from "./cdk";

/**
 * Services whose files volumes releases before the directory addresses addressed by a counter, in
 * the order of their sorted directories (`<service>_files`, `<service>_files2`, …).
 */
const COUNTER_ADDRESSED_FILES_VOLUMES: ReadonlySet<string> = new Set([
  "jessy_api",
  "z3_alertmanager",
  "z3_grafana",
  "z3_prometheus",
  "z3_zaino",
  "z3_zallet",
  "z3_zebra",
  "zfs_sync_app",
  "zfs_sync_migrate",
  "zfs_sync_postgres",
  "zfs_sync_proxy",
]);

/**
 * Moves the `index`-th (0-based, in sorted order) files volume of `service` from the counter address
 * an earlier release gave it, when that service had one.
 */
export function moveFilesVolumeFromCounterAddress(service: IConstruct, volume: Volume, index: number): void {
  const id = readableLogicalId(service);
  const resource = volume.resource;
  if (resource === undefined || !COUNTER_ADDRESSED_FILES_VOLUMES.has(id)) return;
  const earlier = `docker_volume.${id}_files${index === 0 ? "" : index + 1}`;
  if (earlier !== `docker_volume.${resource.friendlyUniqueId}`) resource.moveFromId(earlier);
}

/**
 * Images that releases before readable image addresses addressed by cdktf's hashed logical id
 * (`docker_image.Z3_AlertmanagerImage_FCC8AAAB`), by today's logical id.
 */
const HASH_ADDRESSED_IMAGES: ReadonlySet<string> = new Set([
  "backup_image",
  "jessy_api_image",
  "jessy_core_image",
  "jessy_coverage_image",
  "jessy_test_image",
  "z3_alertmanager_image",
  "z3_cookie_permissions_image",
  "z3_grafana_image",
  "z3_prometheus_image",
  "z3_rpc_router_image",
  "z3_zaino_image",
  "z3_zallet_image",
  "z3_zebra_image",
  "zfs_sync_app_image",
  "zfs_sync_postgres_image",
  "zfs_sync_proxy_image",
]);

/**
 * Gives an image's `docker_image` its readable address (`logicalId`) and, for an image an earlier
 * release deployed, a `moved` block from the hashed address cdktf gave it then.
 */
export function addressImage(resource: Image, logicalId: string): void {
  // The hashed id, computed without caching it on the resource (its address is about to change).
  const hashed = TerraformStack.of(resource).getLogicalId(resource);
  resource.overrideLogicalId(logicalId);
  if (HASH_ADDRESSED_IMAGES.has(logicalId)) resource.moveFromId(`docker_image.${hashed}`);
}
