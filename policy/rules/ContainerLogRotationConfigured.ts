import { COMPLIANT, PolicyRule, runtimeWorkloadCheck, fromFindings, nonCompliant } from "../rule";

/** Containers and swarm services set their log driver explicitly, with rotation for local json-file logs. */
export const ContainerLogRotationConfigured: PolicyRule = {
  id: "ContainerLogRotationConfigured",
  levels: { baseline: "warning", production: "error" },
  description:
    "Containers and swarm services set the log driver explicitly (`log_driver`; on swarm `task_spec.log_driver`); `json-file` logs set `max-size` and `max-file`; logs are not discarded (`none`).",
  why: "json-file logs without `max-size` grow until the disk is full. Leaving the driver or its options to the daemon also makes the provider read back daemon defaults and plan a replacement on every run (kreuzwerker/docker #473, fixed only in 4.1.0).",
  fix: 'Set the `Service` prop `logging` (or rely on its default 10 MiB x 3 files); on a raw container set `log_driver = "json-file"` and `log_opts = { max-size, max-file }`, on a raw swarm service `task_spec.log_driver { name, options }`. Drivers that ship logs elsewhere (journald, syslog, fluentd, gelf, `local`) rotate outside the container and pass.',
  reference: "Provider pitfall: daemon-injected log_opts (kreuzwerker/docker #473); Docker json-file driver documentation",
  swarm: { coverage: "checked", text: "`task_spec.log_driver.name` and `options`." },
  check: runtimeWorkloadCheck((w) => {
    const { driver, options } = w.logging();
    const { logDriver, logOpts } = w.attributes;
    if (driver === undefined) return nonCompliant(`${logDriver} is not set (the daemon default applies and drifts in plans)`);
    if (driver === "none") return nonCompliant(`${logDriver} is none (logs are discarded)`);
    if (driver !== "json-file") return COMPLIANT;
    const findings: string[] = [];
    if (!options["max-size"]) findings.push(`json-file ${logOpts} has no max-size`);
    if (!options["max-file"]) findings.push(`json-file ${logOpts} has no max-file`);
    return fromFindings(findings);
  }),
};
