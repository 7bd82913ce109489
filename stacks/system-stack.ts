import { Aspects, Construct, Fn, Lazy, LocalBackend, PgBackend, TerraformIterator, TerraformStack, TerraformVariable } from "../lib/cdk";
import { StandardLabels } from "../lib/labels";
import { DockerProvider, RegistryImage } from "../lib/docker";
import { IMAGE_REFERENCE_PATTERN, PINNED_IMAGE_PATTERN } from "../lib/image-reference";
import { EnvironmentSettings } from "../config/settings";
import type { DeploymentSettings } from "../config/common";
import { imageVariableRequests, ServiceCatalog } from "../config/catalog";
import { CONTAINERS, DeploymentTarget, setDeploymentTarget } from "../lib/target";
import { Backup, BackupSource } from "../lib/backup";
import type { NetworkAttachment } from "../lib/service-spec";
import { Suppressions } from "../policy";

export type SystemName = "zcash" | "jessy" | "zfs-sync";

export interface SystemStackProps {
  readonly system: SystemName;
  readonly settings: EnvironmentSettings;
  /** The system's deployment settings. @default - containers */
  readonly deployment?: DeploymentSettings;
  /**
   * Prefix of every Docker name of the stack (`<prefix>-<service>`, `<prefix>-backup`).
   * @default `<system>-<env>`
   */
  readonly namePrefix?: string;
}

/**
 * One Terraform stack per system and environment (`<system>-<env>`): decides where and how the
 * system is deployed (Docker host, state backend, runtime inputs); the system's L3 construct decides what.
 */
export class SystemStack extends TerraformStack {
  readonly settings: EnvironmentSettings;
  readonly system: SystemName;
  /**
   * Prefix of every Docker name of the stack: `<system>-<env>`, except where renaming would replace
   * a stateful volume (Z3 keeps `z3-<network>`, docs/architecture.md).
   */
  readonly namePrefix: string;
  readonly dockerHost: TerraformVariable;
  /** Containers on one host, or services on the environment's swarm (then `docker_host` is a manager). */
  readonly target: DeploymentTarget;
  /** `registry_address`: the private registry the provider logs in to; empty for none. */
  readonly registryAddress: TerraformVariable;
  /** The `<name>_image` variables declared so far (what the registry check reads). */
  private readonly imageVariables: string[] = [];
  private registryCheck?: RegistryImage;

  constructor(scope: Construct, props: SystemStackProps) {
    const id = `${props.system}-${props.settings.name}`;
    super(scope, id);
    const swarm = props.settings.swarm;
    this.target = props.deployment?.target === "swarm" && swarm !== undefined ? { kind: "swarm", ...swarm } : CONTAINERS;
    // Before any child: every Service and Network of the stack renders for this target.
    setDeploymentTarget(this, this.target);
    this.settings = props.settings;
    this.system = props.system;
    this.namePrefix = props.namePrefix ?? id;
    // Every container of the stack carries its environment and system, set here once.
    Aspects.of(this).add(new StandardLabels({ environment: props.settings.name, system: props.system }));

    this.dockerHost = this.dockerHostVariable();
    this.registryAddress = this.dockerProvider(this.dockerHost);
    this.stateBackend(id);
  }

  /** `docker_host`: where the stack deploys, defaulting to the environment's `defaultDockerHost` (dev). */
  private dockerHostVariable(): TerraformVariable {
    const settings = this.settings;
    return new TerraformVariable(this, "docker_host", {
      type: "string",
      description:
        settings.defaultDockerHost !== undefined
          ? `Docker host to deploy to (unix://, tcp:// or ssh://)${this.target.kind === "swarm" ? ": a swarm manager, the data node" : ""}.`
          : `Docker host to deploy to: ssh://user@host or tcp://host:2376 with TLS material in docker_cert_path${
              this.target.kind === "swarm" ? "; a swarm manager labelled as the data node" : ""
            }. Required.`,
      default: settings.defaultDockerHost,
      nullable: false,
      validation: [
        {
          condition: '${can(regex("^(unix|tcp|ssh)://.+", var.docker_host))}',
          errorMessage: "docker_host must start with unix://, tcp:// or ssh://.",
        },
      ],
    });
  }

