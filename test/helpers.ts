import { App, Construct, TerraformStack, Testing } from "../lib/cdk";
import { ContainerImage, Network } from "../lib";

/** Synthesized Terraform JSON of one stack, parsed. */
export type TfJson = {
  resource: Record<string, Record<string, any>>;
  variable?: Record<string, any>;
  terraform: any;
  provider?: any;
  output?: Record<string, any>;
};

export function synthJson(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack));
}

/** A bare stack for L2 construct tests, with one image and one non-internal network. */
export function scratchStack(): { stack: TerraformStack; image: ContainerImage; network: Network; scope: Construct } {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "test");
  const image = new ContainerImage(stack, "Image", { reference: "example/app:1.0" });
  const network = new Network(stack, "Net", { name: "test-net", internal: false });
  return { stack, image, network, scope: stack };
}

export function container(json: TfJson, id: string): any {
  const c = json.resource.docker_container?.[id];
  if (!c) throw new Error(`no docker_container.${id}; have: ${Object.keys(json.resource.docker_container ?? {}).join(", ")}`);
  return c;
}

export function envMap(c: any): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e: string) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

export function labelMap(c: any): Record<string, string> {
  return Object.fromEntries((c.labels ?? []).map((l: any) => [l.label, l.value]));
}

/** The upload blocks of a service: carried by its never-started files loader (`<id>_files`). */
export function uploadsOf(json: TfJson, id: string): any[] {
  return json.resource.docker_container?.[`${id}_files`]?.upload ?? [];
}

/** CPU limit in cores, from the CFS quota over the 100 ms period. */
export function cpusOf(c: any): number | undefined {
  return c.cpu_quota === undefined ? undefined : c.cpu_quota / c.cpu_period;
}
