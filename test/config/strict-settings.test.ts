import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildApp, synthesize } from "../../app";
import { closestKey, editDistance } from "../../config/common";
import { ENVIRONMENTS } from "../../config/environments";
import { parseSettings } from "../../config/settings";
import { Testing } from "../../lib/cdk";
import { runBundledEntry } from "../helpers";
import { clone, problems, put } from "./settings-helpers";

/**
 * Settings are parsed strictly (config/common.ts `strictObject`, `integer`, `freeText`): an unknown
 * key, a number past its bound and a Terraform template in a string are problems, reported like every
 * other one ([env] path: got X; allowed: Y).
 */

const TEMPLATE = `without "\${" or "%{" (Terraform would evaluate it as an interpolation or a template directive)`;
const LIMIT_KEYS = "(keys of z3.resources.zaino: memoryMiB, cpus)";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every value of the settings, with its path (objects and arrays included), depth first. */
function leaves(value: unknown, at: (string | number)[] = []): { path: (string | number)[]; value: unknown }[] {
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : isObject(value) ? Object.entries(value) : [];
  return [{ path: at, value }, ...children.flatMap(([k, v]) => leaves(v, [...at, k]))];
}
/** The object at `p` under `root` (the path of a value whose parent is an object or an array). */
const at = (root: unknown, p: readonly (string | number)[]): Record<string | number, unknown> =>
  p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;

describe("unknown keys", () => {
  test("a misspelt memory limit in staging is reported with the key it most likely means", () => {
    const all = clone();
    all.staging.z3.resources.zaino = { memoryMib: 4096, cpus: 2 } as never;
    expect(problems(all)).toEqual([
      `[staging] z3.resources.zaino.memoryMib: got 4096; allowed: no key \`memoryMib\`: did you mean \`memoryMiB\`? ${LIMIT_KEYS}`,
    ]);
  });

  test("in production the misspelling comes first, and explains the missing limit", () => {
    const all = clone();
    all.production.z3.resources.zaino = { memoryMib: 4096, cpus: 2 } as never;
    expect(problems(all)).toEqual([
      `[production] z3.resources.zaino.memoryMib: got 4096; allowed: no key \`memoryMib\`: did you mean \`memoryMiB\`? ${LIMIT_KEYS}`,
      "[production] z3.resources.zaino.memoryMiB: got (not set); allowed: a memory limit in MiB (this environment requires resource limits)",
    ]);
  });

  test("`cpu` for `cpus`", () => {
    const all = clone();
    all.staging.z3.resources.zaino = { memoryMiB: 4096, cpu: 2 } as never;
    expect(problems(all)).toEqual([
      `[staging] z3.resources.zaino.cpu: got 2; allowed: no key \`cpu\`: did you mean \`cpus\`? ${LIMIT_KEYS}`,
    ]);
  });

  test("`backups` for `backup`, at the top level of an environment", () => {
    const all = clone();
    put(all.dev, { backups: all.dev.backup });
    delete all.dev.backup;
    expect(problems(all)).toEqual([
      `[dev] backups: got ${JSON.stringify(ENVIRONMENTS.dev.backup)}; allowed: no key \`backups\`: did you mean \`backup\`? ` +
        "(top-level keys: name, defaultDockerHost, backend, policyPack, requireResourceLimits, protectData, requirePinnedImages, swarm, backup, z3, jessy, zfsSync)",
    ]);
  });

  test("a misspelt service in resources", () => {
    const all = clone();
    put(all.staging.z3.resources, { zainod: all.staging.z3.resources.zaino });
    delete all.staging.z3.resources.zaino;
    expect(problems(all)).toEqual([
      '[staging] z3.resources.zainod: got {"memoryMiB":4096,"cpus":2}; allowed: no key `zainod`: did you mean `zaino`? ' +
        "(keys of z3.resources: zebra, cookiePermissions, zaino, zallet, rpcRouter, prometheus, grafana, alertmanager)",
    ]);
  });

  test("a renamed setting names its new name", () => {
    const all = clone();
    put(all.dev.z3, { zebraRustLog: "info" });
    expect(problems(all)).toEqual([
      '[dev] z3.zebraRustLog: got "info"; allowed: no key `zebraRustLog`: it was renamed to `zebraLogFilter` ' +
        "(keys of z3: network, images, rpcRouter, monitoring, publishP2P, resources, logging, minerAddress, zebraLogFilter, zebraReleases, zebraWaitSeconds, deployment, alerting)",
    ]);
  });

  test("a key far from every known one gets no suggestion; each unknown key is a problem of its own", () => {
    const all = clone();
    put(all.dev.backup!, { schedule: "@hourly", retention: 7 });
    const keys = "(keys of backup: required, image, intervalMinutes, keep, maxAgeMinutes, rebuildable, resources, logging)";
    expect(problems(all)).toEqual([
      `[dev] backup.schedule: got "@hourly"; allowed: no key \`schedule\` ${keys}`,
      `[dev] backup.retention: got 7; allowed: no key \`retention\` ${keys}`,
    ]);
  });

  test("a key of the other deployment target says why", () => {
    const all = clone();
    all.staging.jessy.deployment = { target: "containers", replicas: { api: 2 } } as never;
    expect(problems(all)).toEqual([
      '[staging] jessy.deployment.replicas: got {"api":2}; allowed: no key `replicas` (keys of jessy.deployment: target; replicas need target "swarm")',
    ]);
  });

  test("an unknown key does not hide the other problems of its environment", () => {
    const all = clone();
    put(all.production.z3, { network: "mainnet" });
    all.production.protectData = false;
    put(all.production.zfsSync.proxy!, { hstsMaxAge: 1 });
    expect(problems(all)).toEqual([
      "[production] protectData: got false; allowed: true in the production environment",
      '[production] z3.network: got "mainnet"; allowed: one of "Mainnet", "Testnet", "Regtest"',
      "[production] zfsSync.proxy.hstsMaxAge: got 1; allowed: no key `hstsMaxAge`: did you mean `hstsMaxAgeSeconds`? " +
        "(keys of zfsSync.proxy: httpsPort, requestsPerSecond, burst, maxRequestBodyMiB, hstsMaxAgeSeconds, waitForHealthySeconds)",
    ]);
  });

  test.each(["dev", "staging", "production"] as const)("every object of the shipped %s settings refuses a key it does not have", (env) => {
    const all = clone();
    // Objects the shipped settings do not have: a stated Zebra release and an e-mail receiver.
    if (env === "production") {
      all.production.z3.zebraReleases = [
        { image: "zfnd/zebra:7.9.0", version: "7.9.0", estimatedReleaseHeight: 3_700_000, endOfSupportDays: 56 },
      ];
      all.production.z3.alerting!.receivers.push({
        kind: "email",
        name: "mail",
        severities: ["warning"],
        smarthost: "smtp.example.org:587",
        from: "a@example.org",
        to: ["b@example.org"],
      });
    }
    expect(problems(all)).toEqual([]);
    const objects = leaves(all[env]).filter((l) => isObject(l.value));
    for (const o of objects) (o.value as Json).zzExtra = true;
    const found = problems(all).filter((line) => line.includes("no key `zzExtra`"));
    const pathOf = (line: string) => line.slice(`[${env}] `.length, line.indexOf(": got true; allowed: no key `zzExtra` ("));
    expect(found.map(pathOf).sort()).toEqual(objects.map((o) => [...o.path, "zzExtra"].join(".")).sort());
    expect(objects.length).toBeGreaterThan(20);
  });
});

