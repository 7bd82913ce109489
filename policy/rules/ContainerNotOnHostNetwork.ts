import { COMPLIANT, PolicyRule, cis, nonCompliant, workloadCheck } from "../rule";

/** Containers and swarm services do not share the host's network namespace. */
export const ContainerNotOnHostNetwork: PolicyRule = {
  id: "ContainerNotOnHostNetwork",
  levels: { baseline: "warning", production: "error" },
  description:
    'Containers and swarm services do not use the host\'s network namespace (`network_mode = "host"`; on swarm, the predefined `host` network).',
  why: "On the host network a container can bind any host port, reach services listening on the host's loopback, and sniff or spoof host traffic; port publishing rules no longer apply.",
  fix: "Attach the container or service to a user-defined network (`Service` prop `networks`) and publish only the ports it needs.",
  reference: cis("Ensure that the host's network namespace is not shared"),
  swarm: {
    coverage: "checked",
    text: "`task_spec.networks_advanced`: a network named `host` (the predefined host network) is a finding; a reference to a network this configuration creates is not; any other expression cannot be checked and is a finding.",
  },
  check: workloadCheck((w) =>
    w.networkMode() === "host"
      ? nonCompliant(w.kind === "container" ? "network_mode is host" : `${w.attributes.networkMode} attaches the predefined host network`)
      : COMPLIANT,
  ),
};
