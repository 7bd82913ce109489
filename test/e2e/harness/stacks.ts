import { cpSync, readFileSync, rmSync } from "fs";
import { join } from "path";
import { DOCKER_HOST, E2eConfig, Engine } from "./env";
import { generateSecrets } from "./secrets";
import { backupInputs } from "./backup";
import { evaluateCount, Variables } from "../../../tools/verify/variable-values";
import { Terraform } from "./terraform";
import { ContainerJson } from "./inspect-expect";
import type { TfJson } from "../../tf-json";
import { ZEBRA_DEFAULT_RELEASE, zebraStandin } from "./zebra";

/** Image (z3-e2e/<name>) for each image variable of the stacks: a real program, or a stand-in. */
const STANDIN_FOR_IMAGE_VARIABLE: Readonly<Record<string, string | null>> = {
  zebra_image: "zebra",
  cookie_permissions_image: "alpine",
  zaino_image: "zaino",
  zallet_image: "zallet",
  rpc_router_image: "rpc-router",
  // Real programs from Debian packages where they can be had (scripts/build-real-images.sh).
  prometheus_image: "real-prometheus",
  grafana_image: "grafana",
  alertmanager_image: "real-alertmanager",
  jessy_core_image: "jessy-core",
  jessy_api_image: "jessy-api",
  // Only used by jessy-dev's test profile, which the suite leaves off (jessy_test_profile=false).
  jessy_coverage_image: null,
  // Only in e2e 06's plan-policy fixture (a debug shell a count turns on), whose plans set it themselves.
  debug_shell_image: null,
  // The app stand-in with psql, so that it talks to the real PostgreSQL (it also serves SQLite).
  zfs_sync_image: "zfs-sync-psql",
  postgres_image: "real-postgres",
  proxy_image: "real-nginx",
  backup_image: "real-backup",
};

/** Values for required non-secret deployment inputs. */
const REQUIRED_INPUTS: Readonly<Record<string, string>> = {
  server_name: "zfs-sync.e2e.test",
};

export interface ContainerUnderTest {
  /** docker_container.<id> */
  readonly id: string;
  readonly name: string;
  readonly config: ContainerJson;
  /** `count` expression, when the container is gated by one. */
  readonly gated: boolean;
}

/**
 * One synthesized stack pointed at the local engine: its cdk.tf.json, the inputs the suite passes
 * (docker_host, stand-in images through the `<name>_image` variables, generated secrets) and the
 * Docker names it owns.
 */
export class StackUnderTest {
  readonly json: TfJson;
  readonly tf: Terraform;
  readonly vars: Record<string, string>;
  readonly secrets: Record<string, string>;
  readonly pgBackend: boolean;
  /** The stack is backed up (its runner `<prefix>-backup` is deployed). */
  readonly backups: boolean;
  readonly imagePrefix: string;
  /** Section of the run's figures this scenario records into. */
  readonly section: string;

  constructor(
    readonly name: string,
    readonly config: E2eConfig,
    opts: {
      imageVersion?: 1 | 2;
      section?: string;
      /** Docker host the stack deploys to. @default - the local engine */
      dockerHost?: string;
      /**
       * Prefix of the stand-in image names, e.g. "localhost/": a swarm node tries the public registry
       * for a name without a registry host before it falls back to a local image.
       * @default - none
       */
      imagePrefix?: string;
      /**
       * Back the stack up to the service hosts' backup host (scripts/service-hosts-testbed.sh, brought
       * up here). Always done where backups are required (production settings).
       * @default false
       */
      backups?: boolean;
      /**
       * The Zebra release the stand-in runs (z3-e2e/zebra:<release>). Stacks whose plan checks Zebra's
       * support window (Mainnet) get a release image always, as the guard refuses any other.
       * @default - the shipped default release on Mainnet; the `imageVersion` stand-in elsewhere
       */
      zebraRelease?: string;
      /**
       * The engine that deploys the stack. OpenTofu works on a copy of the synthesized stack
       * (`<workDir>/tofu/cdktf.out`), so its local state, which records OpenTofu's version, never
       * meets Terraform's (Terraform refuses a state written by a newer version, and the lanes and
       * 07-engine-restart deploy the same dev stacks with Terraform).
       * @default - `TERRAFORM_BINARY_NAME` (engineFromEnv), else terraform
       */
      engine?: Engine;
    } = {},
  ) {
    if (opts.engine === "tofu") {
      const outDir = join(config.workDir, "tofu", "cdktf.out");
      rmSync(join(outDir, "stacks", name), { recursive: true, force: true });
      // The synthesized files only: no provider directory or state of an earlier Terraform run.
      cpSync(join(config.outDir, "stacks", name), join(outDir, "stacks", name), {
        recursive: true,
        filter: (src) => !/[/\\](\.terraform|terraform\.tfstate[^/\\]*|\.terraform\.lock\.hcl)$/.test(src),
      });
      this.config = { ...config, outDir };
    }
    this.section = opts.section ?? name;
    this.json = JSON.parse(readFileSync(join(this.config.outDir, "stacks", name, "cdk.tf.json"), "utf8"));
    const variables = this.json.variable ?? {};
    this.imagePrefix = opts.imagePrefix ?? "";
    this.vars = { docker_host: opts.dockerHost ?? DOCKER_HOST };
    for (const v of Object.keys(variables)) {
      if (v.endsWith("_image")) {
        if (!(v in STANDIN_FOR_IMAGE_VARIABLE))
          throw new Error(`${name}: no stand-in image for variable ${v}; add one under e2e/standins and to STANDIN_FOR_IMAGE_VARIABLE`);
        const standin = STANDIN_FOR_IMAGE_VARIABLE[v];
        if (standin) this.vars[v] = `${this.imagePrefix}z3-e2e/${standin}:${opts.imageVersion ?? 1}`;
      } else if (v === "jessy_source_path") {
        this.vars[v] = config.jessySourcePath;
      } else if (v.startsWith("backup_")) {
        // Set below, from the backup host, when the stack is backed up.
      } else if (!variables[v].sensitive && !("default" in variables[v]) && v !== "docker_host") {
        if (!(v in REQUIRED_INPUTS)) throw new Error(`${name}: required variable ${v} has no value in the e2e suite (REQUIRED_INPUTS)`);
        this.vars[v] = REQUIRED_INPUTS[v];
      }
    }
    const guarded = this.json.locals?.zebra_release !== undefined;
    if ("zebra_image" in this.vars && (guarded || opts.zebraRelease))
      this.vars.zebra_image = zebraStandin(opts.zebraRelease ?? ZEBRA_DEFAULT_RELEASE, this.imagePrefix);
    this.secrets = generateSecrets(variables, this.json.resource);
    this.backups = "backup_repository" in variables && (opts.backups === true || !("default" in variables.backup_repository));
    if (this.backups) {
      const inputs = backupInputs(name);
      Object.assign(this.vars, inputs.vars);
      Object.assign(this.secrets, inputs.secrets);
    }
    this.pgBackend = this.json.terraform?.backend?.pg !== undefined;
    this.tf = new Terraform(name, this.config, { vars: this.vars, secrets: this.secrets, pgBackend: this.pgBackend, engine: opts.engine });
  }