describe("Terraform templates in strings", () => {
  test("the wallet key cannot reach Zebra's environment through its log filter", () => {
    const all = clone();
    all.staging.z3.zebraLogFilter = "info,${var.zallet_identity}";
    expect(problems(all)).toEqual([
      `[staging] z3.zebraLogFilter: got "info,\${var.zallet_identity}"; allowed: a non-empty tracing filter such as "info" (an empty ZEBRA_ variable breaks Zebra's config parsing), ${TEMPLATE}`,
    ]);
  });

  test("Jessy's RUST_LOG", () => {
    const all = clone();
    all.staging.jessy.rustLog = "jessy=${var.api_key}";
    expect(problems(all)).toEqual([
      `[staging] jessy.rustLog: got "jessy=\${var.api_key}"; allowed: a non-empty RUST_LOG filter, ${TEMPLATE}`,
    ]);
  });

  test("Jessy's source path", () => {
    const all = clone();
    all.dev.jessy.source!.path = "/srv/${path.module}/jessy";
    expect(problems(all)).toEqual([
      `[dev] jessy.source.path: got "/srv/\${path.module}/jessy"; allowed: an absolute path of a Jessy checkout, ${TEMPLATE}`,
    ]);
  });

  test("the default Docker host", () => {
    const all = clone();
    all.dev.defaultDockerHost = "ssh://${var.deploy_user}@host";
    expect(problems(all)).toEqual([
      `[dev] defaultDockerHost: got "ssh://\${var.deploy_user}@host"; allowed: a unix://, tcp:// or ssh:// Docker host, ${TEMPLATE}`,
    ]);
  });

  test("a template directive (%{) as well", () => {
    const all = clone();
    all.dev.z3.zebraLogFilter = "%{ if true }debug%{ endif }";
    all.dev.jessy.rustLog = "jessy=%{for k in var.x}${k}%{endfor}";
    expect(problems(all)).toEqual([
      `[dev] z3.zebraLogFilter: got "%{ if true }debug%{ endif }"; allowed: a non-empty tracing filter such as "info" (an empty ZEBRA_ variable breaks Zebra's config parsing), ${TEMPLATE}`,
      `[dev] jessy.rustLog: got "jessy=%{for k in var.x}\${k}%{endfor}"; allowed: a non-empty RUST_LOG filter, ${TEMPLATE}`,
    ]);
  });

  test("a lone $ or % is text", () => {
    const all = clone();
    all.dev.z3.zebraLogFilter = "info,zebrad=debug";
    all.dev.jessy.rustLog = "jessy=info,100%";
    all.dev.jessy.source!.path = "/srv/$jessy";
    expect(problems(all)).toEqual([]);
  });

  test.each(["${var.x}", "%{ if true }x%{ endif }"])("no string setting of any environment accepts %p", (template) => {
    for (const env of ["dev", "staging", "production"] as const) {
      const strings = leaves(clone()[env]).filter((l) => typeof l.value === "string");
      expect(strings.length).toBeGreaterThan(10);
      for (const s of strings) {
        const all = clone();
        const parent = at(all[env], s.path.slice(0, -1));
        parent[s.path[s.path.length - 1]] = `${s.value}${template}`;
        const where = `[${env}] ${s.path.join(".")}: `;
        expect([where, problems(all).some((line) => line.startsWith(where))]).toEqual([where, true]);
      }
    }
  });
});

