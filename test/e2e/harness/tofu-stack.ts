import { App, Construct, PgBackend, TerraformStack, TerraformVariable } from "../../../lib/cdk";
import { DockerProvider } from "../../../lib/docker";
import { ContainerImage, Network, Secret, Service, Volume } from "../../../lib";
import { DOCKER_HOST } from "./env";

/**
 * The stack of `11-opentofu`: one long-running service with a secret file and a stateful volume,
 * state in the `pg` backend like staging's, built from the project's constructs. Every Docker name
 * starts with `tofu-e2e-` and its state schema is `tofu_e2e_staging`, so it shares nothing with
 * another lane. Run as an app (`npx ts-node harness/tofu-stack.ts`) it is what `cdktf deploy
 * --app` synthesizes.
 */
export const TOFU_STACK = "tofu-e2e-staging";
export const TOFU_PREFIX = "tofu-e2e-";
export const TOFU_SCHEMA = "tofu_e2e_staging";
export const TOFU_SECRET_VARIABLE = "tofu_e2e_api_token";
export const TOFU_SECRET_PATH = "/run/secrets/api_token";
/** Built by the global setup (scripts/build-standins-e2e.sh); never pulled. */
const IMAGE = "z3-e2e/base:local";

export class TofuE2eStack extends TerraformStack {
  constructor(scope: Construct) {
    super(scope, TOFU_STACK);
    const dockerHost = new TerraformVariable(this, "docker_host", {
      type: "string",
      default: DOCKER_HOST,
      nullable: false,
      description: "Docker host to deploy to.",
    });
    new DockerProvider(this, "docker", { host: dockerHost.stringValue });
    // The connection string comes from PG_CONN_STR, as for the shipped staging stacks (stacks/
    // system-stack.ts): an empty conn_str left in the JSON is used as it is by OpenTofu (libpq's
    // defaults, 127.0.0.1:5432), while Terraform falls back to PG_CONN_STR.
    new PgBackend(this, { connStr: "", schemaName: TOFU_SCHEMA });
    this.addOverride("terraform.backend.pg.conn_str", undefined);
    const image = new ContainerImage(this, "Image", { reference: IMAGE });
    const network = new Network(this, "Network", { name: `${TOFU_PREFIX}net` });
    const data = new Volume(this, "Data", { name: `${TOFU_PREFIX}data`, stateful: true });
    const token = new Secret(this, "ApiToken", {
      variableName: TOFU_SECRET_VARIABLE,
      description: "API token of the OpenTofu e2e service",
    });
    new Service(this, "App", {
      name: `${TOFU_PREFIX}app`,
      image,
      user: "1000:1000",
      // PID 1 leaves on SIGTERM at once: destroys and replacements do not wait for the kill.
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
      resources: { memoryMiB: 64 },
      healthCheck: { test: ["CMD", "test", "-r", TOFU_SECRET_PATH], intervalSeconds: 2, timeoutSeconds: 2, retries: 3 },
      waitForHealthySeconds: 60,
      stopTimeoutSeconds: 5,
      networks: [{ network }],
      volumes: [data.mount("/data")],
      secretFiles: [token.file(TOFU_SECRET_PATH)],
    });
  }
}

/** Synthesizes the stack into `outdir` (the e2e file, and `cdktf deploy --app`). */
export function synthTofuStack(outdir?: string): void {
  const app = new App(outdir ? { outdir } : undefined);
  new TofuE2eStack(app);
  app.synth();
}

if (require.main === module) synthTofuStack();
