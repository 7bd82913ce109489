import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "fs";
import { join } from "path";
import { run, runOk } from "./process";
import { say } from "./log";
import { randomString } from "./secrets";

/** A throwaway PostgreSQL cluster on 127.0.0.1 for the `pg` state backend. */
export interface Postgres {
  readonly connStr: string;
  readonly dataDir: string;
  readonly port: number;
  readonly binDir: string;
}

const PORT = Number(process.env.E2E_PG_PORT ?? 55432);

function findBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], "bin") : undefined;
}

async function asPostgres(binDir: string, tool: string, args: readonly string[], timeoutMs: number) {
  // initdb and postgres refuse to run as root: run them as the postgres user.
  return runOk("runuser", ["-u", "postgres", "--", join(binDir, tool), ...args], { timeoutMs });
}

/**
 * Starts a cluster under `<workDir>/postgres` (initdb + pg_ctl as the postgres user, scram-sha-256
 * on 127.0.0.1 only, a non-default port) with a role and database for Terraform state. Installs
 * Debian's postgresql package first when it is missing.
 */
export async function startPostgres(workDir: string): Promise<Postgres> {
  let binDir = findBinDir();
  if (!binDir) {
    say("PostgreSQL is not installed: apt-get install postgresql");
    await runOk("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update"], { timeoutMs: 600_000 });
    await runOk("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends", "postgresql"], {
      timeoutMs: 900_000,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    binDir = findBinDir();
    if (!binDir) throw new Error("postgresql installed but no initdb under /usr/lib/postgresql/*/bin");
  }
  const uid = Number((await runOk("id", ["-u", "postgres"], { timeoutMs: 10_000 })).stdout.trim());
  const gid = Number((await runOk("id", ["-g", "postgres"], { timeoutMs: 10_000 })).stdout.trim());
  const root = join(workDir, "postgres");
  const dataDir = join(root, "data");
  mkdirSync(root, { recursive: true });
  chownSync(root, uid, gid);
  chmodSync(workDir, 0o755);
  const password = randomString(24);
  const pwfile = join(root, "pwfile");
  writeFileSync(pwfile, password + "\n", { mode: 0o600 });
  chownSync(pwfile, uid, gid);
  await asPostgres(
    binDir,
    "initdb",
    ["-D", dataDir, "-U", "postgres", "--pwfile", pwfile, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8"],
    120_000,
  );
  await asPostgres(
    binDir,
    "pg_ctl",
    ["-D", dataDir, "-l", join(root, "server.log"), "-w", "-t", "60", "-o", `-c listen_addresses=127.0.0.1 -p ${PORT} -k ${root}`, "start"],
    90_000,
  );
  const admin = `postgresql://postgres:${password}@127.0.0.1:${PORT}/postgres?sslmode=disable`;
  const tfPassword = randomString(24);
  await runOk(
    "psql",
    [
      admin,
      "-v",
      "ON_ERROR_STOP=1",
      "-q",
      "-c",
      `CREATE ROLE terraform LOGIN CREATEDB PASSWORD '${tfPassword}'`,
      "-c",
      "CREATE DATABASE terraform_state OWNER terraform",
    ],
    {
      timeoutMs: 30_000,
    },
  );
  say(`PostgreSQL ${binDir.split("/").slice(-2, -1)[0]} for the pg backend on 127.0.0.1:${PORT} (data ${dataDir})`);
  return { connStr: `postgres://terraform:${tfPassword}@127.0.0.1:${PORT}/terraform_state?sslmode=disable`, dataDir, port: PORT, binDir };
}

export async function stopPostgres(dataDir: string, binDir: string): Promise<void> {
  if (!existsSync(join(dataDir, "postmaster.pid"))) return;
  await run("runuser", ["-u", "postgres", "--", join(binDir, "pg_ctl"), "-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"], {
    timeoutMs: 90_000,
  });
}

/** psql with the suite's connection string (a Terraform state role). */
export async function psql(connStr: string, sql: string): Promise<string> {
  return (await runOk("psql", [connStr, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], { timeoutMs: 30_000, quiet: true })).stdout.trim();
}
