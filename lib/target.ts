import { IConstruct } from "./cdk";

/** Where a stack's services run: plain containers on one Docker host, or services on a Docker Swarm. */
export type DeploymentTarget = ContainersTarget | SwarmTarget;

/** Today's single-host model: one `docker_container` per service. */
export interface ContainersTarget {
  readonly kind: "containers";
}

/** A Docker Swarm: one `docker_service` per long-running service, secrets and configs as swarm objects. */
export interface SwarmTarget {
  readonly kind: "swarm";
  /**
   * `vip`: a virtual IP per service and the ingress routing mesh (needs IPVS in every node's kernel).
   * `dnsrr`: DNS round robin over the tasks, ports published in host mode on the nodes that run a task.
   */
  readonly endpointMode: "vip" | "dnsrr";
  /** IPsec encryption of overlay traffic between nodes (the overlay driver's `encrypted` option). */
  readonly encryptOverlay: boolean;
  /**
   * Node label key (`node.labels.<key> == true`) of the data node: services that mount a node-local
   * volume run there. It is the node `docker_host` points at, where Terraform creates the volumes.
   */
  readonly dataNodeLabel: string;
}

export const CONTAINERS: ContainersTarget = { kind: "containers" };

const CONTEXT_KEY = "z3-infra:deployment-target";

/**
 * Declares the target of everything below `scope`. Called by a stack before it adds any child (node
 * context cannot change once children exist), so every `Service` and `Network` of the stack renders
 * for the same target.
 */
export function setDeploymentTarget(scope: IConstruct, target: DeploymentTarget): void {
  scope.node.setContext(CONTEXT_KEY, target);
}

/** The target declared by the nearest scope above, or plain containers. */
export function deploymentTargetOf(scope: IConstruct): DeploymentTarget {
  return (scope.node.tryGetContext(CONTEXT_KEY) as DeploymentTarget | undefined) ?? CONTAINERS;
}
