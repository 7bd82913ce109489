import { Construct, TerraformOutput, TerraformVariable } from "../../lib/cdk";
import { EnvironmentSettings } from "../../config/settings";
import { ZFS_SYNC_SERVICES } from "../../config/zfs-sync/services";
import { SystemStack } from "../system-stack";
import { ZfsSync } from "./zfs-sync";

/** `zfs-sync-<env>`: the ZFS Sync witness service on the environment's Docker host. */
export class ZfsSyncStack extends SystemStack {
  readonly zfsSync: ZfsSync;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    super(scope, { system: "zfs-sync", settings, deployment: settings.zfsSync.deployment });
    const z = settings.zfsSync;

    // The host name clients use is a deployment input, like docker_host: required, no default.
    const serverName = z.proxy
      ? new TerraformVariable(this, "server_name", {
          type: "string",
          nullable: false,
          description: "Host name clients use for the API (nginx server_name; the name tls_certificate is issued for). Required.",
          validation: [
            {
              condition:
                '${can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", var.server_name))}',
              errorMessage: "server_name must be a DNS host name such as zfs-sync.example.org.",
            },
          ],
        })
      : undefined;

    this.zfsSync = new ZfsSync(this, "ZfsSync", z, {
      namePrefix: this.namePrefix,
      // A variable per deployed image only; an image the settings leave undeployed gets none.
      images: this.imageVariablesOf(ZFS_SYNC_SERVICES, z),
      serverName: serverName?.stringValue,
      protectData: settings.protectData,
    });

    this.backUp(this.zfsSync.backupSources);

    const apiUrl =
      z.proxy && serverName
        ? `https://${serverName.stringValue}${z.proxy.httpsPort === 443 ? "" : `:${z.proxy.httpsPort}`}/api/v1`
        : z.appHostPort !== undefined
          ? `http://127.0.0.1:${z.appHostPort}/api/v1`
          : "(not published)";
    new TerraformOutput(this, "api_url", {
      value: apiUrl,
      description: "Base URL of the ZFS Sync API (health: <url>/health, readiness: <url>/health/ready).",
    });
    new TerraformOutput(this, "app_container", { value: this.zfsSync.app.resource.name });
  }
}