  /** `${var.x}` references replaced by the values passed to Terraform. */
  resolve = (text: string): string =>
    text.replace(/\$\{var\.([a-zA-Z0-9_]+)\}/g, (whole, v: string) => this.vars[v] ?? this.secrets[v] ?? this.defaultOf(v) ?? whole);

  private defaultOf(v: string): string | undefined {
    const d = this.json.variable?.[v]?.default;
    return d === undefined ? undefined : String(d);
  }

  containers(): ContainerUnderTest[] {
    return Object.entries(this.json.resource?.docker_container ?? {}).map(([id, config]) => ({
      id,
      name: this.resolve(config.name),
      config,
      gated: config.count !== undefined,
    }));
  }

  container(name: string): ContainerUnderTest {
    const c = this.containers().find((x) => x.name === name);
    if (!c)
      throw new Error(
        `${this.name}: no container named ${name} (have ${this.containers()
          .map((x) => x.name)
          .join(", ")})`,
      );
    return c;
  }

  /** Long-running services (must_run): containers that are started and stay up. */
  /**
   * Whether a container exists with the inputs the suite passes: its `count` evaluated as
   * `npm run verify` does (the backup runner only with backup_repository set).
   */
  isDeployed(c: ContainerUnderTest): boolean {
    if (!c.gated) return true;
    const n = evaluateCount(c.config.count, new Variables(this.json.variable ?? {}, this.vars, {}));
    if (n === undefined) throw new Error(`${this.name}: cannot evaluate the count of ${c.id}: ${String(c.config.count)}`);
    return n > 0;
  }

  services(): ContainerUnderTest[] {
    return this.containers().filter((c) => c.config.must_run !== false && c.config.start !== false);
  }

  /** One-shot jobs: started, expected to exit 0. */
  oneShots(): ContainerUnderTest[] {
    return this.containers().filter((c) => c.config.must_run === false && c.config.start !== false);
  }

  /** Never-started files loaders (start = false). */
  loaders(): ContainerUnderTest[] {
    return this.containers().filter((c) => c.config.start === false);
  }

  volumeNames(): string[] {
    return Object.values(this.json.resource?.docker_volume ?? {}).map((v) => this.resolve(v.name));
  }

  networkNames(): string[] {
    return Object.values(this.json.resource?.docker_network ?? {}).map((v) => this.resolve(v.name));
  }

  /** Volumes declared with prevent_destroy. */
  protectedVolumes(): { id: string; name: string }[] {
    return Object.entries(this.json.resource?.docker_volume ?? {})
      .filter(([, v]) => v.lifecycle?.prevent_destroy === true)
      .map(([id, v]) => ({ id, name: this.resolve(v.name) }));
  }

  /** The stand-in image each image variable gets (`<prefix>z3-e2e/<stand-in>:<version>`). */
  images(version: string | number): Record<string, string> {
    return Object.fromEntries(
      Object.keys(this.vars)
        .filter((v) => v.endsWith("_image") && STANDIN_FOR_IMAGE_VARIABLE[v])
        .map((v) => [v, `${this.imagePrefix}z3-e2e/${STANDIN_FOR_IMAGE_VARIABLE[v]}:${version}`]),
    );
  }

  /** Every secret value the suite passed (for leak scans). */
  secretValues(): string[] {
    return Object.values(this.secrets);
  }
}
