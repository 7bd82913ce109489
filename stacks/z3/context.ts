import { Construct } from "../../lib/cdk";
import { Condition, Network, Secret, Service, Volume } from "../../lib";
import { loggingOf } from "../../config/common";
import { Z3ServiceName, Z3Settings } from "../../config/z3/schema";
import { Z3_SERVICES } from "../../config/z3/services";
import { NetworkProfile } from "./network-profile";

/** What every Z3 service builder reads: the settings, the network profile (computed once, by the stack) and the shared parts. */
export interface Z3Context {
  readonly settings: Z3Settings;
  readonly profile: NetworkProfile;
  /** Image reference per service: the stack's `<service>_image` variables, defaulting to the settings' images. */
  readonly images: Readonly<Record<Z3ServiceName, string>>;
  /** `prevent_destroy` on the data volumes. */
  readonly protectData: boolean;
  readonly network: Network;
  /** Zebra's RPC cookie, shared by Zebra, the sidecar, Zaino and Zallet. */
  readonly cookieVolume: Volume;
  /** Password for Zebra's RPC user `zebra`. @default - none: the profile has cookie auth on */
  readonly rpcPassword?: Secret;
  /** Terraform boolean expression gating Zaino, Zallet and the router (two-phase boot). @default - always deployed */
  readonly consumersEnabledWhen?: Condition;
}

/** What Zebra's RPC consumers (Zaino, Zallet) start after. */
export interface ConsumerContext extends Z3Context {
  readonly zebra: Service;
  readonly cookiePermissions: Service;
}

/** The Service props every Z3 service takes from the catalog and the logging settings: Docker name and log rotation. */
export function z3ServiceBasics(ctx: Z3Context, service: Z3ServiceName) {
  return { name: `${ctx.profile.namePrefix}-${Z3_SERVICES[service].name}`, logging: loggingOf(ctx.settings.logging, service) };
}

/** A stateful data volume `<prefix>-<suffix>`, protected where the environment protects data. */
export function z3DataVolume(scope: Construct, ctx: Z3Context, id: string, suffix: string): Volume {
  return new Volume(scope, id, { name: `${ctx.profile.namePrefix}-${suffix}`, stateful: true, preventDestroy: ctx.protectData });
}
