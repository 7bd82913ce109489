/**
 * The backup runner's program (`/etc/restic/backup.sh`, generated per stack by lib/backup-script.ts)
 * as deployed, run by Debian's /bin/sh in the runner's view (root, read-only root, its tmpfs): it
 * parses, prints its usage, and its health check reports a runner that has no snapshot yet. The
 * backups and restores themselves run against a real SFTP host in the e2e suite.
 */
import { CHECKED_SERVICES, deployedIn, DeployedService, expectAccepted, renderedFiles, runProgram } from "./programs";

const vars = {
  backup_repository: "sftp:backup@backup.example.test:/srv/restic/stack",
  backup_known_hosts: "backup.example.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOr2BkYbAf0PYhA8vDQ4Bj0nL2QeZpcj5wQ2k0vV7bHq",
  backup_password: "a-test-password-of-some-length",
  backup_ssh_key: "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n-----END OPENSSH PRIVATE KEY-----\n",
  postgres_password: "postgres-test-password",
  zallet_identity: "AGE-SECRET-KEY-1TEST",
};

const runners = [CHECKED_SERVICES.backupZcash, CHECKED_SERVICES.backupJessy, CHECKED_SERVICES.backupZfsSync].flatMap((c) =>
  [...deployedIn(c.system, c.id)].flatMap(([env, s]) => (s ? [[`${c.system}-${env}`, s] as [string, DeployedService]] : [])),
);

test("every stack of every environment has a backup runner", () => {
  expect(runners.map(([name]) => name).sort()).toHaveLength(9);
});

describe.each(runners)("%s", (_name, service) => {
  const files = renderedFiles(service, vars);
  const script = files.find((f) => f.path === "/etc/restic/backup.sh")!;

  test("sh -n accepts /etc/restic/backup.sh; it is executable and owned by root", () => {
    expect(script).toBeDefined();
    expect(script.mode & 0o111).not.toBe(0);
    expectAccepted(runProgram(["sh", "-n", "/etc/restic/backup.sh"], { service, files }));
  });

  test("without an action it prints its usage and exits 2", () => {
    const r = runProgram(["/etc/restic/backup.sh"], { service, files });
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/usage: backup\.sh run\|once\|health/);
  });

  test("health fails on a runner with no snapshot yet, naming the first volume", () => {
    const sources = JSON.parse(files.find((f) => f.path === "/etc/restic/sources.json")!.content) as { sources: { volume: string }[] };
    const r = runProgram(["/etc/restic/backup.sh", "health"], { service, files });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`${sources.sources[0].volume}: no snapshot yet`);
  });
});
