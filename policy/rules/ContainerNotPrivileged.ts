import { booleanInput } from "../facts";
import { COMPLIANT, PolicyRule, cis, containerCheck, nonCompliant } from "../rule";

/** Containers do not run privileged. */
export const ContainerNotPrivileged: PolicyRule = {
  id: "ContainerNotPrivileged",
  levels: { baseline: "warning", production: "error" },
  description: "Containers do not run privileged.",
  why: "A privileged container gets every capability, all host devices and no seccomp or AppArmor confinement: root in it is root on the Docker host.",
  fix: "Remove `privileged`; add back only the capabilities the process needs (`Service` prop `capabilities`).",
  reference: cis("Ensure that privileged containers are not used"),
  check: containerCheck((c) => (booleanInput(c.privilegedInput, "privileged") === true ? nonCompliant("privileged is true") : COMPLIANT)),
};
