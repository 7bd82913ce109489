import { Aspects, Testing, TerraformStack, TerraformVariable } from "../../lib/cdk";
import { Container, ContainerConfig } from "../../lib/docker";
import { ContainerImage, Network } from "../../lib";
import { Finding, PolicyReport, PolicyRule, ProductionChecks, SuppressedFinding, checkPolicies } from "../../policy";

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

/** A bare stack with one pinned image and one non-internal network. */
export function scratch(): Scratch {
  const stack = new TerraformStack(Testing.app(), "policy-test");
  const image = new ContainerImage(stack, "Image", { reference: "example/app:1.0" });
  const network = new Network(stack, "Net", { name: "policy-net", internal: false });
  return { stack, image, network };
}

/** A raw docker_container (no L2), compliant unless `overrides` say otherwise. */
export function rawContainer(s: Scratch, overrides: Partial<ContainerConfig> = {}, id = "Raw"): Container {
  return new Container(s.stack, id, { name: "raw", image: s.image.imageId, ...COMPLIANT_CONTAINER, ...overrides });
}

/** A variable declared the way `SystemStack.imageVariable` does, with the given default. */
export function imageVariable(s: Scratch, name: string, defaultReference?: string): string {
  return new TerraformVariable(s.stack, `${name}_image`, { type: "string", default: defaultReference }).stringValue;
}

/** Runs one rule through the production pack over a stack. */
export function runRule(stack: TerraformStack, rule: PolicyRule): { findings: Finding[]; suppressed: SuppressedFinding[]; report: PolicyReport } {
  Aspects.of(stack).add(new ProductionChecks([rule]));
  const [report] = checkPolicies([stack]);
  return { findings: [...report.findings], suppressed: [...report.suppressed], report };
}

/** The annotations of one level on every construct of a stack, as `path: message`. */
export function annotations(stack: TerraformStack, level: "error" | "warn" | "info"): string[] {
  return stack.node
    .findAll()
    .flatMap((n) => n.node.metadata.filter((m) => m.type === `@cdktf/${level}`).map((m) => `${n.node.path}: ${m.data}`));
}