  /**
   * The docker provider on `docker_host`, with TLS material, ssh options and a registry login as
   * deployment inputs. Returns `registry_address`.
   */
  private dockerProvider(dockerHost: TerraformVariable): TerraformVariable {
    const certPath = new TerraformVariable(this, "docker_cert_path", {
      type: "string",
      description: "Directory with ca.pem, cert.pem and key.pem for a tcp:// Docker host with TLS. Empty: no TLS material.",
      default: "",
      nullable: false,
    });
    // Always set, an empty list too: left unset, provider 4.6 reads DOCKER_SSH_OPTS instead and
    // crashes on it ("can't convert []string{...} to cty.Value").
    const sshOpts = new TerraformVariable(this, "docker_ssh_opts", {
      type: "list(string)",
      description:
        'Extra arguments for the ssh client of an ssh:// Docker host, e.g. ["-i", "/path/to/key", "-o", "UserKnownHostsFile=/path/to/known_hosts"]. Empty: the ssh client\'s own configuration (~/.ssh, ssh-agent).',
      default: [],
      nullable: false,
    });
    // Registry credentials: deployment inputs like docker_host, never in code or the synthesized JSON
    // (only these variable references are), never in state (provider configuration is not stored).
    const registryAddress = new TerraformVariable(this, "registry_address", {
      type: "string",
      description:
        "Private registry (host[:port], no scheme) whose images need credentials; the provider logs in with registry_username and registry_password. Empty: no registry login.",
      default: "",
      nullable: false,
      validation: [
        {
          condition:
            '${var.registry_address == "" || can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?$", var.registry_address))}',
          errorMessage:
            "registry_address must be a registry host with an optional port (registry.example.com:5000), without a scheme or path.",
        },
        {
          // Here, not on registry_password: Terraform prints the values a failed condition reads,
          // and the validated variable's own value even when it is sensitive. Without a user name
          // the provider would read ~/.docker/config.json instead.
          condition: '${var.registry_address == "" || (var.registry_username != "" && var.registry_password != "")}',
          errorMessage:
            "registry_username and registry_password (TF_VAR_registry_username, TF_VAR_registry_password) are required when registry_address is set.",
        },
      ],
    });
    const registryUsername = new TerraformVariable(this, "registry_username", {
      type: "string",
      description: "User name for registry_address.",
      default: "",
      nullable: false,
      sensitive: true,
    });
    const registryPassword = new TerraformVariable(this, "registry_password", {
      type: "string",
      description: "Password or access token for registry_address.",
      default: "",
      nullable: false,
      sensitive: true,
    });
    for (const credential of [registryUsername, registryPassword]) {
      Suppressions.of(credential).add({
        id: "VariableSecretSensitive",
        reason:
          "the empty default means no registry login (public or preloaded images); a set registry_address requires both credentials (validation), supplied with TF_VAR_*",
      });
    }
    // One registry_auth block while registry_address is set, none otherwise (a dynamic block over
    // compact([address]): a block cannot be made conditional otherwise).
    const registry = TerraformIterator.fromList(Fn.compact([registryAddress.stringValue]));
    new DockerProvider(this, "docker", {
      host: dockerHost.stringValue,
      certPath: `\${var.${certPath.friendlyUniqueId} == "" ? null : var.${certPath.friendlyUniqueId}}`,
      sshOpts: sshOpts.listValue,
      registryAuth: registry.dynamic({
        address: registry.value,
        username: registryUsername.stringValue,
        password: registryPassword.stringValue,
      }),
    });
    return registryAddress;
  }

