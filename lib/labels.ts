import { IAspect, IConstruct } from "./cdk";
import { Container } from "./docker";

/**
 * Standard labels (for example `environment` and `system`) on every container of a scope, applied
 * once by the stack instead of threaded through every construct. A label a container sets itself
 * wins. Only containers: a label change replaces the resource, and for a volume that loses its data.
 */
export class StandardLabels implements IAspect {
  constructor(private readonly labels: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (!(node instanceof Container)) return;
    const own = node.labelsInput;
    if (own !== undefined && !Array.isArray(own)) throw new Error(`${node.node.path}: labels are a Terraform expression; StandardLabels cannot merge into them`);
    const merged = new Map(Object.entries(this.labels));
    for (const l of own ?? []) merged.set(l.label, l.value);
    node.putLabels([...merged].sort(([a], [b]) => a.localeCompare(b)).map(([label, value]) => ({ label, value })));
  }
}
