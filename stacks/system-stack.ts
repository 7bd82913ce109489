import { Aspects, Construct, LocalBackend, PgBackend, TerraformStack, TerraformVariable } from "../lib/cdk";
import { StandardLabels } from "../lib/labels";
import { DockerProvider } from "../lib/docker";
import { IMAGE_REFERENCE_PATTERN, PINNED_IMAGE_PATTERN } from "../lib/image-reference";
import { EnvironmentSettings } from "../config/settings";
import type { DeploymentSettings } from "../config/common";
import { CONTAINERS, DeploymentTarget, setDeploymentTarget } from "../lib/target";

export type SystemName = "zcash" | "jessy" | "zfs-sync";

export interface SystemStackProps {
  readonly system: SystemName;
  readonly settings: EnvironmentSettings;
  /** The system's deployment settings. @default - containers */
  readonly deployment?: DeploymentSettings;
}

/**
 * One Terraform stack per system and environment (`<system>-<env>`): decides where and how the
 * system is deployed (Docker host, state backend, runtime inputs); the system's L3 construct decides what.
 */
export class SystemStack extends TerraformStack {
  readonly settings: EnvironmentSettings;
  readonly system: SystemName;
  readonly dockerHost: TerraformVariable;
  /** Containers on one host, or services on the environment's swarm (then `docker_host` is a manager). */
  readonly target: DeploymentTarget;

  constructor(scope: Construct, props: SystemStackProps) {
    const id = `${props.system}-${props.settings.name}`;
    super(scope, id);
    const swarm = props.settings.swarm;
    this.target = props.deployment?.target === "swarm" && swarm !== undefined ? { kind: "swarm", ...swarm } : CONTAINERS;
    // Before any child: every Service and Network of the stack renders for this target.
    setDeploymentTarget(this, this.target);
    this.settings = props.settings;
    this.system = props.system;
    // Every container of the stack carries its environment and system, set here once.
    Aspects.of(this).add(new StandardLabels({ environment: props.settings.name, system: props.system }));

    this.dockerHost = new TerraformVariable(this, "docker_host", {
      type: "string",
      description:
        props.settings.defaultDockerHost !== undefined
          ? `Docker host to deploy to (unix://, tcp:// or ssh://)${this.target.kind === "swarm" ? ": a swarm manager, the data node" : ""}.`
          : `Docker host to deploy to: ssh://user@host or tcp://host:2376 with TLS material in docker_cert_path${
              this.target.kind === "swarm" ? "; a swarm manager labelled as the data node" : ""
            }. Required.`,
      default: props.settings.defaultDockerHost,
      nullable: false,
      validation: [
        {
          condition: "${can(regex(\"^(unix|tcp|ssh)://.+\", var.docker_host))}",
          errorMessage: "docker_host must start with unix://, tcp:// or ssh://.",
        },
      ],
    });
    const certPath = new TerraformVariable(this, "docker_cert_path", {
      type: "string",
      description: "Directory with ca.pem, cert.pem and key.pem for a tcp:// Docker host with TLS. Empty: no TLS material.",
      default: "",
      nullable: false,
    });
    new DockerProvider(this, "docker", {
      host: this.dockerHost.stringValue,
      certPath: `\${var.${certPath.friendlyUniqueId} == "" ? null : var.${certPath.friendlyUniqueId}}`,
    });

    const backend = props.settings.backend;
    if (backend.kind === "local") {
      // Relative to the stack's working directory (cdktf.out/stacks/<stack>): the state lives at the
      // project root, outside the synth output, and the JSON stays machine-independent.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    } else {
      // The connection string is read from PG_CONN_STR at `terraform init`; it is never in code.
      new PgBackend(this, { connStr: "", schemaName: `${props.system.replace(/-/g, "_")}_${backend.schemaName}` });
      this.addOverride("terraform.backend.pg.conn_str", undefined);
    }
  }

  /**
   * A `<name>_image` variable whose default is the settings' reference, validated like the settings
   * (pinned references in environments that require them).
   */
  imageVariable(name: string, defaultReference: string): string {
    const variable = new TerraformVariable(this, `${name}_image`, {
      type: "string",
      default: defaultReference,
      nullable: false,
      description: `Image reference for ${name}${this.settings.requirePinnedImages ? " (pinned: a tag other than latest, or a digest)" : ""}.`,
      validation: [
        {
          condition: `\${can(regex(${JSON.stringify(IMAGE_REFERENCE_PATTERN)}, var.${name}_image))${
            this.settings.requirePinnedImages ? ` && can(regex(${JSON.stringify(PINNED_IMAGE_PATTERN)}, var.${name}_image)) && !endswith(var.${name}_image, ":latest")` : ""
          }}`,
          errorMessage: `${name}_image must be a Docker image reference${this.settings.requirePinnedImages ? " pinned by a tag other than latest or by a digest" : ""}.`,
        },
      ],
    });
    return variable.stringValue;
  }
}
