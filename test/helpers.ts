import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Construct, TerraformLocal, TerraformStack, Testing } from "../lib/cdk";
import { ContainerImage, FileText, Network } from "../lib";
import { DeploymentTarget, setDeploymentTarget, SwarmTarget } from "../lib/target";
import type { DeploymentSettings } from "../config/common";
import type { EnvironmentSettings } from "../config/settings";
import type { DockerContainer, DockerService, TfJson, TfLabel, TfUpload } from "./tf-json";

export type { DockerContainer, DockerService, TfJson, TfLabel, TfResource, TfUpload } from "./tf-json";

export function synthJson(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack));
}

/**
 * Files' templates as the synthesized JSON carries them (Terraform values written as expressions),
 * made in a bare stack: render them with `renderTemplates` (test/real-readers.ts).
 */
export function synthesizedTemplates(make: (stack: TerraformStack) => Readonly<Record<string, FileText>>): Record<string, string> {
  const stack = new TerraformStack(Testing.app(), "test");
  const files = make(stack);
  for (const [name, file] of Object.entries(files)) new TerraformLocal(stack, name, file.template);
  return synthJson(stack).locals as Record<string, string>;
}

/** The swarm target of the shipped staging environment. */
export const STAGING_SWARM: SwarmTarget = { kind: "swarm", endpointMode: "dnsrr", encryptOverlay: false, dataNodeLabel: "z3-infra.data" };

/**
 * A bare stack for L2 construct tests, with one image and one non-internal network. With a target, the
 * stack declares it before any child (as `SystemStack` does).
 */
export function scratchStack(target?: DeploymentTarget): {
  stack: TerraformStack;
  image: ContainerImage;
  network: Network;
  scope: Construct;
} {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "test");
  if (target) setDeploymentTarget(stack, target);
  const image = new ContainerImage(stack, "Image", { reference: "example/app:1.0" });
  const network = new Network(stack, "Net", { name: "test-net", internal: false });
  return { stack, image, network, scope: stack };
}

export function container(json: TfJson, id: string): DockerContainer {
  const c = json.resource.docker_container?.[id];
  if (!c) throw new Error(`no docker_container.${id}; have: ${Object.keys(json.resource.docker_container ?? {}).join(", ")}`);
  return c;
}

/** The `docker_service` at `id`. */
export function swarmService(json: TfJson, id: string): DockerService {
  const s = json.resource.docker_service?.[id];
  if (!s) throw new Error(`no docker_service.${id}; have: ${Object.keys(json.resource.docker_service ?? {}).join(", ")}`);
  return s;
}

/** The systems of an environment's settings that have a `deployment`. */
export type DeployableSystem = "z3" | "jessy" | "zfsSync";

/**
 * One environment's settings with one system's deployment replaced, e.g. the shipped staging settings
 * rendered on the containers target. The environment-level `swarm` settings are kept.
 */
export function withDeployment(
  settings: EnvironmentSettings,
  system: DeployableSystem,
  deployment: DeploymentSettings,
): EnvironmentSettings {
  return { ...settings, [system]: { ...settings[system], deployment } } as EnvironmentSettings;
}

/** One environment's settings with `system` on the containers target (same services, same names). */
export function onContainers(settings: EnvironmentSettings, system: DeployableSystem): EnvironmentSettings {
  return withDeployment(settings, system, { target: "containers" });
}

export function envMap(c: Pick<DockerContainer, "env">): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e: string) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

export function labelMap(c: { labels?: TfLabel[] }): Record<string, string> {
  return Object.fromEntries((c.labels ?? []).map((l) => [l.label, l.value]));
}

/** The upload blocks of a service: carried by its never-started files loader (`<id>_files`). */
export function uploadsOf(json: TfJson, id: string): TfUpload[] {
  return json.resource.docker_container?.[`${id}_files`]?.upload ?? [];
}

/** The upload block of a service whose path passes `file` (a path, or a test of one). */
export function uploadOf(json: TfJson, id: string, file: string | ((path: string) => boolean)): TfUpload {
  const matches = typeof file === "string" ? (p: string) => p === file : file;
  const u = uploadsOf(json, id).find((x) => matches(x.file));
  if (!u)
    throw new Error(
      `no upload ${String(file)} in docker_container.${id}_files; have: ${uploadsOf(json, id)
        .map((x) => x.file)
        .join(", ")}`,
    );
  return u;
}

/** CPU limit in cores, from the CFS quota over the 100 ms period. */
export function cpusOf(c: Pick<DockerContainer, "cpu_quota" | "cpu_period">): number | undefined {
  return c.cpu_quota === undefined || c.cpu_period === undefined ? undefined : c.cpu_quota / c.cpu_period;
}

/**
 * Bundles an entry point the way scripts/synth.js does (esbuild: no type check) and runs it with
 * node, as `npm run synth` would; `outdir` is where it synthesizes.
 */
export function runBundledEntry(entry: string): { status: number | null; stdout: string; stderr: string; outdir: string } {
  const root = path.resolve(__dirname, "..");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-entry-"));
  const bundle = path.join(dir, "main.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("esbuild").buildSync({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    nodePaths: [path.join(root, "node_modules")],
    logLevel: "error",
  });
  const outdir = path.join(dir, "cdktf.out");
  const r = spawnSync(process.execPath, [bundle], {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir, NODE_PATH: path.join(root, "node_modules"), CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", outdir };
}

/**
 * The condition of a secret's length check, a precondition of `terraform_data.<name>_length`. Throws
 * when the variable has a validation of its own: Terraform prints the value of a variable whose own
 * validation fails, sensitive or not.
 */
export function lengthCheck(json: TfJson, name: string): string {
  if (json.variable?.[name]?.validation !== undefined)
    throw new Error(`variable.${name} has a validation, which would print its value when it fails`);
  const check = json.resource.terraform_data?.[`${name}_length`];
  if (!check) throw new Error(`no terraform_data.${name}_length; have: ${Object.keys(json.resource.terraform_data ?? {}).join(", ")}`);
  return check.lifecycle.precondition[0].condition;
}
