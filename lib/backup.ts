import { Construct, TerraformStack, TerraformVariable } from "./cdk";
import {
  companionPath,
  dataPath,
  METRICS_PATH,
  METRICS_PORT,
  RUNNER_PATHS,
  postgresPasswordPath,
  RunnerSource,
  runnerScript,
} from "./backup-script";
import { Condition } from "./condition";
import { FileText } from "./file-text";
import { ContainerImage } from "./image";
import { Network } from "./network";
import { Secret, SecretFile } from "./secret";
import type { Logging, NetworkAttachment, Resources } from "./service-spec";
import { Service } from "./service";
import { show } from "./validation";
import { Volume, VolumeMount } from "./volume";

/**
 * How one stateful volume is backed up; the system that owns the volume declares it.
 * - `files`: restic copies the mounted volume (read-only) while its writer runs, and copies it again
 *   when a file changed during the copy; `companions` are secret files stored in the same snapshot.
 * - `postgres`: `pg_dump` over the network (one transaction: consistent), never the data directory.
 * - `rebuildable`: the data can be rebuilt from elsewhere; backed up as `files` only when the
 *   environment's `backup.rebuildable` is "include".
 */
export type BackupSource =
  | { readonly kind: "files"; readonly volume: Volume; readonly companions?: readonly Secret[] }
  | {
      readonly kind: "postgres";
      readonly volume: Volume;
      /** The database service; the runner joins `network` and waits for it. */
      readonly server: Service;
      readonly network: Network;
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly user: string;
      readonly password: Secret;
      /** Services that write through the database (stopped while it is restored). */
      readonly clients: readonly Service[];
    }
  | { readonly kind: "rebuildable"; readonly volume: Volume; readonly why: string };

/** The environment's backup settings as the runner reads them (`config/common.ts` `backupSchema`). */
export interface BackupPolicy {
  readonly intervalMinutes: number;
  readonly maxAgeMinutes: number;
  readonly keep: { readonly withinHours: number; readonly daily: number; readonly weekly: number; readonly monthly: number };
  readonly rebuildable: "skip" | "include";
  readonly resources?: Resources;
  readonly logging: Logging;
}

export interface BackupProps {
  /** Prefix of the runner's Docker names: `<prefix>-backup`, `<prefix>-backup-egress`. */
  readonly namePrefix: string;
  /** restic `--host` of the snapshots: the stack's name. */
  readonly stackName: string;
  readonly image: string;
  readonly policy: BackupPolicy;
  readonly sources: readonly BackupSource[];
  /** Networks the runner joins besides its own egress network (e.g. to be scraped by Prometheus as `backup`). @default - none */
  readonly networks?: readonly NetworkAttachment[];
  /**
   * Backups must run: the destination variables are required. Otherwise the runner (and its
   * network) exist only while `backup_repository` is set.
   */
  readonly required: boolean;
}

/**
 * restic backups of a stack's stateful volumes to an SFTP destination off the Docker host: one
 * runner container (`<prefix>-backup`, label `role=backup`) that mounts each backed-up volume
 * read-only, dumps PostgreSQL over the network, keeps `policy.keep` snapshots per volume, serves
 * its status as Prometheus metrics and turns unhealthy when a run fails or a snapshot is too old.
 * Restores go through the same runner program (`npm run restore`). Every stateful volume of the
 * stack must be a source: a new one that is not fails synth.
 */
export class Backup extends Construct {
  readonly runner: Service;
  readonly repository: TerraformVariable;
  /** restic's repository password and the destination's SSH key (optional unless backups are required). */
  readonly credentials: readonly Secret[];
  /** The volumes copied, and those skipped as rebuildable (with why). */
  readonly covered: readonly Volume[];
  readonly skipped: readonly { readonly volume: Volume; readonly why: string }[];

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    Backup.checkCoverage(this, props.sources);
    const { policy } = props;
    const included = props.sources.filter((s) => s.kind !== "rebuildable" || policy.rebuildable === "include");
    this.covered = included.map((s) => s.volume);
    this.skipped = props.sources.flatMap((s) =>
      s.kind === "rebuildable" && policy.rebuildable === "skip" ? [{ volume: s.volume, why: s.why }] : [],
    );

