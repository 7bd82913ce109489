/**
 * The synthesized Terraform JSON as the tests read it: the resources and blocks of kreuzwerker/docker
 * 4.6 that the stacks emit, attribute names as Terraform spells them. A number or a boolean may also
 * be a Terraform expression (`"${var.x}"`), so those attributes are typed with `TfExpr`. Attributes the
 * stacks do not set yet are reached through the index signature as `unknown`: narrow them in the test.
 */

/** A Terraform expression written as a string, e.g. `"${var.zebra_image}"`. */
export type TfExpr = string;

/** Any value of the JSON (a literal, a list, an object). */
export type TfValue = string | number | boolean | null | TfValue[] | { [key: string]: TfValue };

/** A block with attributes the tests do not name. */
export interface TfBlock {
  [attribute: string]: unknown;
}

export interface TfLifecycle {
  ignore_changes: string[] | string;
  replace_triggered_by: string[];
  create_before_destroy: boolean;
  prevent_destroy: boolean;
  precondition: { condition: string; error_message: string }[];
  postcondition: { condition: string; error_message: string }[];
}

/** Attributes every resource may carry (Terraform meta-arguments). */
export interface TfResource extends TfBlock {
  /** cdktf's metadata: the construct path the policy report and its suppressions name. */
  "//": { metadata: { path: string; uniqueId: string } };
  count: number | TfExpr;
  depends_on: string[];
  lifecycle: TfLifecycle;
  provider: string;
}

export interface TfLabel {
  label: string;
  value: string;
}

export interface TfHealthcheck {
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  start_period: string;
  start_interval: string;
}

export interface TfUpload {
  file: string;
  content: string;
  content_base64?: string;
  executable: boolean;
  permissions: string;
  owner: string;
  group: string;
  source: string;
  source_hash: string;
}

/** `docker_container`. */
export interface DockerContainer extends TfResource {
  name: string;
  image: string;
  attach: boolean;
  capabilities: { add: string[]; drop: string[] };
  command: string[];
  cpu_period: number;
  cpu_quota: number;
  cpu_shares: number;
  destroy_grace_seconds: number;
  entrypoint: string[];
  env: string[];
  healthcheck: TfHealthcheck;
  hostname: string;
  labels: TfLabel[];
  log_driver: string;
  log_opts: Record<string, string>;
  memory: number;
  memory_swap: number;
  must_run: boolean;
  network_mode: string;
  networks_advanced: { name: string; aliases: string[]; ipv4_address?: string }[];
  ports: { internal: number; external: number; ip: string; protocol: string }[];
  privileged: boolean;
  read_only: boolean;
  restart: string;
  rm: boolean;
  security_opts: string[];
  start: boolean;
  stop_timeout: number;
  tmpfs: Record<string, string>;
  upload: TfUpload[];
  user: string;
  volumes: { container_path: string; volume_name: string; host_path: string; read_only: boolean }[];
  wait: boolean;
  wait_timeout: number;
  working_dir: string;
}

export interface DockerServiceMount {
  target: string;
  type: string;
  source: string;
  read_only: boolean;
  tmpfs_options: { mode: number; size_bytes: number };
}

/** Where a `docker_config` or `docker_secret` appears in a service's containers. */
export interface DockerServiceFile {
  file_name: string;
  file_uid: string;
  file_gid: string;
  file_mode: number;
}

export interface DockerServiceContainerSpec extends TfBlock {
  image: string;
  args: string[];
  cap_add: string[];
  cap_drop: string[];
  command: string[];
  configs: (DockerServiceFile & { config_id: string; config_name: string })[];
  env: Record<string, string>;
  groups: string[];
  healthcheck: TfHealthcheck;
  hostname: string;
  labels: TfLabel[];
  mounts: DockerServiceMount[];
  read_only: boolean;
  secrets: (DockerServiceFile & { secret_id: string; secret_name: string })[];
  stop_grace_period: string;
  sysctl: Record<string, string>;
  user: string;
}

export interface DockerServiceUpdateConfig {
  delay: string;
  failure_action: string;
  max_failure_ratio: string;
  monitor: string;
  order: string;
  parallelism: number;
}

