import * as fs from "fs";
import { App, Testing, TerraformResource, TerraformStack, TerraformVariable } from "../../lib/cdk";
import { Container, ContainerConfig, DockerProvider, SwarmService, SwarmServiceConfig } from "../../lib/docker";
import { ContainerImage, Network } from "../../lib";
import { SwarmTarget, setDeploymentTarget } from "../../lib/target";
import {
  Finding,
  PolicyReport,
  PolicyRule,
  Subject,
  SuppressedFinding,
  TerraformJson,
  applyPolicyPack,
  checkPolicies,
  subjectsOfConfig,
  synthesizedFile,
} from "../../policy";

/** A container config every rule accepts; a non-compliance case changes one thing. */
export const COMPLIANT_CONTAINER: Omit<ContainerConfig, "image" | "name"> = {
  user: "1000:1000",
  readOnly: true,
  privileged: false,
  capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
  securityOpts: ["no-new-privileges:true"],
  memory: 256,
  cpus: "0.5",
  cpuShares: 512,
  ulimit: [{ name: "nproc", soft: 512, hard: 512 }],
  healthcheck: { test: ["CMD", "true"], interval: "10s" },
  restart: "unless-stopped",
  logDriver: "json-file",
  logOpts: { "max-size": "10m", "max-file": "3" },
  networkMode: "bridge",
  ports: [{ internal: 8080, external: 18080, ip: "127.0.0.1" }],
  env: ["LOG_LEVEL=info"],
};

export interface Scratch {
  readonly stack: TerraformStack;
  readonly image: ContainerImage;
  readonly network: Network;
}

/** The swarm target the scratch stacks use (as the staging settings declare it). */
export const SWARM: SwarmTarget = { kind: "swarm", endpointMode: "dnsrr", encryptOverlay: false, dataNodeLabel: "z3-infra.data" };

/**
 * A bare stack with one pinned image and one non-internal network, on the containers target or (with
 * `target`) on a swarm: a `Service` then renders a `docker_service`, except one-shot services.
 */
export function scratch(target?: SwarmTarget): Scratch {
  const stack = new TerraformStack(Testing.app(), "policy-test");
  // The target must be declared before the stack has children.
  if (target) setDeploymentTarget(stack, target);
  // cdktf's synthesis (the packs judge what it writes) wants the provider the resources use.
  new DockerProvider(stack, "docker", {});
  const image = new ContainerImage(stack, "Image", { reference: "example/app:1.0" });
  const network = new Network(stack, "Net", { name: "policy-net", internal: false });
  return { stack, image, network };
}

/** A raw docker_container (no L2), compliant unless `overrides` say otherwise. */
export function rawContainer(s: Scratch, overrides: Partial<ContainerConfig> = {}, id = "Raw"): Container {
  return new Container(s.stack, id, { name: "raw", image: s.image.imageId, ...COMPLIANT_CONTAINER, ...overrides });
}

/** A stack on the swarm target (`scratch(SWARM)`). */
export function swarmScratch(): Scratch {
  return scratch(SWARM);
}

type TaskSpec = SwarmServiceConfig["taskSpec"];
type ContainerSpec = TaskSpec["containerSpec"];

/** A swarm service's container spec every rule accepts (except the gaps, which are suppressed). */
export const COMPLIANT_SWARM_CONTAINER_SPEC: Omit<ContainerSpec, "image"> = {
  user: "1000:1000",
  readOnly: true,
  capDrop: ["ALL"],
  capAdd: ["CAP_NET_BIND_SERVICE"],
  healthcheck: { test: ["CMD", "true"], interval: "10s" },
  env: { LOG_LEVEL: "info" },
};

/** The rest of a compliant task spec: limits, restart policy, rotated logs. */
export const COMPLIANT_SWARM_TASK: Omit<TaskSpec, "containerSpec" | "networksAdvanced"> = {
  resources: { limits: { memoryBytes: 256 * 1024 * 1024, nanoCpus: 500_000_000 } },
  restartPolicy: { condition: "any", delay: "5s" },
  logDriver: { name: "json-file", options: { "max-size": "10m", "max-file": "3" } },
};

/** What a raw swarm service changes from the compliant one. */
export interface SwarmOverrides {
  readonly containerSpec?: Partial<ContainerSpec>;
  readonly task?: Partial<Omit<TaskSpec, "containerSpec">>;
  readonly service?: Partial<Omit<SwarmServiceConfig, "taskSpec" | "name">>;
}

/** A raw docker_service (no L2) on the scratch network, compliant unless `overrides` say otherwise. */
export function rawSwarmService(s: Scratch, overrides: SwarmOverrides = {}, id = "RawService"): SwarmService {
  return new SwarmService(s.stack, id, {
    name: "raw-service",
    taskSpec: {
      containerSpec: { image: s.image.swarmReference, ...COMPLIANT_SWARM_CONTAINER_SPEC, ...overrides.containerSpec },
      networksAdvanced: [{ name: s.network.resource.id }],
      ...COMPLIANT_SWARM_TASK,
      ...overrides.task,
    },
    ...overrides.service,
  });
}

/** A variable declared the way `SystemStack.imageVariable` does, with the given default. */
export function imageVariable(s: Scratch, name: string, defaultReference?: string): string {
  return new TerraformVariable(s.stack, `${name}_image`, { type: "string", default: defaultReference }).stringValue;
}

/** Runs one rule through the production pack over a stack (findings, suppressions, and the report with its `checked` counts). */
export function runRule(
  stack: TerraformStack,
  rule: PolicyRule,
): { findings: Finding[]; suppressed: SuppressedFinding[]; report: PolicyReport } {
  applyPolicyPack(stack, "production", [rule]);
  const [report] = checkPolicies([stack]);
  return { findings: [...report.findings], suppressed: [...report.suppressed], report };
}

/** A resource as the rules see it: synthesizes its stack and returns its subject in the written JSON. */
export function subjectOf(resource: TerraformResource): Subject {
  const stack = TerraformStack.of(resource);
  App.of(stack).synth();
  const config = JSON.parse(fs.readFileSync(synthesizedFile(stack), "utf8")) as TerraformJson;
  const subject = subjectsOfConfig(config, stack).find((x) => x.construct === resource);
  if (!subject) throw new Error(`${resource.node.path} is not in the synthesized JSON`);
  return subject;
}
