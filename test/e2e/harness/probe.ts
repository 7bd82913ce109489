import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { DOCKER_HOST, E2eConfig } from "./env";
import { dockerOk } from "./docker-engine";
import { Change, PlanResult, Terraform } from "./terraform";

/** The bootstrap's busybox image: every probe container runs it, referenced by id. */
export const PROBE_IMAGE = "z3-infra/busybox-test:local";
/** Every Docker name a probe makes starts with this; the file's clean-up removes them all. */
export const PROBE_PREFIX = "z3-probe-";

export type Resources = Record<string, Record<string, Record<string, unknown>>>;

/**
 * A hand-written Terraform configuration with one or two resources, applied to the local engine to
 * show one behaviour of the provider that a construct of `lib/` depends on. It is not a stack: the
 * point is to change exactly one attribute and see what the provider plans and what Docker gets.
 */
export class Probe {
  readonly tf: Terraform;
  private readonly dir: string;

  constructor(
    readonly name: string,
    config: E2eConfig,
  ) {
    const stack = `probe-${name}`;
    this.tf = new Terraform(stack, config, { vars: {}, secrets: {}, pgBackend: false });
    this.dir = this.tf.dir;
    mkdirSync(this.dir, { recursive: true });
  }

  /** Writes the configuration: the provider, `required_providers` as the stacks have it, and `resource`. */
  write(resource: Resources): void {
    const json = {
      terraform: { required_providers: { docker: { source: "kreuzwerker/docker", version: "~> 4.6.0" } } },
      provider: { docker: [{ host: DOCKER_HOST }] },
      resource,
    };
    writeFileSync(join(this.dir, "cdk.tf.json"), JSON.stringify(json, null, 2));
  }

  async init(): Promise<void> {
    await this.tf.init();
  }

  async plan(): Promise<PlanResult> {
    const p = await this.tf.plan();
    if (p.code !== 0 && p.code !== 2) throw new Error(`${this.name}: terraform plan failed:\n${p.text}`);
    return p;
  }

  /** The planned actions per address, e.g. `{ "docker_container.c": "delete+create" }`. */
  async planned(): Promise<Record<string, string>> {
    return actions((await this.plan()).changes);
  }

  async destroy(): Promise<void> {
    await this.tf.destroy();
  }
}

export function actions(changes: readonly Change[]): Record<string, string> {
  return Object.fromEntries(changes.map((c) => [c.address, c.actions.join("+")]));
}

/** The id of the probe image (`docker_container.image` takes an id: see the image probe). */
export async function probeImageId(): Promise<string> {
  return (await dockerOk(["image", "inspect", "-f", "{{.Id}}", PROBE_IMAGE])).trim();
}

/** A long-running probe container with the settings every `Service` has, plus `extra`. */
export function probeContainer(name: string, image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `${PROBE_PREFIX}${name}`,
    image,
    command: ["sleep", "3600"],
    must_run: true,
    log_driver: "json-file",
    log_opts: { "max-size": "1m", "max-file": "1" },
    capabilities: { drop: ["ALL"], add: [] },
    ...extra,
  };
}
