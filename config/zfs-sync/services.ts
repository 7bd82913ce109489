/**
 * The ZFS Sync services, each declared once: its image variable, when the settings deploy it, whether
 * it may be replicated and whether it is stateful. The schema (`resources`, `logging`,
 * `deployment.replicas` keys and the production limits), the stack's image variables and the
 * README's service table derive from it.
 */
import type { ServiceCatalog } from "../catalog";

/** The settings that decide which ZFS Sync services are deployed (a part of `ZfsSyncSettings`). */
export interface ZfsSyncSwitches {
  readonly images: { readonly app: string; readonly postgres: string; readonly proxy: string };
  readonly database: { readonly kind: "sqlite" | "postgres" };
  readonly migrations: boolean;
  readonly proxy?: unknown;
}

export const ZFS_SYNC_SERVICES = {
  app: {
    summary: "the FastAPI service (state in its database)",
    name: "app",
    image: { variable: "zfs_sync", reference: (z: ZfsSyncSwitches) => z.images.app },
    deployedWhen: () => true,
    deployedWhenText: "always",
    replicable: true,
    stateful: 'with `database.kind` "sqlite" (its data volume)',
  },
  postgres: {
    summary: "PostgreSQL 15",
    name: "postgres",
    image: { variable: "postgres", reference: (z: ZfsSyncSwitches) => z.images.postgres },
    deployedWhen: (z: ZfsSyncSwitches) => z.database.kind === "postgres",
    deployedWhenText: '`zfsSync.database.kind` "postgres"',
    replicable: false,
    stateful: true,
  },
  migrate: {
    summary: "one-shot: `alembic upgrade head`",
    name: "migrate",
    runs: "app",
    deployedWhen: (z: ZfsSyncSwitches) => z.migrations,
    deployedWhenText: "`zfsSync.migrations`",
    replicable: false,
    stateful: false,
  },
  proxy: {
    summary: "TLS-terminating nginx in front of the app",
    name: "proxy",
    image: { variable: "proxy", reference: (z: ZfsSyncSwitches) => z.images.proxy },
    deployedWhen: (z: ZfsSyncSwitches) => z.proxy !== undefined,
    deployedWhenText: "`zfsSync.proxy`",
    replicable: true,
    stateful: false,
  },
} as const satisfies ServiceCatalog<string, ZfsSyncSwitches>;
