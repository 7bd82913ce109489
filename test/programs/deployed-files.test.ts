/**
 * Which deployed files the program checks cover: every file a service receives (uploaded by its
 * files loader, or a swarm config or secret) in every environment is checked by the program that
 * reads it, is only a secret's value (a Terraform variable, given at apply time), or is listed below
 * with the reason no program here checks it. A new file fails this test until it is one of those.
 */
import { allServicesWithFiles, CHECKED_SERVICES, DeployedService, ENVIRONMENT_NAMES } from "./programs";

/** Files whose program the Debian root filesystem does not have. */
const NOT_CHECKED_HERE: Readonly<Record<string, string>> = {
  "/home/zebra/.config/zebrad.toml": "read by zebrad, which Debian does not package",
  "/etc/zaino/zindexer.toml": "read by zainod, which Debian does not package",
  "/etc/zallet/zallet.toml": "read by zallet, which Debian does not package",
  "/etc/grafana/provisioning/datasources/prometheus.yml": "read by Grafana, which Debian does not package",
  "/app/config/zfs_sync.yaml": "read by the ZFS Sync app (upstream Python code, not packaged)",
};

const services = allServicesWithFiles();
const checkedBy = (s: DeployedService) =>
  Object.values(CHECKED_SERVICES).find((c) => s.stack.startsWith(`${c.system}-`) && s.id === c.id)?.program;
const isSecretValue = (content: string) => /^\$\{var\.[A-Za-z0-9_]+\}$/.test(content);

test.each(ENVIRONMENT_NAMES)(
  "%s: every deployed file is checked by its program, is a secret's value, or is listed as not checked here",
  (env) => {
    const unaccounted = services
      .filter((s) => s.env === env)
      .flatMap((s) => s.files.map((f) => ({ s, f })))
      .filter(({ s, f }) => !checkedBy(s) && !isSecretValue(f.content) && !(f.path in NOT_CHECKED_HERE))
      .map(({ s, f }) => `${s.stack} ${s.id} ${f.path}`);
    expect(unaccounted).toEqual([]);
  },
);

test("every file listed as not checked here is still deployed somewhere", () => {
  const deployed = new Set(services.flatMap((s) => s.files.map((f) => f.path)));
  expect(Object.keys(NOT_CHECKED_HERE).filter((path) => !deployed.has(path))).toEqual([]);
});
