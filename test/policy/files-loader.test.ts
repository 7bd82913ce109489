import { ALL_RULES } from "../../policy";
import { Secret, Service } from "../../lib";
import { rawContainer, runRule, scratch } from "./helpers";

const rule = (id: string) => ALL_RULES.find((r) => r.id === id)!;
const RUNTIME_RULES = [
  "ContainerReadOnlyRootFilesystem",
  "ContainerRunsAsNonRoot",
  "ContainerMemoryLimited",
  "ContainerCpuLimited",
  "ContainerCpuPrioritySet",
  "ContainerPidsLimited",
  "ContainerHealthCheckDefined",
  "ContainerRestartPolicyBounded",
  "ContainerLogRotationConfigured",
];

describe("never-started containers (a Service's files loader)", () => {
  test.each(RUNTIME_RULES)("%s does not apply to a container created with start = false", (id) => {
    const s = scratch();
    rawContainer(s, {
      start: false,
      readOnly: false,
      user: undefined,
      memory: undefined,
      cpus: undefined,
      cpuShares: undefined,
      healthcheck: undefined,
      restart: "always",
      logDriver: undefined,
      logOpts: undefined,
      ulimit: undefined,
      cgroupParent: undefined,
    });
    expect(runRule(s.stack, rule(id)).findings).toEqual([]);
  });

  test.each(RUNTIME_RULES)("%s still applies to the same container when it is started", (id) => {
    const s = scratch();
    rawContainer(s, {
      readOnly: false,
      user: undefined,
      memory: undefined,
      cpus: undefined,
      cpuShares: undefined,
      healthcheck: undefined,
      restart: "always",
      logDriver: undefined,
      logOpts: undefined,
      ulimit: undefined,
      cgroupParent: undefined,
    });
    expect(runRule(s.stack, rule(id)).findings.length).toBeGreaterThan(0);
  });

  test("configuration rules still apply: a privileged never-started container is a finding", () => {
    const s = scratch();
    rawContainer(s, { start: false, privileged: true });
    expect(runRule(s.stack, rule("ContainerNotPrivileged")).findings.map((f) => f.rule)).toEqual(["ContainerNotPrivileged"]);
  });

  test("a production Service with secret files passes every rule, loader included", () => {
    const s = scratch();
    const secret = new Secret(s.stack, "Token", { variableName: "api_token", description: "token" });
    new Service(s.stack, "App", {
      name: "app",
      image: s.image,
      user: "1000:1000",
      networks: [{ network: s.network }],
      resources: { memoryMiB: 256, cpus: 0.5 },
      healthCheck: { test: ["CMD", "true"], intervalSeconds: 10, timeoutSeconds: 3, retries: 3 },
      secretFiles: [secret.file("/run/secrets/api_token")],
    });
    const errors = ALL_RULES.filter((r) => r.levels.production === "error").flatMap((r) => runRule(s.stack, r).findings);
    expect(errors.map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });
});
