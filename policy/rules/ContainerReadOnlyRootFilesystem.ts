import { booleanInput } from "../facts";
import { COMPLIANT, PolicyRule, cis, runtimeContainerCheck, nonCompliant } from "../rule";

/** Containers mount their root filesystem read-only. */
export const ContainerReadOnlyRootFilesystem: PolicyRule = {
  id: "ContainerReadOnlyRootFilesystem",
  levels: { baseline: "warning", production: "error" },
  description: "Containers mount their root filesystem read-only.",
  why: "A writable root filesystem lets an intruder replace binaries and hide tooling, and lets state drift into the container where a replacement silently drops it.",
  fix: "Set `read_only = true` (the `Service` default) and give the paths the process writes a volume or a tmpfs. If the image cannot run that way, suppress this rule on the service with the reason.",
  reference: cis("Ensure that the container's root filesystem is mounted as read only"),
  check: runtimeContainerCheck((c) => (booleanInput(c.readOnlyInput, "read_only") === true ? COMPLIANT : nonCompliant("read_only is not true"))),
};