describe("upper bounds", () => {
  test("a memory limit of 1e21 MiB", () => {
    const all = clone();
    all.production.z3.resources.zebra!.memoryMiB = 1e21;
    expect(problems(all)).toEqual([
      "[production] z3.resources.zebra.memoryMiB: got 1e+21; allowed: an integer from 6 (Docker's minimum) to 4194304 (4 TiB)",
    ]);
  });

  test("the proxy's body size, rate, burst and HSTS max-age", () => {
    const all = clone();
    Object.assign(all.production.zfsSync.proxy!, {
      maxRequestBodyMiB: 1e21,
      requestsPerSecond: 1e21,
      burst: 1e21,
      hstsMaxAgeSeconds: 1e21,
    });
    expect(problems(all)).toEqual([
      "[production] zfsSync.proxy.requestsPerSecond: got 1e+21; allowed: an integer from 1 to 10000",
      "[production] zfsSync.proxy.burst: got 1e+21; allowed: an integer from 0 to 10000",
      "[production] zfsSync.proxy.maxRequestBodyMiB: got 1e+21; allowed: an integer from 1 to 1024",
      "[production] zfsSync.proxy.hstsMaxAgeSeconds: got 1e+21; allowed: an integer from 0 to 63072000",
    ]);
  });

  test("the backup's maximum age", () => {
    const all = clone();
    all.production.backup!.maxAgeMinutes = 1e21;
    expect(problems(all)).toEqual(["[production] backup.maxAgeMinutes: got 1e+21; allowed: an integer from 10 to 20160"]);
  });

  test("the bounds themselves are allowed", () => {
    const all = clone();
    all.production.z3.resources.zebra!.memoryMiB = 4 * 1024 * 1024;
    Object.assign(all.production.zfsSync.proxy!, {
      maxRequestBodyMiB: 1024,
      requestsPerSecond: 10_000,
      burst: 10_000,
      hstsMaxAgeSeconds: 63_072_000,
      waitForHealthySeconds: 3600,
    });
    all.production.backup!.maxAgeMinutes = 20_160;
    expect(problems(all)).toEqual([]);
  });

  test("a whole number where the use is one", () => {
    const all = clone();
    all.production.zfsSync.proxy!.maxRequestBodyMiB = 1.5;
    all.dev.jessy.healthyWaitSeconds.core = 90.5;
    expect(problems(all)).toEqual([
      "[dev] jessy.healthyWaitSeconds.core: got 90.5; allowed: an integer from 10 to 3600",
      "[production] zfsSync.proxy.maxRequestBodyMiB: got 1.5; allowed: an integer from 1 to 1024",
    ]);
  });

  test("an SMTP port above 65535", () => {
    const all = clone();
    all.production.z3.alerting!.receivers = [
      ...all.production.z3.alerting!.receivers,
      {
        kind: "email",
        name: "mail",
        severities: ["warning"],
        smarthost: "smtp.example.org:99999",
        from: "a@example.org",
        to: ["b@example.org"],
      },
    ];
    expect(problems(all)).toEqual([
      '[production] z3.alerting.receivers.1.smarthost: got "smtp.example.org:99999"; allowed: an SMTP server as host:port (port from 1 to 65535), e.g. smtp.example.org:587',
    ]);
  });

  test.each(["dev", "staging", "production"] as const)(
    "every number of the shipped %s settings has an upper bound, stated in the problem",
    (env) => {
      const numbers = leaves(clone()[env]).filter((l) => typeof l.value === "number");
      expect(numbers.length).toBeGreaterThan(20);
      for (const n of numbers) {
        const all = clone();
        at(all[env], n.path.slice(0, -1))[n.path[n.path.length - 1]] = 1e21;
        const where = `[${env}] ${n.path.join(".")}: got 1e+21; allowed: `;
        const line = problems(all).find((l) => l.startsWith(where));
        expect([where, line]).toEqual([where, expect.stringMatching(/ to \d+| at most \d+/)]);
      }
    },
  );
});

