import { COMPLIANT, PolicyRule, cis, containerCheck, nonCompliant } from "../rule";

/** Containers do not share the host's network namespace. */
export const ContainerNotOnHostNetwork: PolicyRule = {
  id: "ContainerNotOnHostNetwork",
  levels: { baseline: "warning", production: "error" },
  description: "Containers do not use the host's network namespace (`network_mode = \"host\"`).",
  why: "On the host network a container can bind any host port, reach services listening on the host's loopback, and sniff or spoof host traffic; port publishing rules no longer apply.",
  fix: "Attach the container to a user-defined network (`Service` prop `networks`) and publish only the ports it needs.",
  reference: cis("Ensure that the host's network namespace is not shared"),
  check: containerCheck((c) => (c.networkModeInput === "host" ? nonCompliant("network_mode is host") : COMPLIANT)),
};