    this.repository = new TerraformVariable(this, "Repository", {
      type: "string",
      nullable: false,
      default: props.required ? undefined : "",
      description: `restic repository of this stack's backups, off the Docker host: sftp:user@host:/path (the stack's own directory).${
        props.required ? " Required." : " Empty: no backups (the runner is not deployed)."
      }`,
      validation: [
        {
          condition: `\${${props.required ? "" : 'var.backup_repository == "" || '}can(regex("^sftp:[^@/:]+@[^:/]+:/.+", var.backup_repository))}`,
          errorMessage: `backup_repository must be sftp:user@host:/absolute/path${props.required ? " (backups are required in this environment)" : " or empty"}.`,
        },
        {
          // Here, not on the secrets: Terraform prints the value of a variable whose own validation fails,
          // sensitive or not (not the sensitive values the condition reads). Their lengths: lib/secret.ts.
          condition:
            '${var.backup_repository == "" || (var.backup_password != "" && var.backup_ssh_key != "" && var.backup_known_hosts != "")}',
          errorMessage: "backup_password, backup_ssh_key and backup_known_hosts (TF_VAR_*) are required when backup_repository is set.",
        },
      ],
    });
    this.repository.overrideLogicalId("backup_repository");
    // Optional backups: the runner, its image, files and network exist only while a destination is set.
    const enabledWhen = props.required ? undefined : Condition.whenSet(this.repository);
    const knownHosts = new TerraformVariable(this, "KnownHosts", {
      type: "string",
      nullable: false,
      default: props.required ? undefined : "",
      description: "known_hosts line(s) of the backup destination's SSH host key (`<host> ssh-ed25519 AAAA…`), compared out of band.",
    });
    knownHosts.overrideLogicalId("backup_known_hosts");
    const password = new Secret(this, "Password", {
      variableName: "backup_password",
      description: "restic repository password (losing it loses every backup: keep a copy off the Docker host)",
      minLength: 16,
      optional: !props.required,
    });
    const sshKey = new Secret(this, "SshKey", {
      variableName: "backup_ssh_key",
      description: "OpenSSH private key of the backup destination's user (key-only SFTP)",
      minLength: 64,
      optional: !props.required,
    });

    this.credentials = [password, sshKey];
    const runnerSources: RunnerSource[] = included.map((s) =>
      s.kind === "postgres"
        ? {
            kind: "postgres",
            volume: s.volume.name,
            host: s.host,
            port: s.port,
            database: s.database,
            user: s.user,
            passwordFile: postgresPasswordPath(s.password.variableName),
            clients: s.clients.map((c) => c.name),
          }
        : {
            kind: "files",
            volume: s.volume.name,
            companions: (s.kind === "files" ? (s.companions ?? []) : []).map((c) => companionPath(c.variableName)),
          },
    );
    const mounts: VolumeMount[] = included
      .filter((s) => s.kind !== "postgres")
      .map((s) => s.volume.mount(dataPath(s.volume.name), { readOnly: true }));
    const secretFiles: SecretFile[] = [
      password.file(RUNNER_PATHS.password),
      sshKey.file(RUNNER_PATHS.sshKey),
      ...included.flatMap((s) =>
        s.kind === "postgres"
          ? [s.password.file(postgresPasswordPath(s.password.variableName))]
          : s.kind === "files"
            ? (s.companions ?? []).map((c) => c.file(companionPath(c.variableName)))
            : [],
      ),
    ];
    const egress = new Network(this, "Egress", { name: `${props.namePrefix}-backup-egress`, internal: false, enabledWhen });
    const postgresNetworks = included.flatMap((s) => (s.kind === "postgres" ? [s.network] : []));
    const networks: NetworkAttachment[] = [
      { network: egress },
      ...(props.networks ?? []),
      ...[...new Set(postgresNetworks)].filter((n) => !(props.networks ?? []).some((a) => a.network === n)).map((network) => ({ network })),
    ];

