import { COMPLIANT, PolicyRule, cis, runtimeWorkloadCheck, nonCompliant } from "../rule";

/** Containers and swarm services mount their root filesystem read-only. */
export const ContainerReadOnlyRootFilesystem: PolicyRule = {
  id: "ContainerReadOnlyRootFilesystem",
  levels: { baseline: "warning", production: "error" },
  description: "Containers and swarm services mount their root filesystem read-only.",
  why: "A writable root filesystem lets an intruder replace binaries and hide tooling, and lets state drift into the container where a replacement silently drops it.",
  fix: "Set `read_only = true` (the `Service` default) and give the paths the process writes a volume or a tmpfs. If the image cannot run that way, suppress this rule on the service with the reason.",
  reference: cis("Ensure that the container's root filesystem is mounted as read only"),
  swarm: { coverage: "checked", text: "`task_spec.container_spec.read_only`." },
  check: runtimeWorkloadCheck((w) =>
    w.readOnlyRootFilesystem() === true ? COMPLIANT : nonCompliant(`${w.attributes.readOnly} is not true`),
  ),
};
