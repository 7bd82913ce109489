import { Construct } from "./cdk";
import type { Condition } from "./condition";
import { Network as DockerNetwork } from "./docker";
import { labelBlocks } from "./labels";
import { deploymentTargetOf } from "./target";
import { ProblemCollector, readableLogicalId } from "./validation";

export interface NetworkProps {
  /** Docker network name. */
  readonly name: string;
  /**
   * An internal network has no route to the outside world, and ports published by a container that is
   * only on internal networks are not reachable from the host.
   * @default true - services talk to each other only; attach a non-internal network where egress or a published port is needed
   */
  readonly internal?: boolean;
  /** @default - no extra labels */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The network exists only while this holds (`count`); give the services on it the same condition.
   * @default - always
   */
  readonly enabledWhen?: Condition;
}

/**
 * A user-defined network; services reach each other on it by name and alias. A bridge on the
 * containers target; on the swarm target an overlay spanning the nodes, attachable (one-shot jobs run
 * as containers on the data node and join it) and encrypted when the swarm settings say so.
 */
export class Network extends Construct {
  readonly resource: DockerNetwork;
  readonly name: string;
  readonly internal: boolean;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const problems = new ProblemCollector();
    problems.check(
      /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(props.name),
      "name",
      props.name,
      "a Docker network name: letters, digits, '_', '.', '-', at most 63 characters",
    );
    problems.throwIfAny(this);

    this.name = props.name;
    this.internal = props.internal ?? true;
    const target = deploymentTargetOf(this);
    const swarm = target.kind === "swarm";
    this.resource = new DockerNetwork(this, "Resource", {
      name: props.name,
      driver: swarm ? "overlay" : "bridge",
      attachable: swarm ? true : undefined,
      options: swarm && target.encryptOverlay ? { encrypted: "" } : undefined,
      internal: this.internal,
      labels: labelBlocks(props.labels ?? {}),
      count: props.enabledWhen?.count,
    });
    this.resource.overrideLogicalId(readableLogicalId(this));
  }
}
