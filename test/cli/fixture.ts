import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExecResult } from "../../tools/verify/docker-api";
import { DockerRunner } from "../../tools/cli/docker-runner";
import { TerraformRunner } from "../../tools/cli/terraform-runner";

/** A synthesized stack as `npm run synth` writes it, reduced to what the operator commands read. */
export function stackJson(release = "0.1.0+aaaaaaa"): Record<string, unknown> {
  const label = (l: string, v: string) => ({ label: l, value: v });
  return {
    variable: {
      docker_host: { type: "string" },
      docker_cert_path: { type: "string", default: "" },
      app_image: { type: "string" },
      backup_repository: { type: "string", default: "" },
    },
    resource: {
      docker_container: {
        app: {
          name: "shop-dev-app",
          image: "${docker_image.app.image_id}",
          must_run: true,
          healthcheck: { test: ["CMD", "true"], interval: "10s", timeout: "5s", retries: 3 },
          labels: [label("release", release), label("service", "shop-dev-app")],
        },
        app_files: { name: "shop-dev-app-files", start: false, must_run: false, labels: [label("role", "files-loader")] },
        migrate: { name: "shop-dev-migrate", must_run: false, labels: [label("release", release)] },
        backup_runner: {
          name: "shop-dev-backup",
          count: '${var.backup_repository != "" ? 1 : 0}',
          must_run: true,
          labels: [label("release", release), label("role", "backup")],
        },
        backup_runner_files: {
          name: "shop-dev-backup-files",
          start: false,
          must_run: false,
          count: '${var.backup_repository != "" ? 1 : 0}',
          upload: [
            {
              file: "/etc/restic/sources.json",
              content: JSON.stringify({ stack: "shop-dev", sources: [{ kind: "files", volume: "shop-dev-data", companions: [] }] }),
            },
          ],
        },
      },
      docker_service: {
        api: {
          name: "shop-dev-api",
          labels: [label("release", release)],
          task_spec: { container_spec: { image: "x" } },
          mode: { replicated: { replicas: 2 } },
        },
      },
      docker_volume: { data: { name: "shop-dev-data" } },
    },
  };
}

/** `<tmp>/out/stacks/shop-dev/cdk.tf.json` (and any other release's output beside it). */
export function synthDir(json: Record<string, unknown> = stackJson(), stack = "shop-dev"): { root: string; out: string; dir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "z3ops-test-"));
  const out = path.join(root, "out");
  const dir = path.join(out, "stacks", stack);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(json, null, 2));
  return { root, out, dir };
}

const ok = (stdout: string): ExecResult => ({ code: 0, stdout, stderr: "" });

/** A Docker host answering from a table of `docker …` argument strings; records every call. */
export function fakeDocker(answers: Record<string, ExecResult | string>): DockerRunner & { calls: string[] } {
  const calls: string[] = [];
  const answer = (args: readonly string[]) => {
    const key = args.join(" ");
    calls.push(key);
    const a = answers[key];
    if (a === undefined) return { code: 1, stdout: "", stderr: `Error: No such object: ${args[args.length - 1]}` };
    return typeof a === "string" ? ok(a) : a;
  };
  return {
    calls,
    capture: async (args) => answer(args),
    attach: async (args) => answer(args).code,
  };
}

/** A Docker host or Terraform that fails the test when it is reached at all. */
export const unreachableDocker: DockerRunner = {
  capture: async (args) => {
    throw new Error(`docker ${args.join(" ")} was called`);
  },
  attach: async (args) => {
    throw new Error(`docker ${args.join(" ")} was called`);
  },
};
export const unreachableTerraform: TerraformRunner = {
  run: async (args) => {
    throw new Error(`terraform ${args.join(" ")} was called`);
  },
};

/** Terraform answering by subcommand; records every call with its directory. */
export function fakeTerraform(answers: Record<string, ExecResult>): TerraformRunner & { calls: { args: string[]; cwd: string }[] } {
  const calls: { args: string[]; cwd: string }[] = [];
  return {
    calls,
    run: async (args, opts) => {
      calls.push({ args: [...args], cwd: opts.cwd });
      return answers[args[0]] ?? { code: 1, stdout: "", stderr: `no answer for ${args[0]}` };
    },
  };
}
