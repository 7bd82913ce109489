import { Condition, Network, Secret, Service, Volume } from "../../lib";

/** What Zebra's RPC consumers (Zaino, Zallet) are wired to. */
export interface ConsumerParts {
  readonly network: Network;
  /** The consumer's own data volume. */
  readonly dataVolume: Volume;
  readonly cookieVolume: Volume;
  /** Image reference. */
  readonly image: string;
  readonly zebra: Service;
  readonly cookiePermissions: Service;
  /** Password for Zebra's RPC user `zebra`. @default - none: the profile has cookie auth on */
  readonly rpcPassword?: Secret;
  /** Gates the container (two-phase boot). @default - always deployed */
  readonly enabledWhen?: Condition;
}
