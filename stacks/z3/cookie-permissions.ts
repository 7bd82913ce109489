import { Construct } from "../../lib/cdk";
import { ContainerImage, Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { Z3Context, z3ServiceBasics } from "./context";

/** Shell loop of z3's cookie-permissions sidecar: Zebra writes the cookie 0600; consumers run as other UIDs. */
const COOKIE_CHMOD_LOOP = "while true; do [ -f /var/run/auth/.cookie ] && chmod 0644 /var/run/auth/.cookie; sleep 5; done";

/** z3's cookie-permissions sidecar: makes Zebra's RPC cookie readable for Zaino and Zallet. */
export function cookiePermissionsService(scope: Construct, ctx: Z3Context & { readonly zebra: Service }): ServiceParts {
  const service = new Service(scope, "CookiePermissions", {
    ...z3ServiceBasics(ctx, "cookiePermissions"),
    resources: ctx.settings.resources.cookiePermissions,
    image: new ContainerImage(scope, "CookiePermissionsImage", { reference: ctx.images.cookiePermissions }),
    rootReason: "chmods the cookie file that Zebra (UID 10001) writes with mode 0600; needs root with FOWNER",
    capabilities: ["FOWNER"],
    command: ["sh", "-c", COOKIE_CHMOD_LOOP],
    networks: [{ network: ctx.network }],
    volumes: [ctx.cookieVolume.mount("/var/run/auth")],
    healthCheck: {
      test: ctx.profile.cookieCheck,
      intervalSeconds: 5,
      timeoutSeconds: 2,
      retries: 12,
      startPeriodSeconds: 5,
    },
    waitForHealthySeconds: 90,
    dependsOn: [ctx.zebra],
  });
  return { service };
}
