import { Construct } from "./cdk";
import { Network as DockerNetwork } from "./docker";
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
}

/** A user-defined bridge network; services reach each other on it by name and alias. */
export class Network extends Construct {
  readonly resource: DockerNetwork;
  readonly name: string;
  readonly internal: boolean;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const problems = new ProblemCollector();
    problems.check(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(props.name), "name", props.name, "a Docker network name: letters, digits, '_', '.', '-', at most 63 characters");
    problems.throwIfAny(this);

    this.name = props.name;
    this.internal = props.internal ?? true;
    this.resource = new DockerNetwork(this, "Resource", {
      name: props.name,
      driver: "bridge",
      internal: this.internal,
      labels: Object.entries(props.labels ?? {}).map(([label, value]) => ({ label, value })),
    });
    this.resource.overrideLogicalId(readableLogicalId(this));
  }
}
