/**
 * Plan fixtures for the review tools: the recorded plans (real `terraform show -json` output, see
 * fixtures/recording/record.sh) and a builder for small hand-made plans of the same shape.
 */
import * as fs from "fs";
import * as path from "path";

export const FIXTURES = path.join(__dirname, "fixtures");

export function loadFixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
}

/** Values the recorded plans hold in plain text (sensitive variable, uploaded token, env password). */
export const RECORDED_SECRETS = ["tok-canary-v1-0123456789", "tok-canary-v2-9876543210", "hunter2-canary-v1", "hunter2-canary-v2"];

type Marks = boolean | Marks[] | { [key: string]: Marks };

export interface ChangeSpec {
  address: string;
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: Marks;
  before_sensitive?: Marks;
  after_sensitive?: Marks;
  replace_paths?: (string | number)[][];
  action_reason?: string;
  previous_address?: string;
  mode?: "managed" | "data";
}

/** A plan in the shape of `terraform show -json` (format_version 1.2, Terraform 1.11). */
export function plan(changes: ChangeSpec[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    variables: {},
    planned_values: { root_module: {} },
    resource_changes: changes.map((c) => {
      const [type, name] = c.address.replace(/^data\./, "").split(".");
      return {
        address: c.address,
        ...(c.previous_address ? { previous_address: c.previous_address } : {}),
        mode: c.mode ?? (c.address.startsWith("data.") ? "data" : "managed"),
        type,
        name,
        provider_name: "registry.terraform.io/kreuzwerker/docker",
        change: {
          actions: c.actions,
          before: c.before ?? null,
          after: c.after ?? null,
          after_unknown: c.after_unknown ?? {},
          before_sensitive: c.before_sensitive ?? (c.before ? {} : false),
          after_sensitive: c.after_sensitive ?? (c.after ? {} : false),
          ...(c.replace_paths ? { replace_paths: c.replace_paths } : {}),
        },
        ...(c.action_reason ? { action_reason: c.action_reason } : {}),
      };
    }),
    configuration: { root_module: {} },
    timestamp: "2026-11-22T19:40:00Z",
    applyable: true,
    complete: true,
    errored: false,
    ...extra,
  };
}

/** A docker_container body as the provider reads it back (trimmed to what matters here). */
export function container(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    image: "sha256:5ad15091fba974d1320b6601c00a4c680827994f2f16c08be9add33fc8a5b9d5",
    must_run: true,
    attach: false,
    restart: "unless-stopped",
    memory: 64,
    env: [],
    labels: [{ label: "service", value: name }],
    healthcheck: [],
    tmpfs: {},
    init: false,
    cpu_period: null,
    cpu_quota: null,
    upload: [],
    ...extra,
  };
}

export function volume(name: string, stateful: boolean): Record<string, unknown> {
  return {
    driver: "local",
    driver_opts: {},
    id: name,
    labels: stateful ? [{ label: "stateful", value: "true" }] : [],
    mountpoint: `/var/lib/docker/volumes/${name}/_data`,
    name,
  };
}
