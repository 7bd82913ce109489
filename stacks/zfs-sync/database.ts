import { Construct, Fn } from "../../lib/cdk";
import { Secret, Volume } from "../../lib";
import type { ZfsSyncSettings } from "../../config/zfs-sync/schema";
import { postgresDatabaseUrl, SQLITE_DATABASE_URL } from "./config-files";
import { AppDatabase, DB_NAME, DB_PORT, DB_USER } from "./context";

/**
 * The app's database: SQLite on a named volume or a host directory (upstream's base stack), or
 * PostgreSQL on its volume with a password from a sensitive variable (upstream's production override).
 */
export function appDatabase(scope: Construct, settings: ZfsSyncSettings, namePrefix: string, protectData: boolean): AppDatabase {
  const database = settings.database;
  if (database.kind === "sqlite") {
    if (database.hostPath !== undefined)
      return { url: SQLITE_DATABASE_URL, mounts: [], binds: [{ hostPath: database.hostPath, containerPath: "/data", readOnly: false }] };
    const volume = new Volume(scope, "DataVolume", { name: `${namePrefix}-data`, stateful: true, preventDestroy: protectData });
    return { url: SQLITE_DATABASE_URL, mounts: [volume.mount("/data")], binds: [], volume };
  }
  const password = new Secret(scope, "PostgresPassword", {
    variableName: "postgres_password",
    description: "PostgreSQL password of the zfssync role (upstream POSTGRES_PASSWORD, which upstream defaults to a well-known word)",
    minLength: 16,
  });
  const volume = new Volume(scope, "PostgresVolume", { name: `${namePrefix}-postgres-data`, stateful: true, preventDestroy: protectData });
  const url = postgresDatabaseUrl({
    user: DB_USER,
    database: DB_NAME,
    host: "postgres",
    port: DB_PORT,
    // Any character is allowed in the password; the URL carries it percent-encoded.
    encodedPassword: Fn.urlencode(password.value),
  });
  // The app and the migration job reach PostgreSQL over the network: they mount nothing of it.
  return { url, mounts: [], binds: [], volume, password };
}
