/*
 * One measured program of the scale benchmark (scripts/bench-scale.js): builds one stack with N
 * containers, each with its own volume and network, either through the `Service`/`Volume`/`Network`
 * constructs and the `StandardLabels` aspect of lib/ (`service`) or straight from the generated
 * provider classes re-exported by lib/docker.ts (`plain`), with the same Terraform attributes, then
 * synthesizes it.
 *
 *   bench-scale-probe <service|plain> <N> <outdir> [--no-token-traces]
 *       synthesize into outdir; prints {"build":s,"synth":s}. --no-token-traces skips the stack trace
 *       cdktf captures for every token, as scripts/synth.js does for `npm run synth`.
 *   bench-scale-probe --check [N]
 *       synthesize both variants (default N=2) and compare the JSON
 *
 * `--check` exits 1 when the two documents differ anywhere but in the `//` metadata (construct
 * paths): every resource type, logical id and attribute must be equal.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Aspects, Construct, TerraformStack } from "../lib/cdk";
import { Container, DockerProvider, Image, Network as DockerNetwork, Volume as DockerVolume } from "../lib/docker";
import { ContainerImage } from "../lib/image";
import { StandardLabels } from "../lib/labels";
import { Network } from "../lib/network";
import { HealthCheck, labelDigest, Service } from "../lib/service";
import { Volume } from "../lib/volume";

type Variant = "service" | "plain";

const STACK = "bench";
const ENVIRONMENT = "bench";
const IMAGE = "example/app:1.0";
const USER = "1000:1000";
const MEMORY_MIB = 256;
const CPUS = 0.5;
const CONTAINER_PORT = 8080;
const FIRST_HOST_PORT = 20000;
const DATA_PATH = "/data";
const HEALTH: HealthCheck = { test: ["CMD", "/bin/true"], intervalSeconds: 30, timeoutSeconds: 5, retries: 3 };

const names = (i: number) => ({ service: `svc-${i}`, volume: `svc-${i}-data`, network: `svc-${i}-net` });

function provider(stack: TerraformStack): void {
  new DockerProvider(stack, "docker", { host: "unix:///var/run/docker.sock" });
}

/**
 * The library path as the stacks use it: one ContainerImage, N × (Volume, Network, Service), and the
 * StandardLabels aspect adding `environment` to every container.
 */
function buildService(stack: TerraformStack, n: number): void {
  provider(stack);
  Aspects.of(stack).add(new StandardLabels({ environment: ENVIRONMENT }));
  const image = new ContainerImage(stack, "Image", { reference: IMAGE });
  for (let i = 0; i < n; i++) {
    const nm = names(i);
    const volume = new Volume(stack, `Data${i}`, { name: nm.volume });
    const network = new Network(stack, `Net${i}`, { name: nm.network, internal: false });
    new Service(stack, `Svc${i}`, {
      name: nm.service,
      image,
      user: USER,
      volumes: [volume.mount(DATA_PATH)],
      networks: [{ network }],
      ports: [{ containerPort: CONTAINER_PORT, hostPort: FIRST_HOST_PORT + i, kind: "http" }],
      healthCheck: HEALTH,
      resources: { memoryMiB: MEMORY_MIB, cpus: CPUS },
    });
  }
}

/**
 * The hand-written path: the generated classes with every attribute the Service path emits, written
 * out as literals. Construct ids are chosen so the logical ids match (`svc0`, `data0`, `net0`, and
 * the image's path-derived id under an `Image` scope).
 */
function buildPlain(stack: TerraformStack, n: number): void {
  provider(stack);
  const image = new Image(new Construct(stack, "Image"), "Resource", { name: IMAGE, keepLocally: true });
  const imageId = image.imageId;
  const healthDigest = labelDigest(JSON.stringify(HEALTH));
  for (let i = 0; i < n; i++) {
    const nm = names(i);
    const volume = new DockerVolume(stack, `data${i}`, { name: nm.volume, driver: "local", labels: [] });
    const network = new DockerNetwork(stack, `net${i}`, { name: nm.network, driver: "bridge", internal: false, labels: [] });
    new Container(stack, `svc${i}`, {
      name: nm.service,
      image: imageId,
      hostname: nm.service,
      user: USER,
      env: [],
      readOnly: true,
      capabilities: { drop: ["ALL"], add: [] },
      securityOpts: ["no-new-privileges:true"],
      privileged: false,
      restart: "unless-stopped",
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
      memory: MEMORY_MIB,
      memorySwap: MEMORY_MIB,
      cpuPeriod: 100000,
      cpuQuota: 50000,
      cpuShares: 512,
      healthcheck: { test: [...HEALTH.test], interval: "30s", timeout: "5s", retries: 3, startPeriod: "0s" },
      networksAdvanced: [{ name: nm.network, aliases: [nm.service] }],
      ports: [{ internal: CONTAINER_PORT, external: FIRST_HOST_PORT + i, protocol: "tcp", ip: "127.0.0.1" }],
      volumes: [{ volumeName: nm.volume, containerPath: DATA_PATH, readOnly: false }],
      stopTimeout: 10,
      destroyGraceSeconds: 10,
      labels: [
        { label: "cpu-limit", value: String(CPUS) },
        { label: "environment", value: ENVIRONMENT },
        { label: "healthcheck-digest", value: healthDigest },
        { label: "service", value: nm.service },
      ],
      mustRun: true,
      rm: false,
      dependsOn: [volume, network],
    });
  }
}

