import { readYaml } from "../../real-readers";
import { appConfigYaml, migrateScript, MIGRATE_SKIP_MESSAGE, postgresDatabaseUrl } from "../../../stacks/zfs-sync/config-files";

describe("app config file", () => {
  test("holds only the database URL, for upstream's YAML loader (PyYAML)", () => {
    const yaml = appConfigYaml("postgresql://u:p%40ss@postgres:5432/db");
    expect(readYaml(yaml.template)).toEqual({ database_url: "postgresql://u:p%40ss@postgres:5432/db" });
  });
  test("the PostgreSQL URL has upstream's shape and a URL-encoded password", () => {
    expect(
      postgresDatabaseUrl({ user: "zfssync", database: "zfssync", host: "postgres", port: 5432, encodedPassword: "${urlencode(var.p)}" }),
    ).toBe("postgresql://zfssync:${urlencode(var.p)}@postgres:5432/zfssync");
  });
});

describe("migration script", () => {
  const script = migrateScript();
  test("stops on any error and refuses images without alembic.ini", () => {
    expect(script.split("\n")[0]).toBe("set -eu");
    expect(script).toMatch(/if \[ ! -f alembic\.ini \]; then\n.*\n {2}exit 1\nfi/);
  });
  test("leaves a database without an Alembic revision to the app, upgrades every other one", () => {
    expect(script).toContain('current="$(alembic current)"');
    expect(script).toContain(`if [ -z "$current" ]; then\n  echo 'zfs-sync migrate: ${MIGRATE_SKIP_MESSAGE}'\n  exit 0\nfi`);
    expect(script.split("\n").pop()).toBe("exec alembic upgrade head");
  });
  test("contains no Terraform interpolation", () => {
    expect(script).not.toMatch(/\$\{|%\{/);
  });
});