describe("synth refuses what the type check would, without one", () => {
  test("synthesize exits 1 with the problem and writes nothing", () => {
    const all = clone();
    all.production.z3.resources.zaino = { memoryMib: 4096, cpus: 2 } as never;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-strict-"));
    let stderr = "";
    expect(synthesize(all as never, { outdir: out, stderr: (t) => (stderr += t) })).toBe(1);
    expect(stderr).toBe(
      "synth failed: Invalid environment settings (2 problems):\n" +
        `  - [production] z3.resources.zaino.memoryMib: got 4096; allowed: no key \`memoryMib\`: did you mean \`memoryMiB\`? ${LIMIT_KEYS}\n` +
        "  - [production] z3.resources.zaino.memoryMiB: got (not set); allowed: a memory limit in MiB (this environment requires resource limits)\n",
    );
    expect(fs.existsSync(path.join(out, "stacks")) ? fs.readdirSync(path.join(out, "stacks")) : []).toEqual([]);
  });

  test("the bundled app (npm run synth, cdktf deploy: no type check) exits 1 on a misspelt setting, without a stack trace", () => {
    const { status, stdout, stderr, outdir } = runBundledEntry(path.join(__dirname, "fixtures", "typo-main.ts"));
    expect([status, stdout]).toEqual([1, ""]);
    expect(stderr).toBe(
      "synth failed: Invalid environment settings (1 problem):\n" +
        `  - [staging] z3.resources.zaino.memoryMib: got 4096; allowed: no key \`memoryMib\`: did you mean \`memoryMiB\`? ${LIMIT_KEYS}\n`,
    );
    expect(fs.existsSync(path.join(outdir, "stacks")) ? fs.readdirSync(path.join(outdir, "stacks")) : []).toEqual([]);
  });

  test("the systems' rules see the environment as parsed, never a raw value that did not parse", () => {
    // "false" and "no" are not booleans: two problems, and no system rule reads them as true (a
    // non-empty string is truthy) to require pinned images and limits of dev's services.
    const dev = { ...ENVIRONMENTS.dev, requirePinnedImages: "false", requireResourceLimits: "no" };
    expect(parseSettings(dev).problems.map((p) => `${p.path}=${JSON.stringify(p.value)}`)).toEqual([
      'requireResourceLimits="no"',
      'requirePinnedImages="false"',
    ]);
  });

  test("the stacks are built from the settings as parsed", () => {
    const stacks = buildApp(Testing.app(), ENVIRONMENTS);
    const zcashDev = stacks.find((s) => s.node.id === "zcash-dev")!;
    expect(zcashDev.settings).toEqual(ENVIRONMENTS.dev);
    expect(zcashDev.settings).not.toBe(ENVIRONMENTS.dev);
    expect(Object.isFrozen(zcashDev.settings.z3.resources)).toBe(true);
  });
});

describe("closest key", () => {
  test.each([
    ["memoryMib", ["memoryMiB", "cpus"], "memoryMiB"],
    ["cpu", ["memoryMiB", "cpus"], "cpus"],
    ["backups", ["swarm", "backup", "backend"], "backup"],
    ["intervalMintues", ["intervalMinutes", "maxAgeMinutes"], "intervalMinutes"],
    ["schedule", ["required", "image", "intervalMinutes"], undefined],
    ["hstsMaxAge", ["hstsMaxAgeSeconds", "httpsPort"], "hstsMaxAgeSeconds"],
    ["wait", ["waitForExit", "waitForHealthySeconds"], undefined],
    ["zebraRustLog", ["zebraLogFilter", "zebraReleases"], undefined],
  ] as const)("%p among %p is %p", (key, known, expected) => expect(closestKey(key, known)).toBe(expected));

  test("edit distance counts a swap of neighbours once and ignores case", () => {
    expect(editDistance("cpsu", "cpus")).toBe(1);
    expect(editDistance("MEMORYMIB", "memoryMiB")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});
