import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { APP_CONFIG_PATH, appConfigYaml, migrateScript } from "./config-files";
import { APP_USER, appEnvironment, ZfsSyncContext, zfsSyncServiceBasics } from "./context";

/** The one-shot migration job (`alembic upgrade head`) on the app image, before the app starts. */
export function migrateService(scope: Construct, ctx: ZfsSyncContext & { readonly postgres?: Service }): ServiceParts {
  const service = new Service(scope, "Migrate", {
    ...zfsSyncServiceBasics(ctx, "migrate"),
    resources: ctx.settings.resources.migrate,
    image: ctx.appImage,
    user: APP_USER,
    oneShot: true,
    command: ["sh", "-c", migrateScript()],
    environment: { ...appEnvironment(ctx.settings), ZFS_SYNC_LOG_DIR: "/tmp" },
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
    configFiles: [{ containerPath: APP_CONFIG_PATH, content: appConfigYaml(ctx.database.url) }],
    volumes: [...ctx.database.mounts],
    bindMounts: [...ctx.database.binds],
    networks: [{ network: ctx.network }],
    dependsOn: ctx.postgres ? [ctx.postgres] : [],
  });
  return { service };
}
