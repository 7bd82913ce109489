import { Container } from "../../lib/docker";
import { isUnresolved, serviceOf } from "../facts";
import { COMPLIANT, PolicyRule, runtimeContainerCheck, nonCompliant } from "../rule";

/** `root`, `0`, `root:…` or `0:…`: the user part decides, the group does not. */
function isRootUser(user: string): boolean {
  const name = user.split(":")[0].trim();
  return name === "0" || name === "root";
}

/** Containers run as a non-root user. */
export const ContainerRunsAsNonRoot: PolicyRule = {
  id: "ContainerRunsAsNonRoot",
  levels: { baseline: "warning", production: "error" },
  description: "Containers run as a non-root user set explicitly (`user`).",
  why: "Root in a container is root on the host's kernel: with a kernel or runtime escape, or a writable host mount, it owns the host. An unset `user` means whatever the image says, which the plan cannot show.",
  fix: "Set `user` to a numeric `uid:gid` the image supports. When the image must start as root (an entrypoint that chowns its data and drops privileges), give the `Service` a `rootReason`, which is recorded as a suppression of this rule.",
  reference: 'CIS Docker Benchmark, Container Images and Build File: "Ensure that a user for the container has been created"',
  check: runtimeContainerCheck((c) => {
    const user = c.userInput;
    if (user === undefined || user.trim() === "") return nonCompliant("user is not set (the image's user applies, which cannot be verified at synth time)");
    if (isUnresolved(user)) throw new Error("user is a Terraform expression, which cannot be checked at synth time");
    return isRootUser(user) ? nonCompliant(`user is ${JSON.stringify(user)} (root)`) : COMPLIANT;
  }),
  impliedSuppression: (node) => {
    const service = node instanceof Container ? serviceOf(node) : undefined;
    if (!service?.runsAsRoot || !service.rootReason) return undefined;
    return { reason: service.rootReason, declaredAt: service.node.path, source: "Service.rootReason" };
  },
  impliedSuppressionDoc: "A `Service` that runs as root must state a `rootReason` (the L2 refuses to build without one); that reason is recorded as a suppression of this rule on its container and listed in the policy report.",
};