  /** The state backend: a local file (dev) or a PostgreSQL schema per stack. */
  private stateBackend(id: string): void {
    const backend = this.settings.backend;
    if (backend.kind === "local") {
      // Relative to the stack's working directory (cdktf.out/stacks/<stack>): the state lives at the
      // project root, outside the synth output, and the JSON stays machine-independent.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    } else {
      // The connection string is read from PG_CONN_STR at `terraform init`; it is never in code.
      new PgBackend(this, { connStr: "", schemaName: `${this.system.replace(/-/g, "_")}_${backend.schemaName}` });
      this.addOverride("terraform.backend.pg.conn_str", undefined);
    }
  }

  /**
   * The stack's backups (`settings.backup`; none when unset): a runner named `<namePrefix>-backup`
   * copying `sources`. Call it after the system's construct: every stateful volume of the stack must
   * be among the sources.
   */
  protected backUp(sources: readonly BackupSource[], networks?: readonly NetworkAttachment[]): Backup | undefined {
    const backup = this.settings.backup;
    if (backup === undefined) return undefined;
    const b = new Backup(this, "Backup", {
      namePrefix: this.namePrefix,
      stackName: this.node.id,
      image: this.imageVariable("backup", backup.image),
      policy: { ...backup, logging: backup.logging.default },
      sources,
      networks,
      required: backup.required,
    });
    if (!backup.required) {
      for (const credential of b.credentials) {
        Suppressions.of(credential.variable).add({
          id: "VariableSecretSensitive",
          reason:
            "the empty default means no backups in this environment (the runner is not deployed); a set backup_repository requires both credentials (validation), supplied with TF_VAR_*",
        });
      }
    }
    return b;
  }

  /**
   * The image reference of each service of `catalog` that pulls an image of its own and is deployed:
   * its `<variable>_image` variable, declared in catalog order. Services not listed use the
   * settings' reference, or an image the stack builds.
   */
  imageVariablesOf<K extends string, S>(catalog: ServiceCatalog<K, S>, settings: S): Partial<Record<K, string>> {
    const requests = imageVariableRequests(catalog, settings);
    return Object.fromEntries(requests.map((r) => [r.service, this.imageVariable(r.variable, r.reference)])) as Partial<Record<K, string>>;
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
            this.settings.requirePinnedImages
              ? ` && can(regex(${JSON.stringify(PINNED_IMAGE_PATTERN)}, var.${name}_image)) && !endswith(var.${name}_image, ":latest")`
              : ""
          }}`,
          errorMessage: `${name}_image must be a Docker image reference${this.settings.requirePinnedImages ? " pinned by a tag other than latest or by a digest" : ""}.`,
        },
      ],
    });
    this.imageVariables.push(variable.friendlyUniqueId);
    this.registryCheck ??= this.newRegistryCheck();
    return variable.stringValue;
  }

  /**
   * Reads, while planning, the manifest of every image variable that names `registry_address`,
   * with the provider's credentials: a wrong password or a missing digest fails the plan, before
   * anything changes (`docker_image` itself pulls only when it is created, after other resources
   * may have been). The request comes from the machine running Terraform, which must reach the
   * registry and trust its certificate.
   */
  private newRegistryCheck(): RegistryImage {
    const check = new RegistryImage(this, "registry_check", {
      // A digest without a tag (`repo@sha256:…`) gets a placeholder tag: the provider's reference
      // parser needs one and then reads the digest.
      name: '${length(regexall(":[^/]*$", split("@", each.value)[0])) > 0 || !strcontains(each.value, "@") ? each.value : replace(each.value, "@", ":pinned@")}',
    });
    check.addOverride(
      "for_each",
      Lazy.stringValue({
        produce: () =>
          `\${{ for name, ref in { ${this.imageVariables.map((v) => `${v} = var.${v}`).join(", ")} } : name => ref if var.${this.registryAddress.friendlyUniqueId} != "" && startswith(ref, format("%s/", var.${this.registryAddress.friendlyUniqueId})) }}`,
      }),
    );
    return check;
  }
}
