import { runtimePolicyFindings } from "./e2e/harness/runtime-policy";
import { Inspect } from "./e2e/harness/docker-engine";

/** The real-engine policy check itself: a compliant inspect passes, each violation is named. */
const compliant = (): Inspect =>
  ({
    Config: { User: "1000:1000", Env: ["PATH=/bin", "API_KEY_FILE=/run/secrets/api_key"], Healthcheck: { Test: ["CMD", "true"] } },
    HostConfig: {
      Privileged: false,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      ReadonlyRootfs: true,
      Memory: 64 * 1024 * 1024,
      NanoCpus: 500000000,
      CpuQuota: 0,
      CpuPeriod: 0,
      RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
      NetworkMode: "bridge",
      PortBindings: { "3000/tcp": [{ HostIp: "127.0.0.1", HostPort: "3002" }] },
    },
    Mounts: [],
  }) as unknown as Inspect;

describe("runtimePolicyFindings (docker inspect against the Production pack's container rules)", () => {
  test("a compliant container has no findings", () => expect(runtimePolicyFindings(compliant(), new Set())).toEqual([]));
  test("capabilities added back from the allow list pass, in the engine's spelling", () => {
    const i = compliant();
    i.HostConfig.CapAdd = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"];
    expect(runtimePolicyFindings(i, new Set())).toEqual([]);
    i.HostConfig.CapAdd = ["CAP_DAC_READ_SEARCH"];
    expect(runtimePolicyFindings(i, new Set())).toEqual([
      'ContainerCapabilitiesDropped: CapAdd ["CAP_DAC_READ_SEARCH"] outside the allow list',
    ]);
  });
  test("a port the configuration declares public may bind every interface", () => {
    const i = compliant();
    i.HostConfig.PortBindings = { "18233/tcp": [{ HostIp: "0.0.0.0", HostPort: "18233" }] };
    expect(runtimePolicyFindings(i, new Set(), new Set(["18233"]))).toEqual([]);
    expect(runtimePolicyFindings(i, new Set(), new Set(["8233"]))).toEqual([
      "ContainerHostPortsBoundToLoopback: ports 0.0.0.0:18233->18233/tcp",
    ]);
  });
  test.each<[string, (i: Inspect) => void]>([
    ["ContainerNotPrivileged", (i) => (i.HostConfig.Privileged = true)],
    ["ContainerCapabilitiesDropped", (i) => (i.HostConfig.CapDrop = null)],
    // The backup runner's former capability: the default seccomp profile then allows open_by_handle_at.
    ["ContainerCapabilitiesDropped", (i) => (i.HostConfig.CapAdd = ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"])],
    ["ContainerNoNewPrivileges", (i) => (i.HostConfig.SecurityOpt = [])],
    ["ContainerRunsAsNonRoot", (i) => (i.Config.User = "")],
    ["ContainerReadOnlyRootFilesystem", (i) => (i.HostConfig.ReadonlyRootfs = false)],
    ["ContainerMemoryLimited", (i) => (i.HostConfig.Memory = 0)],
    ["ContainerCpuLimited", (i) => (i.HostConfig.NanoCpus = 0)],
    ["ContainerHealthCheckDefined", (i) => delete i.Config.Healthcheck],
    ["ContainerRestartPolicyBounded", (i) => (i.HostConfig.RestartPolicy = { Name: "always", MaximumRetryCount: 0 })],
    ["ContainerLogRotationConfigured", (i) => (i.HostConfig.LogConfig = { Type: "json-file", Config: {} })],
    ["ContainerNotOnHostNetwork", (i) => (i.HostConfig.NetworkMode = "host")],
    ["ContainerHostPidNamespaceNotShared", (i) => (i.HostConfig.PidMode = "host")],
    ["ContainerHostIpcNamespaceNotShared", (i) => (i.HostConfig.IpcMode = "host")],
    [
      "ContainerDockerSocketNotMounted",
      (i) => (i.Mounts = [{ Type: "bind", Source: "/var/run/docker.sock", Destination: "/var/run/docker.sock", RW: true }]),
    ],
    ["ContainerHostPortsBoundToLoopback", (i) => (i.HostConfig.PortBindings = { "3000/tcp": [{ HostIp: "", HostPort: "3002" }] })],
    ["ContainerEnvironmentHasNoLiteralSecrets", (i) => (i.Config.Env = [...(i.Config.Env ?? []), "DB_PASSWORD=hunter2"])],
  ])("%s is reported, and skipped when suppressed", (rule, breakIt) => {
    const i = compliant();
    breakIt(i);
    const findings = runtimePolicyFindings(i, new Set());
    expect(findings.map((f) => f.split(":")[0])).toEqual([rule]);
    expect(runtimePolicyFindings(i, new Set([rule]))).toEqual([]);
  });
});
