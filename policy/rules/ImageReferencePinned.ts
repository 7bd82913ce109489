import { isPinnedImageReference } from "../../lib/image-reference";
import { Subject, isExpression, notCheckable } from "../subject";
import { workloadOf } from "../workload";
import { COMPLIANT, NOT_APPLICABLE, PolicyRule, RuleResult, nonCompliant } from "../rule";

/** A pinned reference, or an image id (`sha256:…`, content-addressed). */
function pinned(reference: string): boolean {
  return isPinnedImageReference(reference) || /^sha256:[a-f0-9]{64}$/.test(reference);
}

/** Judges a reference as Terraform sees it: a literal, or a `${var.x}` through the variable's default. */
function judge(subject: Subject, expression: string): RuleResult {
  if (!isExpression(expression)) return pinned(expression) ? COMPLIANT : nonCompliant(`${JSON.stringify(expression)} is not pinned`);
  const varName = /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(expression)?.[1];
  if (varName === undefined) throw notCheckable(`the reference ${JSON.stringify(expression)}`, subject.source);
  const fallback = subject.config.variable?.[varName]?.default;
  if (typeof fallback !== "string") return nonCompliant(`the reference comes from var.${varName}, which has no default reference to check`);
  return pinned(fallback) ? COMPLIANT : nonCompliant(`var.${varName} defaults to ${JSON.stringify(fallback)}, which is not pinned`);
}

/** A container's or swarm service's reference to a `docker_image` of this configuration, judged on that image. */
const IMAGE_RESOURCE_REFERENCE = /\$\{[^}]*\bdocker_image\.[A-Za-z0-9_-]+(\[[^\]]*\])?\./;

/** Images are pinned by a tag other than `latest` or by digest. */
export const ImageReferencePinned: PolicyRule = {
  id: "ImageReferencePinned",
  levels: { baseline: "warning", production: "error" },
  description:
    "Images are pinned: a tag other than `latest`, or an `@sha256:` digest, on every `docker_image` and on every container or swarm service that names its image itself instead of referencing a `docker_image`. An image read from a `${var.x}` variable is checked through the variable's default.",
  why: "An untagged or `latest` reference deploys whatever the registry serves that day: plans cannot show the change, and a rebuild or rollback is not reproducible. Digests are the strongest pin; tags can be moved by the publisher.",
  fix: "Pin the reference in the environment settings (`repo:1.2.3` or `repo@sha256:…`). Deploy-time overrides through `<name>_image` variables are validated by the variable itself in environments that require pinned images.",
  reference:
    'Provider pitfall: tags that move without a plan change (kreuzwerker/docker #172); CIS Docker Benchmark, Container Images and Build File: "Ensure that containers use only trusted base images"',
  swarm: {
    coverage: "checked",
    text: "`task_spec.container_spec.image` when it is a literal or a variable; the `Service` L2 references its `docker_image` (by digest when the registry reports one), which is checked itself.",
  },
  check: (subject) => {
    if (subject.type === "docker_image") {
      const name = subject.attrs.name;
      if (name === undefined || name === null || name === "") return nonCompliant("name is not set");
      return judge(subject, String(name));
    }
    const workload = workloadOf(subject);
    if (!workload) return NOT_APPLICABLE;
    const image = workload.image();
    return IMAGE_RESOURCE_REFERENCE.test(image) ? NOT_APPLICABLE : judge(subject, image);
  },
};
