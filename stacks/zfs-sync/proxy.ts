import { Construct } from "../../lib/cdk";
import { ContainerImage, Network, Secret, Service } from "../../lib";
import { replicasOf } from "../../config/common";
import type { ZfsSyncProxySettings } from "../../config/zfs-sync/schema";
import { ServiceParts } from "../service-parts";
import { proxyNginxConf } from "./config-files";
import { API_PREFIX, APP_PORT, ZfsSyncContext, zfsSyncServiceBasics } from "./context";

/** nginx-unprivileged runs as `nginx`, UID 101; 8443 needs no NET_BIND_SERVICE. */
const PROXY_USER = "101:101";
const PROXY_LISTEN_PORT = 8443;

/** What the proxy is wired to besides the shared parts. */
export interface ProxyContext extends ZfsSyncContext {
  readonly proxy: ZfsSyncProxySettings;
  /** Where clients reach it (it publishes the HTTPS port). */
  readonly edgeNetwork: Network;
  /** Proxy ↔ app only: the proxy never sees the database network. */
  readonly frontendNetwork: Network;
  readonly app: Service;
  /** `server_name` (a Terraform expression is fine). */
  readonly serverName: string;
}

/** The TLS-terminating reverse proxy (nginx) in front of the API, with its certificate and key from sensitive variables. */
export function proxyService(scope: Construct, ctx: ProxyContext): ServiceParts {
  const { proxy } = ctx;
  const certificate = new Secret(scope, "TlsCertificate", {
    variableName: "tls_certificate",
    description: "PEM certificate chain the proxy serves (leaf first)",
    minLength: 64,
  });
  const privateKey = new Secret(scope, "TlsPrivateKey", {
    variableName: "tls_private_key",
    description: "PEM private key of tls_certificate",
    minLength: 64,
  });
  const certificatePath = "/run/secrets/tls_certificate";
  const privateKeyPath = "/run/secrets/tls_private_key";
  const service = new Service(scope, "Proxy", {
    ...zfsSyncServiceBasics(ctx, "proxy"),
    resources: ctx.settings.resources.proxy,
    replicas: replicasOf(ctx.settings.deployment, "proxy"),
    image: new ContainerImage(scope, "ProxyImage", { reference: ctx.images.proxy }),
    user: PROXY_USER,
    command: ["nginx", "-c", "/etc/nginx/zfs-sync/nginx.conf"],
    // pid file and request/response buffers (see the generated nginx.conf).
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
    configFiles: [
      {
        containerPath: "/etc/nginx/zfs-sync/nginx.conf",
        content: proxyNginxConf(proxy, {
          listenPort: PROXY_LISTEN_PORT,
          serverName: ctx.serverName,
          upstreamUrl: `http://zfs-sync:${APP_PORT}`,
          certificatePath,
          privateKeyPath,
          eventStreamPath: `${API_PREFIX}/dashboard/events`,
        }),
      },
    ],
    secretFiles: [certificate.file(certificatePath), privateKey.file(privateKeyPath)],
    networks: [{ network: ctx.edgeNetwork }, { network: ctx.frontendNetwork }],
    ports: [{ containerPort: PROXY_LISTEN_PORT, hostPort: proxy.httpsPort, kind: "https", public: true }],
    healthCheck: {
      // Readiness end to end: TLS here, then the app's /health/ready, which runs SELECT 1.
      test: ["CMD", "curl", "-fsk", "-o", "/dev/null", `https://127.0.0.1:${PROXY_LISTEN_PORT}${API_PREFIX}/health/ready`],
      intervalSeconds: 30,
      timeoutSeconds: 10,
      retries: 3,
      startPeriodSeconds: 10,
    },
    waitForHealthySeconds: proxy.waitForHealthySeconds,
    dependsOn: [ctx.app],
  });
  return { service, secrets: [certificate, privateKey] };
}
