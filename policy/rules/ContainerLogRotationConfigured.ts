import { isUnresolved } from "../facts";
import { COMPLIANT, PolicyRule, runtimeContainerCheck, fromFindings, nonCompliant } from "../rule";

/** Containers set their log driver explicitly, with rotation for local json-file logs. */
export const ContainerLogRotationConfigured: PolicyRule = {
  id: "ContainerLogRotationConfigured",
  levels: { baseline: "warning", production: "error" },
  description: "Containers set `log_driver` explicitly; `json-file` logs set `max-size` and `max-file`; logs are not discarded (`none`).",
  why: "json-file logs without `max-size` grow until the disk is full. Leaving the driver or its options to the daemon also makes the provider read back daemon defaults and plan a replacement on every run (kreuzwerker/docker #473, fixed only in 4.1.0).",
  fix: "Set the `Service` prop `logging` (or rely on its default 10 MiB x 3 files); on a raw container set `log_driver = \"json-file\"` and `log_opts = { max-size, max-file }`. Drivers that ship logs elsewhere (journald, syslog, fluentd, gelf, `local`) rotate outside the container and pass.",
  reference: "Provider pitfall: daemon-injected log_opts (kreuzwerker/docker #473); Docker json-file driver documentation",
  check: runtimeContainerCheck((c) => {
    const driver = c.logDriverInput;
    if (driver === undefined || driver === "") return nonCompliant("log_driver is not set (the daemon default applies and drifts in plans)");
    if (isUnresolved(driver)) throw new Error("log_driver is a Terraform expression, which cannot be checked at synth time");
    if (driver === "none") return nonCompliant("log_driver is none (logs are discarded)");
    if (driver !== "json-file") return COMPLIANT;
    const opts = (c.logOptsInput ?? {}) as Record<string, string>;
    const findings: string[] = [];
    if (!opts["max-size"]) findings.push("json-file log_opts has no max-size");
    if (!opts["max-file"]) findings.push("json-file log_opts has no max-file");
    return fromFindings(findings);
  }),
};
