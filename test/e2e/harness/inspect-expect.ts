import { Inspect } from "./docker-engine";

import type { DockerContainer } from "../../tf-json";

/** A docker_container block of cdk.tf.json (snake_case, as synthesized). */
export type ContainerJson = DockerContainer;

const sorted = (a: readonly string[]) => [...a].sort();
const entries = (o: Record<string, string> | null | undefined) => Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b));

/**
 * Every difference between what the synthesized configuration declares and what Docker reports
 * for the running container (empty: the engine runs exactly what the JSON says). `resolve` replaces
 * `${var.x}` references with the values the suite passed.
 */
export function configMismatches(c: ContainerJson, i: Inspect, resolve: (s: string) => string): string[] {
  const m: string[] = [];
  const eq = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want))
      m.push(`${what}: docker has ${JSON.stringify(got)}, configuration says ${JSON.stringify(want)}`);
  };
  if (c.user !== undefined) eq("user", i.Config.User, c.user);
  eq("read_only (root filesystem)", i.HostConfig.ReadonlyRootfs, c.read_only ?? false);
  eq("capabilities.drop", sorted(i.HostConfig.CapDrop ?? []), sorted(c.capabilities?.drop ?? []));
  eq("capabilities.add", sorted(i.HostConfig.CapAdd ?? []), sorted(c.capabilities?.add ?? []));
  eq("security_opts", sorted(i.HostConfig.SecurityOpt ?? []), sorted(c.security_opts ?? []));
  eq("privileged", i.HostConfig.Privileged, false);
  eq("restart", i.HostConfig.RestartPolicy.Name, c.restart ?? "no");
  eq("log_driver", i.HostConfig.LogConfig.Type, c.log_driver);
  eq("log_opts", entries(i.HostConfig.LogConfig.Config), entries(c.log_opts));
  eq("tmpfs", entries(i.HostConfig.Tmpfs), entries(c.tmpfs));
  if (c.memory !== undefined) eq("memory (bytes)", i.HostConfig.Memory, c.memory * 1024 * 1024);
  if (c.memory_swap !== undefined) eq("memory_swap (bytes)", i.HostConfig.MemorySwap, c.memory_swap * 1024 * 1024);
  if (c.cpu_quota !== undefined) eq("cpu_quota", i.HostConfig.CpuQuota, c.cpu_quota);
  if (c.cpu_period !== undefined) eq("cpu_period", i.HostConfig.CpuPeriod, c.cpu_period);
  if (c.cpu_shares !== undefined) eq("cpu_shares", i.HostConfig.CpuShares, c.cpu_shares);
  if (c.command !== undefined) eq("command", i.Config.Cmd, c.command.map(resolve));
  if (c.entrypoint !== undefined) eq("entrypoint", i.Config.Entrypoint, c.entrypoint.map(resolve));
  if (c.working_dir !== undefined) eq("working_dir", i.Config.WorkingDir, c.working_dir);
  if (c.stop_timeout !== undefined) eq("stop_timeout", i.Config.StopTimeout, c.stop_timeout);
  if (c.healthcheck) eq("healthcheck.test", i.Config.Healthcheck?.Test, c.healthcheck.test.map(resolve));

  // Published ports: exactly the declared bindings, on the declared address.
  const wantPorts: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of c.ports ?? [])
    wantPorts[`${p.internal}/${p.protocol ?? "tcp"}`] = [{ HostIp: p.ip ?? "0.0.0.0", HostPort: String(p.external) }];
  eq("ports", Object.entries(i.HostConfig.PortBindings ?? {}).sort(), Object.entries(wantPorts).sort());

  // Mounts: each declared volume or bind at its path with its mode, and nothing else.
  const declared = (c.volumes ?? []) as { volume_name?: string; host_path?: string; container_path: string; read_only?: boolean }[];
  for (const v of declared) {
    const mount = i.Mounts.find((x) => x.Destination === v.container_path);
    if (!mount) {
      m.push(`volume at ${v.container_path}: not mounted`);
      continue;
    }
    if (v.volume_name !== undefined) {
      eq(`mount ${v.container_path} type`, mount.Type, "volume");
      eq(`mount ${v.container_path} volume`, mount.Name, v.volume_name);
    } else {
      eq(`mount ${v.container_path} type`, mount.Type, "bind");
      eq(`mount ${v.container_path} source`, mount.Source, resolve(v.host_path ?? ""));
    }
    eq(`mount ${v.container_path} read-write`, mount.RW, !(v.read_only ?? false));
  }
  eq("mount points", sorted(i.Mounts.map((x) => x.Destination)), sorted(declared.map((v) => v.container_path)));

  // Networks and aliases; the container is on no other network (not even the default bridge).
  const nets = (c.networks_advanced ?? []) as { name: string; aliases?: string[] }[];
  if (nets.length > 0 || c.network_mode === "none") {
    eq("networks", sorted(Object.keys(i.NetworkSettings.Networks)), c.network_mode === "none" ? ["none"] : sorted(nets.map((n) => n.name)));
  }
  for (const n of nets) {
    const got = i.NetworkSettings.Networks[n.name]?.Aliases ?? [];
    const missing = (n.aliases ?? []).filter((a) => !got.includes(a));
    if (missing.length > 0) m.push(`network ${n.name}: aliases ${JSON.stringify(missing)} missing (docker has ${JSON.stringify(got)})`);
  }

  const env = new Set(i.Config.Env ?? []);
  for (const e of (c.env ?? []) as string[]) if (!env.has(resolve(e))) m.push(`env ${e.slice(0, e.indexOf("="))}: missing or different`);
  const labels = i.Config.Labels ?? {};
  for (const l of (c.labels ?? []) as { label: string; value: string }[]) eq(`label ${l.label}`, labels[l.label], l.value);
  return m;
}
