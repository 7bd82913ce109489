import { IAspect, IConstruct } from "./cdk";
import { Container, SwarmService } from "./docker";

/**
 * Standard labels (for example `environment` and `system`) on every container and swarm service of a
 * scope (the service and its tasks' containers), applied once by the stack instead of threaded
 * through every construct. A label a resource sets itself wins. Only those: a label change replaces
 * a volume, which loses its data.
 */
export class StandardLabels implements IAspect {
  constructor(private readonly labels: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (node instanceof Container) {
      node.putLabels(this.merge(node, node.labelsInput));
    } else if (node instanceof SwarmService) {
      node.putLabels(this.merge(node, node.labelsInput));
      node.taskSpec.containerSpec.putLabels(this.merge(node, node.taskSpec.containerSpec.labelsInput));
    }
  }

  private merge(node: IConstruct, own: unknown): { label: string; value: string }[] {
    if (own !== undefined && !Array.isArray(own))
      throw new Error(`${node.node.path}: labels are a Terraform expression; StandardLabels cannot merge into them`);
    const merged = new Map(Object.entries(this.labels));
    for (const l of (own ?? []) as { label: string; value: string }[]) merged.set(l.label, l.value);
    return labelBlocks(Object.fromEntries(merged));
  }
}

/** Labels as the provider's `labels` blocks, sorted by key: the one way every resource here writes them. */
export function labelBlocks(labels: Readonly<Record<string, string>>): { label: string; value: string }[] {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => ({ label, value }));
}
