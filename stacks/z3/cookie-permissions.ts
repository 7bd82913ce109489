import { Construct } from "../../lib/cdk";
import { ContainerImage, Network, Service, Volume } from "../../lib";
import { Z3Settings } from "../../config/z3/schema";
import { NetworkProfile } from "./network-profile";

export interface CookiePermissionsParts {
  readonly network: Network;
  readonly cookieVolume: Volume;
  /** Image reference. */
  readonly image: string;
  readonly zebra: Service;
}

/** The settings the sidecar reads. */
export type CookiePermissionsSettings = Pick<Z3Settings, "logging" | "resources">;

/** Shell loop of z3's cookie-permissions sidecar: Zebra writes the cookie 0600; consumers run as other UIDs. */
const COOKIE_CHMOD_LOOP = "while true; do [ -f /var/run/auth/.cookie ] && chmod 0644 /var/run/auth/.cookie; sleep 5; done";

/** z3's cookie-permissions sidecar: makes Zebra's RPC cookie readable for Zaino and Zallet. */
export function cookiePermissionsService(
  scope: Construct,
  profile: NetworkProfile,
  parts: CookiePermissionsParts,
  settings: CookiePermissionsSettings,
): Service {
  return new Service(scope, "CookiePermissions", {
    logging: settings.logging,
    name: `${profile.namePrefix}-cookie-permissions`,
    image: new ContainerImage(scope, "CookiePermissionsImage", { reference: parts.image }),
    rootReason: "chmods the cookie file that Zebra (UID 10001) writes with mode 0600; needs root with FOWNER",
    capabilities: ["FOWNER"],
    command: ["sh", "-c", COOKIE_CHMOD_LOOP],
    networks: [{ network: parts.network }],
    volumes: [parts.cookieVolume.mount("/var/run/auth")],
    healthCheck: {
      test: profile.cookieCheck,
      intervalSeconds: 5,
      timeoutSeconds: 2,
      retries: 12,
      startPeriodSeconds: 5,
    },
    waitForHealthySeconds: 90,
    dependsOn: [parts.zebra],
    resources: settings.resources.cookiePermissions,
  });
}