/** `docker_service`. */
export interface DockerService extends TfResource {
  name: string;
  labels: TfLabel[];
  mode: { replicated: { replicas: number | TfExpr }; global: boolean };
  converge_config: { delay: string; timeout: string };
  endpoint_spec: { mode: string; ports: { target_port: number; published_port: number; publish_mode: string; protocol: string }[] };
  update_config: DockerServiceUpdateConfig;
  rollback_config: DockerServiceUpdateConfig;
  task_spec: TfBlock & {
    container_spec: DockerServiceContainerSpec;
    log_driver: { name: string; options: Record<string, string> };
    networks_advanced: { id: string; aliases: string[]; driver_opts: string[] }[];
    placement: { constraints: string[]; max_replicas: number };
    resources: { limits: { memory_bytes: number; nano_cpus: number }; reservation: { memory_bytes: number; nano_cpus: number } };
    restart_policy: { condition: string; delay: string; max_attempts: number; window: string };
  };
}

/** `docker_volume`. */
export interface DockerVolume extends TfResource {
  name: string;
  driver: string;
  driver_opts: Record<string, string>;
  labels: TfLabel[];
}

/** `docker_network`. */
export interface DockerNetwork extends TfResource {
  name: string;
  driver: string;
  internal: boolean;
  attachable: boolean;
  labels: TfLabel[];
}

/** `docker_image`. */
export interface DockerImage extends TfResource {
  name: string;
  keep_locally: boolean;
  pull_triggers: string[];
  /** Set only for an image built from a checkout. */
  build: { context: string; dockerfile: string; target: string; tag: string[]; build_args: Record<string, string> };
}

/** `docker_secret` and `docker_config`: `data` is base64, usually an expression. */
export interface DockerSecret extends TfResource {
  name: string;
  data: string;
  labels: TfLabel[];
}

/** `terraform_data`. */
export interface TerraformData extends TfResource {
  input: TfValue;
  triggers_replace: TfValue;
}

/** `data.docker_registry_image`. */
export interface DockerRegistryImage extends TfResource {
  name: string;
  for_each: string;
}

/** `variable.<name>`. */
export interface TfVariable extends TfBlock {
  type: string;
  default: TfValue;
  description: string;
  sensitive: boolean;
  nullable: boolean;
  validation: { condition: string; error_message: string }[];
}

/** `provider.docker[i]`. */
export interface DockerProvider extends TfBlock {
  host: string;
  cert_path: string;
  ssh_opts: string[];
  dynamic: { registry_auth: { for_each: string; content: { address: string; username: string; password: string } } };
}

/** The resource types the tests name; any other is a `TfResource`. */
export interface TfResources {
  docker_container: Record<string, DockerContainer>;
  docker_service: Record<string, DockerService>;
  docker_volume: Record<string, DockerVolume>;
  docker_network: Record<string, DockerNetwork>;
  docker_image: Record<string, DockerImage>;
  docker_secret: Record<string, DockerSecret>;
  docker_config: Record<string, DockerSecret>;
  terraform_data: Record<string, TerraformData>;
  [type: string]: Record<string, TfResource>;
}

/**
 * Synthesized Terraform JSON of one stack, parsed. A stack without a kind of block has no key for it:
 * the types say what a block holds when it is there, and a test that reads one asserts it.
 */
export interface TfJson {
  resource: TfResources;
  data: { docker_registry_image: Record<string, DockerRegistryImage>; [type: string]: Record<string, TfResource> };
  variable: Record<string, TfVariable>;
  terraform: TfBlock & {
    required_providers: Record<string, { source: string; version: string }>;
    backend: Record<string, TfBlock>;
  };
  provider: { docker: DockerProvider[]; [name: string]: TfBlock[] };
  output: Record<string, TfBlock & { value: TfValue; sensitive: boolean }>;
  /** The stacks' locals are file templates: strings. */
  locals: Record<string, string>;
  moved: { from: string; to: string }[];
  /** Terraform `check` blocks: assertions that warn at plan time. */
  check: Record<string, TfBlock & { assert: { condition: string; error_message: string }[] }>;
}
