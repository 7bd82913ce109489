/**
 * The one builder signature of every service of every system: `(scope, ctx) => ServiceParts`. A
 * builder creates its service and what only it owns (volumes, secrets) with fixed construct ids under
 * `scope`, and returns them with how they are backed up and scraped; the system construct only puts
 * the returned parts together.
 */
import { Construct } from "../lib/cdk";
import type { BackupSource, Secret, Service, Volume } from "../lib";

/** A Prometheus scrape target: a job, scraped at `address` (its network alias and port) and `path`. */
export interface ScrapeTarget {
  readonly job: string;
  readonly address: string;
  readonly path: string;
  /**
   * Found by DNS (`dns_sd_configs`, type A) instead of a static address: for a service that exists
   * only while a variable says so (the backup runner in dev and staging). Absent, it has no target
   * and so no `up` series: nothing fires.
   * @default false
   */
  readonly optional?: boolean;
}

/** What a service builder returns. */
export interface ServiceParts {
  readonly service: Service;
  /** Volumes only this service owns. @default - none */
  readonly volumes?: readonly Volume[];
  /** Secrets only this service reads. @default - none */
  readonly secrets?: readonly Secret[];
  /** How its stateful volumes are backed up. @default - none: it owns no stateful volume */
  readonly backupSources?: readonly BackupSource[];
  /** Its metrics endpoint, for Prometheus. @default - none */
  readonly scrapeTargets?: readonly ScrapeTarget[];
}

/** A builder of one service: `Context` is what it reads (settings, shared parts, the services it depends on). */
export type ServiceBuilder<Context> = (scope: Construct, ctx: Context) => ServiceParts;

/**
 * The scrape target of `service`'s metrics endpoint (none without one), as job `job`: the network
 * alias it is reached by.
 */
export function scrapeTargetOf(service: Service, job: string, optional = false): ScrapeTarget[] {
  const metrics = service.metrics;
  if (metrics === undefined) return [];
  return [{ job, address: `${job}:${metrics.port}`, path: metrics.path ?? "/metrics", ...(optional ? { optional } : {}) }];
}
