import { IConstruct, TerraformStack, TerraformVariable } from "../../lib/cdk";
import { Image } from "../../lib/docker";
import { isPinnedImageReference } from "../../lib/image-reference";
import { isUnresolved, resolved } from "../facts";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from "../rule";

/** The variable a `${var.<name>}` expression reads, if the stack declares it. */
function variableNamed(node: IConstruct, name: string): TerraformVariable | undefined {
  return TerraformStack.of(node)
    .node.findAll()
    .find((n): n is TerraformVariable => n instanceof TerraformVariable && n.friendlyUniqueId === name);
}

/** Images are pinned by a tag other than `latest` or by digest. */
export const ImageReferencePinned: PolicyRule = {
  id: "ImageReferencePinned",
  levels: { baseline: "warning", production: "error" },
  description: "Images are pinned: a tag other than `latest`, or an `@sha256:` digest. An image read from a `${var.x}` variable is checked through the variable's default.",
  why: "An untagged or `latest` reference deploys whatever the registry serves that day: plans cannot show the change, and a rebuild or rollback is not reproducible. Digests are the strongest pin; tags can be moved by the publisher.",
  fix: "Pin the reference in the environment settings (`repo:1.2.3` or `repo@sha256:…`). Deploy-time overrides through `<name>_image` variables are validated by the variable itself in environments that require pinned images.",
  reference: 'Provider pitfall: tags that move without a plan change (kreuzwerker/docker #172); CIS Docker Benchmark, Container Images and Build File: "Ensure that containers use only trusted base images"',
  check: (node) => {
    if (!(node instanceof Image)) return NOT_APPLICABLE;
    const name = node.nameInput;
    if (name === undefined) return nonCompliant("name is not set");
    if (!isUnresolved(name)) return isPinnedImageReference(name) ? COMPLIANT : nonCompliant(`${JSON.stringify(name)} is not pinned`);
    const expression = resolved(node, name);
    const varName = typeof expression === "string" ? /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(expression)?.[1] : undefined;
    if (varName === undefined) throw new Error(`name is the Terraform expression ${JSON.stringify(expression)}, which cannot be checked at synth time`);
    const variable = variableNamed(node, varName);
    const fallback = variable?.default;
    if (typeof fallback !== "string") return nonCompliant(`the reference comes from var.${varName}, which has no default reference to check`);
    return isPinnedImageReference(fallback) ? COMPLIANT : nonCompliant(`var.${varName} defaults to ${JSON.stringify(fallback)}, which is not pinned`);
  },
};
