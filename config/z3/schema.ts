/** Zcash Z3 settings: the schema (types inferred from it) and its Regtest and production rules. */
import { z } from "zod";
import { allowed, bool, deploymentSchema, EnvironmentContext, imageReference, integer, loggingSchema, nonEmptyString, objectOf, oneOf, requireLimits, resourcesOf } from "../common";

export const zcashNetworkSchema = oneOf(["Mainnet", "Testnet", "Regtest"]);
export type ZcashNetwork = z.infer<typeof zcashNetworkSchema>;

const SERVICES = ["zebra", "cookiePermissions", "zaino", "zallet", "rpcRouter", "prometheus", "grafana", "alertmanager"] as const;
export const z3ServiceNameSchema = oneOf(SERVICES, `a Z3 service: ${SERVICES.join(", ")}`);
export type Z3ServiceName = z.infer<typeof z3ServiceNameSchema>;
export const Z3_SERVICE_NAMES: readonly Z3ServiceName[] = z3ServiceNameSchema.options;

/** The Z3 settings schema for one environment (image pinning and required limits follow the environment). */
export function z3Schema(env: EnvironmentContext) {
  return z
    .object(
      {
        /** Chain Zebra follows (`ZEBRA_NETWORK__NETWORK`); picks the port matrix and config. */
        network: zcashNetworkSchema,
        /** Default image references (each overridable at deploy time by a `<service>_image` variable). */
        images: objectOf(Z3_SERVICE_NAMES, imageReference(env.requirePinnedImages), "an image reference per Z3 service"),
        /** Deploy the rpc-router (upstream runs it on Regtest only). */
        rpcRouter: bool(),
        /** Deploy Prometheus, Grafana and Alertmanager. */
        monitoring: bool(),
        /** Publish Zebra's P2P port on every host interface (inbound peers; upstream zebra PR #10464). */
        publishP2P: bool(),
        /** Limits per service. */
        resources: resourcesOf(z3ServiceNameSchema),
        /** json-file rotation of every Z3 container (upstream's LEGACY compose pinned 50m × 5). */
        logging: loggingSchema,
        /** `ZEBRA_MINING__MINER_ADDRESS`; required on Regtest, not allowed elsewhere. */
        minerAddress: z.string(allowed("a transparent or unified Zcash address (required on Regtest)")).optional(),
        /** `RUST_LOG` for Zebra. */
        zebraRustLog: nonEmptyString("a non-empty RUST_LOG filter (empty ZEBRA_/RUST_ variables break Zebra's config parsing)"),
        /** Seconds Terraform waits for Zebra to be healthy before creating its consumers (Regtest only; a Mainnet node is not ready for days). */
        zebraWaitSeconds: integer(10).optional(),
        /**
         * Containers on one host (unset: the default) or services on the environment's swarm. Only the
         * rpc-router is replicable: every other Z3 service owns a volume (chain, index, wallet, metrics,
         * dashboards, silences) and runs once, on the data node.
         */
        deployment: deploymentSchema(["rpcRouter"], "every other Z3 service owns a node-local volume").optional(),
      },
      allowed("the Z3 settings object"),
    )
    .readonly()
    .superRefine((z3, ctx) => {
      const problem = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: "custom", path: [path], message });
      if (z3.rpcRouter) problem(z3.network === "Regtest", "rpcRouter", 'false unless z3.network is "Regtest" (upstream runs the router on Regtest only; z3 issue #44)');
      if (z3.network === "Regtest") {
        problem(/^[a-zA-Z0-9]{20,100}$/.test(z3.minerAddress ?? ""), "minerAddress", "a transparent or unified Zcash address (required on Regtest)");
        problem(!z3.publishP2P, "publishP2P", "false on Regtest (a Regtest node has no peers)");
      } else {
        problem(z3.minerAddress === undefined, "minerAddress", 'unset unless z3.network is "Regtest"');
        problem(z3.zebraWaitSeconds === undefined, "zebraWaitSeconds", 'unset unless z3.network is "Regtest" (a Mainnet or Testnet node is not ready for hours or days)');
      }
      requireLimits(ctx, z3.resources, deployedZ3Services(z3), env.requireResourceLimits);
    });
}
export type Z3Settings = z.infer<ReturnType<typeof z3Schema>>;

/** The services a settings object deploys. */
export function deployedZ3Services(z3: Pick<Z3Settings, "rpcRouter" | "monitoring">): Z3ServiceName[] {
  return Z3_SERVICE_NAMES.filter((name) => {
    if (name === "rpcRouter") return z3.rpcRouter;
    if (name === "prometheus" || name === "grafana" || name === "alertmanager") return z3.monitoring;
    return true;
  });
}
