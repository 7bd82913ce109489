/** Typed per-environment settings: the only place environments differ. Read by main.ts, passed down as props. */

import type { JessySettings } from "./jessy";
import type { ZfsSyncSettings } from "./zfs-sync";

export type EnvironmentName = "dev" | "staging" | "production";
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ["dev", "staging", "production"];

/** Which policy pack gates the environment's stacks: baseline rules warn, production rules fail synth. */
export type PolicyPackName = "baseline" | "production";

export interface ResourceLimits {
  /** Memory limit in MiB. */
  readonly memoryMiB?: number;
  /** CPU limit in cores. */
  readonly cpus?: number;
}

export interface LoggingSettings {
  /** json-file `max-size` in MiB. */
  readonly maxSizeMiB: number;
  /** json-file `max-file`. */
  readonly maxFiles: number;
  readonly compress: boolean;
}

/**
 * Terraform state backend. `local` keeps state next to the stack (dev). `pg` stores state in a
 * PostgreSQL schema with advisory locks; the connection string is never in code: Terraform reads it
 * from the `PG_CONN_STR` environment variable at init.
 */
export type BackendSettings = { readonly kind: "local" } | { readonly kind: "pg"; readonly schemaName: string };

export type ZcashNetwork = "Mainnet" | "Testnet" | "Regtest";

export type Z3ServiceName =
  | "zebra"
  | "cookiePermissions"
  | "zaino"
  | "zallet"
  | "rpcRouter"
  | "prometheus"
  | "grafana"
  | "alertmanager";
export const Z3_SERVICE_NAMES: readonly Z3ServiceName[] = [
  "zebra",
  "cookiePermissions",
  "zaino",
  "zallet",
  "rpcRouter",
  "prometheus",
  "grafana",
  "alertmanager",
];

export interface Z3Settings {
  /** Chain Zebra follows (`ZEBRA_NETWORK__NETWORK`); picks the port matrix and config. */
  readonly network: ZcashNetwork;
  /** Default image references (each overridable at deploy time by a `<service>_image` variable). */
  readonly images: Readonly<Record<Z3ServiceName, string>>;
  /** Deploy the rpc-router (upstream runs it on Regtest only). */
  readonly rpcRouter: boolean;
  /** Deploy Prometheus, Grafana and Alertmanager. */
  readonly monitoring: boolean;
  /** Publish Zebra's P2P port on every host interface (inbound peers; upstream zebra PR #10464). */
  readonly publishP2P: boolean;
  /** Limits per service. */
  readonly resources: Readonly<Partial<Record<Z3ServiceName, ResourceLimits>>>;
  /** `ZEBRA_MINING__MINER_ADDRESS`; required on Regtest, not allowed elsewhere. */
  readonly minerAddress?: string;
  /** `RUST_LOG` for Zebra. */
  readonly zebraRustLog: string;
  /** Seconds Terraform waits for Zebra to be healthy before creating its consumers (Regtest only; a Mainnet node is not ready for days). */
  readonly zebraWaitSeconds?: number;
}

export interface EnvironmentSettings {
  readonly name: EnvironmentName;
  /**
   * Default Docker host for the `docker_host` variable. Unset means the variable is required
   * (staging and production must name their host explicitly).
   */
  readonly defaultDockerHost?: string;
  readonly backend: BackendSettings;
  readonly policyPack: PolicyPackName;
  /** Every service must declare a memory and CPU limit. */
  readonly requireResourceLimits: boolean;
  /** Data volumes carry `prevent_destroy`. */
  readonly protectData: boolean;
  /** Image references must be pinned (tag other than `latest`, or a digest). */
  readonly requirePinnedImages: boolean;
  readonly logging: LoggingSettings;
  readonly z3: Z3Settings;
  readonly jessy: JessySettings;
  readonly zfsSync: ZfsSyncSettings;
}
