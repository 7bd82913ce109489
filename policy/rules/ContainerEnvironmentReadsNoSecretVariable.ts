import { secretVariablesRead } from "../facts";
import { PolicyRule, fromFindings, workloadCheck } from "../rule";

/** Environment variables of containers and swarm services read no secret variable. */
export const ContainerEnvironmentReadsNoSecretVariable: PolicyRule = {
  id: "ContainerEnvironmentReadsNoSecretVariable",
  levels: { baseline: "warning", production: "error" },
  description:
    "No environment variable of a container or swarm service reads a secret Terraform variable (sensitive, or named like a credential), directly or through a local: secrets reach a container as files.",
  why: "An environment variable is part of the container's configuration: `docker inspect` (`docker service inspect` on swarm) prints it to anyone with the engine's API, it is inherited by every child process, and crash reporters and debug endpoints dump it. A sensitive variable stays out of plans, but not out of the engine.",
  fix: "Deliver the secret as a file (`Service` prop `secretFiles`, a `docker_secret` on swarm) and point the program at it (a `<NAME>_FILE` variable or a config file). Where the image reads the secret only from its environment, suppress the rule on that construct with the reason (`Suppressions.of(service).add(…)`), so the exception is listed in every report.",
  reference:
    'CIS Docker Benchmark, Container Images and Build File: "Ensure secrets are not stored in Dockerfiles" (same concern at runtime); design rule 11 (secrets are a type)',
  swarm: { coverage: "checked", text: "`task_spec.container_spec.env` (a map)." },
  check: workloadCheck((w) =>
    fromFindings(
      w
        .environment()
        .flatMap(({ name, value }) => [
          ...secretVariablesRead(w.subject, value).map((v) => `env ${name} reads ${v}`),
          ...(value.includes("${(sensitive value)}") ? [`env ${name} holds a value Terraform marks sensitive`] : []),
        ]),
    ),
  ),
};
