import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffStack, diffSynth, loadSynthTree, main, SYNTH_DIFF_MARKER } from "../../tools/synth-diff";

const ROOT = path.resolve(__dirname, "..", "..");
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let tmp: string;
let base: Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** The first resource of `type` in a stack (optionally matching a predicate): [logical id, body]. */
function find(stack: Obj, type: string, pred: (body: Obj) => boolean = () => true): [string, Obj] {
  const entry = Object.entries(stack.resource[type] as Obj).find(([, body]) => pred(body));
  if (!entry) throw new Error(`no ${type} in stack`);
  return entry as [string, Obj];
}
const isStateful = (v: Obj) => (v.labels ?? []).some((l: Obj) => l.label === "stateful" && l.value === "true");
const longRunning = (c: Obj) => c.must_run !== false && c.count === undefined;

/** A head tree: the real base tree with `mutate` applied to a copy of one stack. */
function headWith(stack: string, mutate: (s: Obj) => void): Record<string, unknown> {
  const head = clone(base);
  mutate(head[stack] as Obj);
  return head;
}

beforeAll(() => {
  // Real synthesized trees: the app's own synth into a temporary output directory.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-diff-"));
  const synth = spawnSync("node", [path.join(ROOT, "scripts", "synth.js")], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: path.join(tmp, "base") },
    encoding: "utf8",
  });
  if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
  base = loadSynthTree(path.join(tmp, "base"));
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("diffSynth on the app's synthesized stacks", () => {
  test("identical trees: no changes, exit 0", () => {
    expect(Object.keys(base)).toEqual(expect.arrayContaining(["zcash-dev", "zcash-staging", "zcash-production"]));
    const result = diffSynth(base, clone(base));
    expect(result.exitCode).toBe(0);
    expect(result.verdict).toBe("✅ **No changes** in the synthesized configuration.");
    expect(result.markdown.startsWith(`${SYNTH_DIFF_MARKER}\n## Synth diff: base → head\n`)).toBe(true);
    expect(result.stacks.every((s) => s.status === "unchanged")).toBe(true);
  });

  test("a production volume whose address changes is data loss: exit 2, loud", () => {
    let id = "";
    let name = "";
    const head = headWith("zcash-production", (s) => {
      const [vid, body] = find(s, "docker_volume", isStateful);
      id = vid;
      name = body.name;
      delete s.resource.docker_volume[vid];
      s.resource.docker_volume[`${vid}_renamed`] = body;
    });
    const result = diffSynth(base, head);
    expect(result.exitCode).toBe(2);
    expect(result.blocking).toHaveLength(1);
    expect(result.blocking[0].address).toBe(`docker_volume.${id}_renamed`);
    expect(result.verdict).toMatch(/^⛔ \*\*Blocked:\*\* `zcash-production` would lose 1 volume/);
    expect(result.markdown).toContain(
      `**data loss**: the address of volume \`${name}\` changes from \`docker_volume.${id}\` to \`docker_volume.${id}_renamed\`: Terraform destroys the volume and creates an empty one.`,
    );
    expect(result.markdown).toContain("| `zcash-production` | production (gated) | changed | 0 | 0 | 1 | 0 |");
    expect(diffSynth(base, head, { allowDataLoss: true }).exitCode).toBe(0);
  });

  test("a removed protected volume says its prevent_destroy goes with it", () => {
    let name = "";
    const head = headWith("zcash-production", (s) => {
      const [vid, body] = find(s, "docker_volume", (v) => isStateful(v) && v.lifecycle?.prevent_destroy === true);
      name = body.name;
      delete s.resource.docker_volume[vid];
    });
    const result = diffSynth(base, head);
    expect(result.exitCode).toBe(2);
    expect(result.markdown).toContain(
      `(\`${name}\`) is removed: Terraform destroys it and its data. Its \`prevent_destroy\` goes with the removed resource block, so Terraform will not refuse.`,
    );
  });

  test("the same rename with a moved block is not data loss", () => {
    const head = headWith("zcash-production", (s) => {
      const [vid, body] = find(s, "docker_volume", isStateful);
      delete s.resource.docker_volume[vid];
      s.resource.docker_volume[`${vid}_renamed`] = body;
      s.moved = [{ to: `docker_volume.${vid}_renamed`, from: `docker_volume.${vid}` }];
    });
    const result = diffSynth(base, head);
    expect(result.exitCode).toBe(0);
    expect(result.stacks.find((s) => s.stack === "zcash-production")!.resources.map((r) => r.status)).toEqual(["moved"]);
    expect(result.markdown).not.toContain("### Attention");
  });

  test("a changed volume argument replaces the volume; a removed volume is destroyed; staging is reported, not gated", () => {
    let removed = "";
    const head = headWith("zcash-staging", (s) => {
      const [, body] = find(s, "docker_volume", isStateful);
      body.name = `${body.name}-v2`;
      const [other] = find(s, "docker_volume", (v) => v !== body && !isStateful(v));
      removed = other;
      delete s.resource.docker_volume[other];
    });
    const result = diffSynth(base, head);
    expect(result.exitCode).toBe(0);
    const stack = result.stacks.find((s) => s.stack === "zcash-staging")!;
    expect(stack.callouts.map((c) => [c.kind, c.gating])).toEqual([
      ["data-loss", false],
      ["data-loss", false],
    ]);
    expect(result.markdown).toMatch(
      /stateful volume `docker_volume\.[a-z0-9_]+` \(`[a-z0-9-]+`\) is replaced \(`name` changed; every volume argument forces replacement\): the new volume starts empty\./,
    );
    expect(result.markdown).toContain(`volume \`docker_volume.${removed}\``);
    expect(result.verdict).toBe("⚠️ **Review needed:** 2 volumes removed, renamed or replaced.");
    // Gated when staging is gated too.
    expect(diffSynth(base, head, { gatedEnvironments: ["production", "staging"] }).exitCode).toBe(2);
  });

  test("container arguments: replacement (env) with in-place ones (memory, healthcheck) in the same change", () => {
    const canary = "zz-canary-secret-value";
    let id = "";
    const head = headWith("zcash-production", (s) => {
      const [cid, body] = find(s, "docker_container", (c) => longRunning(c) && c.healthcheck !== undefined);
      id = cid;
      body.env = [...(body.env ?? []), `RPC_PASSWORD=${canary}`];
      body.memory = (body.memory ?? 64) * 2;
      body.healthcheck.retries = (body.healthcheck.retries ?? 3) + 1;
    });
    const result = diffSynth(base, head);
    expect(result.exitCode).toBe(0);
    const r = result.stacks.find((s) => s.stack === "zcash-production")!.resources.find((x) => x.address === `docker_container.${id}`)!;
    expect(r.forcedBy).toEqual(["env"]);
    // Replaced anyway: the healthcheck change takes effect with the new container.
    expect(r.notApplied).toEqual([]);
    expect(r.lines).toContain('+ env = "RPC_PASSWORD=(hidden)"  # forces replacement');
    expect(r.lines.some((l) => l.startsWith("+ memory = ") && !l.includes("#"))).toBe(true);
    expect(r.lines.some((l) => l.startsWith("+ healthcheck.retries = ") && !l.includes("#"))).toBe(true);
    expect(result.markdown).toContain(`**downtime**: long-running container \`docker_container.${id}\``);
    expect(result.markdown).toContain("**forces replacement** (`env`)");
    expect(result.markdown).not.toContain("not applied");
    expect(result.markdown).not.toContain(canary);
  });

  test("uploaded file contents are hidden; a change shows as a hidden change that forces replacement", () => {
    const canary = "zz-canary-file-content";
    const withUpload = (s: Obj, content: string) => {
      const [cid, body] = find(s, "docker_container", longRunning);
      body.upload = [
        ...(body.upload ?? []).filter((u: Obj) => u.file !== "/etc/probe.conf"),
        { file: "/etc/probe.conf", content, permissions: "0444" },
      ];
      return cid;
    };
    const baseWith = clone(base);
    const id = withUpload(baseWith["zcash-staging"] as Obj, `# ${canary}-1\n`);
    const head = clone(baseWith);
    withUpload(head["zcash-staging"] as Obj, `# ${canary}-2\n`);
    const result = diffSynth(baseWith, head);
    const r = result.stacks.find((s) => s.stack === "zcash-staging")!.resources.find((x) => x.address === `docker_container.${id}`)!;
    expect(r.forcedBy).toEqual(["upload"]);
    // `upload[0].content` for a single upload, whole `upload` elements when there are several.
    expect(r.lines).toHaveLength(2);
    for (const line of r.lines) {
      expect(line).toMatch(/^[-+] upload(\[0\]\.content)? = .*\(file content hidden\).* {2}# forces replacement; hidden value changed$/);
    }
    expect(JSON.stringify(head)).toContain(canary);
    expect(result.markdown).not.toContain(canary);
  });

  test("replace_triggered_by: a container whose trigger is replaced is replaced too", () => {
    const link = (tree: Record<string, unknown>) => {
      const s = tree["zcash-staging"] as Obj;
      const [serviceId, service] = find(s, "docker_container", longRunning);
      const [triggerId] = find(s, "docker_container", (c) => c !== service);
      service.lifecycle = { ...(service.lifecycle ?? {}), replace_triggered_by: [`docker_container.${triggerId}[count.index]`] };
      return [serviceId, triggerId];
    };
    const baseWith = clone(base);
    const [serviceId, triggerId] = link(baseWith);
    const head = clone(baseWith);
    const trigger = (head["zcash-staging"] as Obj).resource.docker_container[triggerId];
    trigger.env = [...(trigger.env ?? []), "FORCE=1"];
    const result = diffSynth(baseWith, head);
    const stack = result.stacks.find((s) => s.stack === "zcash-staging")!;
    const service = stack.resources.find((r) => r.address === `docker_container.${serviceId}`)!;
    expect(service.triggeredBy).toEqual([`docker_container.${triggerId}`]);
    expect(service.lines).toContain(`# replaced because docker_container.${triggerId} is replaced (replace_triggered_by)`);
    expect(result.markdown).toContain(`long-running container \`docker_container.${serviceId}\``);
    expect(result.markdown).toContain("(`replace_triggered_by`)");
  });

  test("an in-place container change has no call-out; an unapplied one is warned about", () => {
    const head = headWith("zcash-dev", (s) => {
      const [, body] = find(s, "docker_container", longRunning);
      body.memory = 999;
    });
    const result = diffSynth(base, head);
    expect(result.stacks.find((s) => s.stack === "zcash-dev")!.callouts).toEqual([]);
    expect(result.markdown).toContain(", in place");
    expect(result.verdict).toBe("✅ **No downtime or data loss found** in 1 changed stack.");

    const tmpfs = headWith("zcash-dev", (s) => {
      const [, body] = find(s, "docker_container", longRunning);
      body.tmpfs = { ...(body.tmpfs ?? {}), "/scratch": "rw,size=16m" };
    });
    const warned = diffSynth(base, tmpfs);
    expect(warned.verdict).toBe("✅ **No downtime or data loss found** in 1 changed stack; read the 1 warning.");
    expect(warned.markdown).toContain("in-place change of `tmpfs` is recorded in the state but **not applied**");
    expect(warned.markdown).toMatch(/\+ tmpfs(\["\/scratch"\])? = .*rw,size=16m.* {2}# not applied by the provider/);
  });

  test("prevent_destroy removed, backend changed, variables with sensitive defaults", () => {
    const head = headWith("zcash-production", (s) => {
      const [, body] = find(s, "docker_volume", (v) => v.lifecycle?.prevent_destroy === true);
      delete body.lifecycle;
      s.terraform.backend = { local: { path: "terraform.tfstate" } };
      s.variable.extra_value = { type: "string", sensitive: true, default: "default-canary-1" };
      s.variable.api_token = { type: "string", default: "default-canary-2" };
    });
    const result = diffSynth(base, head);
    const md = result.markdown;
    expect(md).toContain("loses `prevent_destroy`: Terraform will no longer refuse to destroy it.");
    expect(md).toContain("the state backend changes: the state must be migrated");
    expect(md).toContain("Other settings:");
    expect(md).toContain("+ terraform.backend.local");
    expect(md).toContain('+ variable.extra_value = {default = (sensitive value), sensitive = true, type = "string"}');
    // A name that looks like a credential hides the whole value, sensitive or not.
    expect(md).toContain("+ variable.api_token = (hidden)");
    expect(md).not.toMatch(/default-canary/);
  });

  test("stacks added and removed", () => {
    const head = clone(base);
    head["newsys-staging"] = clone(base["zcash-staging"]);
    delete head["zcash-dev"];
    const result = diffSynth(base, head);
    expect(result.exitCode).toBe(0);
    const byName = Object.fromEntries(result.stacks.map((s) => [s.stack, s]));
    expect(byName["newsys-staging"].status).toBe("added");
    expect(byName["zcash-dev"].status).toBe("removed");
    expect(result.markdown).toContain("the stack is no longer synthesized");
  });

  test("a removed long-running container and a removed network are called out", () => {
    const head = headWith("zcash-dev", (s) => {
      const [cid] = find(s, "docker_container", longRunning);
      delete s.resource.docker_container[cid];
      const [nid] = find(s, "docker_network");
      delete s.resource.docker_network[nid];
    });
    const kinds = diffStack("zcash-dev", base["zcash-dev"], head["zcash-dev"])
      .callouts.map((c) => c.kind)
      .sort();
    expect(kinds).toEqual(["disruption", "downtime"]);
  });
});

describe("synth:diff CLI", () => {
  test("reads two cdktf.out directories; exit codes 0, 2 and 1", () => {
    const headDir = path.join(tmp, "head");
    fs.cpSync(path.join(tmp, "base"), headDir, { recursive: true });
    expect(main([path.join(tmp, "base"), headDir]).exitCode).toBe(0);

    const file = path.join(headDir, "stacks", "zcash-production", "cdk.tf.json");
    const stack = JSON.parse(fs.readFileSync(file, "utf8"));
    const [vid] = find(stack, "docker_volume");
    delete stack.resource.docker_volume[vid];
    fs.writeFileSync(file, JSON.stringify(stack));
    const blocked = main([path.join(tmp, "base"), headDir]);
    expect(blocked.exitCode).toBe(2);
    expect(blocked.stderr).toEqual([`blocked: zcash-production docker_volume.${vid} (volume loss; --allow-data-loss to proceed)`]);

    // The stacks directory itself is accepted too.
    expect(main(["--allow-data-loss", path.join(tmp, "base", "stacks"), path.join(headDir, "stacks")]).exitCode).toBe(0);

    expect(() => main([path.join(tmp, "base")])).toThrow(/expected 2 directories/);
    expect(() => main([path.join(tmp, "base"), path.join(tmp, "missing")])).toThrow(/missing is not a directory/);
    fs.mkdirSync(path.join(tmp, "empty"));
    expect(() => main([path.join(tmp, "base"), path.join(tmp, "empty")])).toThrow(/not a cdktf.out directory/);

    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(scripts["synth:diff"]).toBe("node tools/run.js synth-diff");
    const run = spawnSync("node", [path.join(ROOT, "tools", "run.js"), "synth-diff", path.join(tmp, "base"), headDir], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stdout.startsWith(SYNTH_DIFF_MARKER)).toBe(true);
    const bad = spawnSync("node", [path.join(ROOT, "tools", "run.js"), "synth-diff", path.join(tmp, "empty"), headDir], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*empty has no stacks\/<stack>\/cdk\.tf\.json/);
  });
});
