import { COMPLIANT, PolicyRule, cis, nonCompliant, workloadCheck } from "../rule";

/** Containers and swarm services do not run privileged. */
export const ContainerNotPrivileged: PolicyRule = {
  id: "ContainerNotPrivileged",
  levels: { baseline: "warning", production: "error" },
  description: "Containers do not run privileged (swarm services cannot).",
  why: "A privileged container gets every capability, all host devices and no seccomp or AppArmor confinement: root in it is root on the Docker host.",
  fix: "Remove `privileged`; add back only the capabilities the process needs (`Service` prop `capabilities`).",
  reference: cis("Ensure that privileged containers are not used"),
  swarm: {
    coverage: "by-construction",
    text: "a `docker_service` has no `privileged` option (swarm never runs a task privileged), so every swarm service complies.",
  },
  check: workloadCheck((w) => (w.privileged() === true ? nonCompliant("privileged is true") : COMPLIANT)),
};