/** Builds and synthesizes one variant; returns the seconds spent in each phase. */
function run(variant: Variant, n: number, outdir: string): { build: number; synth: number } {
  const t0 = process.hrtime.bigint();
  const app = new App({ outdir });
  const stack = new TerraformStack(app, STACK);
  (variant === "service" ? buildService : buildPlain)(stack, n);
  const t1 = process.hrtime.bigint();
  app.synth();
  const t2 = process.hrtime.bigint();
  return { build: Number(t1 - t0) / 1e9, synth: Number(t2 - t1) / 1e9 };
}

/** The synthesized document without `//` keys (construct paths and other metadata). */
function stripped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripped);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => k !== "//")
        .map(([k, v]) => [k, stripped(v)]),
    );
  }
  return value;
}

/** Every place two JSON values differ, as `path: a !== b` lines. */
function differences(a: unknown, b: unknown, at = "$", out: string[] = []): string[] {
  const isObj = (v: unknown) => v !== null && typeof v === "object";
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
    for (const k of keys) differences(ao[k], bo[k], `${at}.${k}`, out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${at}: service=${JSON.stringify(a)} plain=${JSON.stringify(b)}`);
  }
  return out;
}

/** The part of a synthesized stack the check reads. */
type StackDoc = { resource?: Record<string, Record<string, unknown>> };

function stackJson(outdir: string): StackDoc {
  return JSON.parse(fs.readFileSync(path.join(outdir, "stacks", STACK, "cdk.tf.json"), "utf8"));
}

function check(n: number): number {
  const dirs = {
    service: fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-check-")),
    plain: fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-check-")),
  };
  try {
    run("service", n, dirs.service);
    run("plain", n, dirs.plain);
    const service = stackJson(dirs.service);
    const plain = stackJson(dirs.plain);
    const diffs = differences(stripped(service), stripped(plain));
    const summary = (doc: StackDoc) =>
      Object.entries(doc.resource ?? {})
        .map(([type, byId]) => `${type}: ${Object.keys(byId).sort().join(", ")}`)
        .join("; ");
    const expected = { docker_container: n, docker_volume: n, docker_network: n, docker_image: 1 };
    const counts = Object.entries(expected).filter(([type, want]) => Object.keys(service.resource?.[type] ?? {}).length !== want);
    if (diffs.length > 0 || counts.length > 0) {
      console.error(`check N=${n}: the service and plain documents differ`);
      for (const [type, want] of counts)
        console.error(`  service has ${Object.keys(service.resource?.[type] ?? {}).length} ${type}, expected ${want}`);
      for (const d of diffs.slice(0, 50)) console.error(`  ${d}`);
      if (diffs.length > 50) console.error(`  … ${diffs.length - 50} more`);
      return 1;
    }
    console.log(`check N=${n}: equal apart from // metadata (${summary(service)})`);
    return 0;
  } finally {
    fs.rmSync(dirs.service, { recursive: true, force: true });
    fs.rmSync(dirs.plain, { recursive: true, force: true });
  }
}

/** The same patch scripts/synth.js applies: no stack traces on plain objects (cdktf's token traces). */
function skipTokenTraces(): void {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = (target: object, below?: Parameters<typeof capture>[1]) => {
    if (target instanceof Error) capture(target, below);
    else (target as { stack?: string }).stack = "";
  };
}

function main(argv: string[]): number {
  if (argv[0] === "--check") return check(argv[1] !== undefined ? Number(argv[1]) : 2);
  const [variant, nText, outdir, flag] = argv;
  const n = Number(nText);
  if (
    (variant !== "service" && variant !== "plain") ||
    !Number.isInteger(n) ||
    n < 1 ||
    !outdir ||
    (flag !== undefined && flag !== "--no-token-traces")
  ) {
    console.error("usage: bench-scale-probe <service|plain> <N> <outdir> [--no-token-traces] | --check [N]");
    return 2;
  }
  if (flag === "--no-token-traces") skipTokenTraces();
  console.log(JSON.stringify(run(variant, n, outdir)));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