    this.runner = new Service(this, "Runner", {
      name: `${props.namePrefix}-backup`,
      // Pulled only with the runner: without a destination nothing needs the image (dev hosts need not have it).
      image: new ContainerImage(this, "Image", { reference: props.image, enabledWhen }),
      rootReason:
        "reads every backed-up volume whatever its owner and modes (CAP_DAC_OVERRIDE only, never DAC_READ_SEARCH; every mount read-only)",
      // Root reads files of any owner and mode with CAP_DAC_OVERRIDE, one of Docker's default
      // capabilities. Not CAP_DAC_READ_SEARCH: with it, Docker's default seccomp profile allows
      // open_by_handle_at, which opens any file of the host's filesystem by handle (the "Shocker"
      // escape; docs/backups.md). DAC_OVERRIDE also bypasses write checks, but the runner has nothing
      // to write to but its own root-owned tmpfs: its root filesystem and every mount are read-only.
      capabilities: ["DAC_OVERRIDE"],
      hostLocal: true,
      labels: { role: "backup" },
      // Explicit: an image whose entrypoint is restic itself (as restic's own images) runs the script too.
      entrypoint: [RUNNER_PATHS.script],
      command: ["run"],
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=256m", [RUNNER_PATHS.state]: "rw,noexec,nosuid,size=1m" },
      networks,
      volumes: mounts,
      secretFiles,
      configFiles: [
        {
          containerPath: RUNNER_PATHS.script,
          mode: "0555",
          content: FileText.of(
            runnerScript({
              host: props.stackName,
              sources: runnerSources,
              intervalMinutes: policy.intervalMinutes,
              maxAgeMinutes: policy.maxAgeMinutes,
              keep: policy.keep,
            }),
          ),
        },
        {
          containerPath: RUNNER_PATHS.sources,
          content: FileText.of(JSON.stringify({ stack: props.stackName, sources: runnerSources }, null, 2) + "\n"),
        },
        { containerPath: RUNNER_PATHS.repository, content: FileText.of(this.repository.stringValue) },
        { containerPath: RUNNER_PATHS.knownHosts, content: FileText.of(knownHosts.stringValue) },
        {
          containerPath: RUNNER_PATHS.sshConfig,
          // Constant text: the paths are the runner's own.
          content: FileText.of(
            [
              "Host *",
              `  IdentityFile ${RUNNER_PATHS.sshKey}`,
              `  UserKnownHostsFile ${RUNNER_PATHS.knownHosts}`,
              "  StrictHostKeyChecking yes",
              "  BatchMode yes",
              "  ConnectTimeout 10",
              "  ServerAliveInterval 15",
              "",
            ].join("\n"),
          ),
        },
      ],
      healthCheck: {
        test: ["CMD", RUNNER_PATHS.script, "health"],
        intervalSeconds: 30,
        timeoutSeconds: 10,
        retries: 1,
        // A first run of large volumes takes a while; a failed run or a stale volume shows at once afterwards.
        startPeriodSeconds: 15 * 60,
        startIntervalSeconds: 5,
      },
      metrics: { port: METRICS_PORT, path: METRICS_PATH },
      resources: policy.resources,
      logging: policy.logging,
      stopTimeoutSeconds: 30,
      dependsOn: included.flatMap((s) => (s.kind === "postgres" ? [s.server] : [])),
      enabledWhen,
    });
  }

  /**
   * Every stateful volume of the stack must be a source (copied, or skipped as rebuildable by the
   * settings). Checked when the stack is synthesized, so a volume created after the runner is checked too.
   */
  private static checkCoverage(scope: Construct, sources: readonly BackupSource[]): void {
    const known = new Set(sources.map((s) => s.volume));
    scope.node.addValidation({
      validate: () =>
        TerraformStack.of(scope)
          .node.findAll()
          .flatMap((c) =>
            c instanceof Volume && c.stateful && !known.has(c)
              ? [
                  `sources: got ${show(c.name)}; allowed: a backup source for every stateful volume of the stack (files, postgres or rebuildable)`,
                ]
              : [],
          ),
    });
  }
}
