import { readFileSync } from "fs";
import { join } from "path";
import { ALLOWED_CAPABILITY_ADDITIONS, normalizeCapability } from "../../../policy/facts";
import { Inspect, inspect, mustInspect } from "./docker-engine";
import { say } from "./log";
import { StackUnderTest } from "./stacks";

/**
 * The policy packs' container rules, checked on what the engine actually runs (`docker inspect`)
 * instead of on the synthesized configuration. A rule suppressed for the container in the stack's
 * policy report (`cdktf.out/stacks/<stack>/policy-report.json`) is skipped, as at synth time.
 */
export function runtimePolicyFindings(
  i: Inspect,
  suppressed: ReadonlySet<string>,
  declaredPublicHostPorts: ReadonlySet<string> = new Set(),
): string[] {
  const h = i.HostConfig;
  const findings: string[] = [];
  const check = (rule: string, ok: boolean, what: string) => {
    if (!ok && !suppressed.has(rule)) findings.push(`${rule}: ${what}`);
  };
  const user = (i.Config.User ?? "").split(":")[0];
  check("ContainerNotPrivileged", h.Privileged === false, "privileged");
  check(
    "ContainerCapabilitiesDropped",
    (h.CapDrop ?? []).some((c) => c.toUpperCase() === "ALL"),
    `CapDrop ${JSON.stringify(h.CapDrop)}`,
  );
  // What docker-bench-security's capability check reads: CapAdd as the engine stores it.
  const extraCaps = (h.CapAdd ?? []).filter((c) => !ALLOWED_CAPABILITY_ADDITIONS.includes(normalizeCapability(c)));
  check("ContainerCapabilitiesDropped", extraCaps.length === 0, `CapAdd ${JSON.stringify(extraCaps)} outside the allow list`);
  check(
    "ContainerNoNewPrivileges",
    (h.SecurityOpt ?? []).some((o) => /^no-new-privileges(:true|=true)?$/.test(o)),
    `SecurityOpt ${JSON.stringify(h.SecurityOpt)}`,
  );
  check("ContainerRunsAsNonRoot", user !== "" && user !== "0" && user !== "root", `User ${JSON.stringify(i.Config.User)}`);
  check("ContainerReadOnlyRootFilesystem", h.ReadonlyRootfs === true, "root filesystem writable");
  check("ContainerMemoryLimited", h.Memory > 0, `Memory ${h.Memory}`);
  check(
    "ContainerCpuLimited",
    h.NanoCpus > 0 || (h.CpuQuota > 0 && h.CpuPeriod > 0),
    `NanoCpus ${h.NanoCpus}, CpuQuota ${h.CpuQuota} / CpuPeriod ${h.CpuPeriod}`,
  );
  check(
    "ContainerHealthCheckDefined",
    (i.Config.Healthcheck?.Test ?? []).length > 0 && i.Config.Healthcheck?.Test[0] !== "NONE",
    "no health check",
  );
  check(
    "ContainerRestartPolicyBounded",
    h.RestartPolicy.Name === "unless-stopped" ||
      (h.RestartPolicy.Name === "on-failure" && h.RestartPolicy.MaximumRetryCount >= 1 && h.RestartPolicy.MaximumRetryCount <= 5),
    `RestartPolicy ${JSON.stringify(h.RestartPolicy)}`,
  );
  check(
    "ContainerLogRotationConfigured",
    h.LogConfig.Type === "json-file" && !!h.LogConfig.Config["max-size"] && !!h.LogConfig.Config["max-file"],
    `LogConfig ${JSON.stringify(h.LogConfig)}`,
  );
  check("ContainerNotOnHostNetwork", h.NetworkMode !== "host", "host network");
  check("ContainerHostPidNamespaceNotShared", h.PidMode !== "host", "host PID namespace");
  check("ContainerHostIpcNamespaceNotShared", h.IpcMode !== "host", "host IPC namespace");
  check(
    "ContainerDockerSocketNotMounted",
    !i.Mounts.some((m) => /docker\.sock$/.test(m.Source) || /docker\.sock$/.test(m.Destination)),
    "Docker socket mounted",
  );
  // A port the configuration declares public (e.g. Zebra's P2P port) may bind every interface.
  const exposed = Object.entries(h.PortBindings ?? {}).flatMap(([port, bs]) =>
    (bs ?? [])
      .filter((b) => b.HostIp !== "127.0.0.1" && !declaredPublicHostPorts.has(b.HostPort))
      .map((b) => `${b.HostIp || "0.0.0.0"}:${b.HostPort}->${port}`),
  );
  check("ContainerHostPortsBoundToLoopback", exposed.length === 0, `ports ${exposed.join(", ")}`);
  const literalSecrets = (i.Config.Env ?? [])
    .map((e) => e.slice(0, e.indexOf("=")))
    .filter((name) => /(PASSWORD|SECRET|TOKEN|KEY)/i.test(name) && !/_FILE$/i.test(name) && !/^(PATH|GPG_KEY)$/.test(name));
  check("ContainerEnvironmentHasNoLiteralSecrets", literalSecrets.length === 0, `credential-like env ${literalSecrets.join(", ")}`);
  return findings;
}

/** Rule ids suppressed for each construct path, from the stack's policy report. */
export function suppressionsByPath(outDir: string, stack: string): Map<string, Set<string>> {
  const report = JSON.parse(readFileSync(join(outDir, "stacks", stack, "policy-report.json"), "utf8"));
  const byPath = new Map<string, Set<string>>();
  for (const s of report.suppressed ?? []) {
    const rules = byPath.get(s.path) ?? new Set<string>();
    rules.add(s.rule);
    byPath.set(s.path, rules);
  }
  return byPath;
}

/**
 * Every running long-running container of the stack (not one-shot jobs, not never-started files
 * loaders) passes the container rules as `docker inspect` reports them, minus its suppressions.
 */
export async function assertRuntimePolicy(s: StackUnderTest): Promise<void> {
  const suppressed = suppressionsByPath(s.config.outDir, s.name);
  // A container gated by `count` (the backup runner without backup_repository) is checked where it exists.
  const longRunning = Object.values(s.json.resource.docker_container).filter((c) => c.start !== false && c.must_run !== false);
  const running: typeof longRunning = [];
  for (const c of longRunning) if (c.count === undefined || (await inspect(c.name)) !== undefined) running.push(c);
  if (running.length === 0) throw new Error(`${s.name}: no long-running container to check`);
  const findings: string[] = [];
  for (const c of running) {
    const rules = suppressed.get(c["//"]?.metadata?.path) ?? new Set<string>();
    const declaredPublic = new Set<string>((c.ports ?? []).filter((p) => p.ip === "0.0.0.0").map((p) => String(p.external)));
    for (const f of runtimePolicyFindings(await mustInspect(c.name), rules, declaredPublic)) findings.push(`${c.name} ${f}`);
  }
  say(`${s.name}: ${running.length} running containers checked against the policy packs' container rules with docker inspect`);
  if (findings.length > 0) throw new Error(`${s.name}: running containers break policy rules:\n  ${findings.join("\n  ")}`);
}
