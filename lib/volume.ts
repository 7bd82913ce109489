import { Construct } from "./cdk";
import type { Condition } from "./condition";
import { Volume as DockerVolume } from "./docker";
import { labelBlocks } from "./labels";
import { deploymentTargetOf } from "./target";
import { ProblemCollector, readableLogicalId } from "./validation";

export interface VolumeProps {
  /** Docker volume name. */
  readonly name: string;
  /**
   * Holds data that cannot be recreated (chain state, wallet, database). Stateful volumes carry
   * the `stateful` label that plan summaries and policy rules read.
   * @default false
   */
  readonly stateful?: boolean;
  /**
   * Adds Terraform's `prevent_destroy`, so a plan that would delete the volume (or replace it) fails.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /** @default - no extra labels */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Scratch data each node may hold its own copy of (logs, caches): on the swarm target every task
   * gets an anonymous volume, removed with the task, and Terraform manages no volume.
   * @default false - one volume, on the data node on the swarm target
   */
  readonly perNode?: boolean;
  /**
   * The volume exists only while this holds (`count`); give the services that mount it the same
   * condition. Not for a stateful volume: a condition turning false would delete its data.
   * @default - always
   */
  readonly enabledWhen?: Condition;
}

export interface MountOptions {
  /** @default false */
  readonly readOnly?: boolean;
}

/** A named volume mounted at a path: what a service receives from `volume.mount(...)`. */
export interface VolumeMount {
  readonly volume: Volume;
  readonly containerPath: string;
  readonly readOnly: boolean;
}

/**
 * A named Docker volume. Its Terraform address is derived from its construct path, so it stays the
 * same across container replacements; a test pins the addresses of every stateful volume.
 */
export class Volume extends Construct {
  /** The `docker_volume`; none for a per-node volume on the swarm target. */
  readonly resource?: DockerVolume;
  readonly perNode: boolean;
  readonly name: string;
  readonly stateful: boolean;
  readonly preventDestroy: boolean;

  constructor(scope: Construct, id: string, props: VolumeProps) {
    super(scope, id);
    const problems = new ProblemCollector();
    problems.check(
      /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(props.name),
      "name",
      props.name,
      "a Docker volume name: letters, digits, '_', '.', '-'",
    );
    problems.check(
      !(props.perNode && (props.stateful || props.preventDestroy)),
      "perNode",
      props.perNode,
      "false for a stateful or protected volume (its data must live in one place)",
    );
    problems.check(
      !(props.enabledWhen !== undefined && (props.stateful || props.preventDestroy)),
      "enabledWhen",
      props.enabledWhen,
      "unset for a stateful or protected volume (a condition turning false would delete its data)",
    );
    problems.throwIfAny(this);

    this.name = props.name;
    this.stateful = props.stateful ?? false;
    this.preventDestroy = props.preventDestroy ?? false;
    this.perNode = props.perNode ?? false;
    if (this.perNode && deploymentTargetOf(this).kind === "swarm") return;
    const labels = { ...(props.labels ?? {}), ...(this.stateful ? { stateful: "true" } : {}) };
    const resource = new DockerVolume(this, "Resource", {
      name: props.name,
      driver: "local",
      labels: labelBlocks(labels),
      lifecycle: this.preventDestroy ? { preventDestroy: true } : undefined,
      count: props.enabledWhen?.count,
    });
    resource.overrideLogicalId(readableLogicalId(this));
    this.resource = resource;
  }

  /** Binds this volume to a path; pass the result in a service's `volumes`. */
  mount(containerPath: string, options: MountOptions = {}): VolumeMount {
    return { volume: this, containerPath, readOnly: options.readOnly ?? false };
  }
}
