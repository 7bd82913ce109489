/**
 * The programs that read what the stacks write, for tests of the serializers and quoting helpers:
 * Terraform renders a file's template (an upload's `content` from the synthesized JSON) as it would
 * at apply time, Python's tomllib and PyYAML read TOML and YAML, bash reads a shell word. Each is the
 * real reader, run as a child process; none is imitated here.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

function run(command: string, args: readonly string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(command, args, {
    encoding: "utf8",
    input: options.input,
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
  if (r.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}):\n${r.stderr}${r.stdout}`,
    );
  return r.stdout;
}

/**
 * Each template as Terraform renders it, with the variables it reads set to `vars` (as `TF_VAR_*`,
 * taken literally for string variables); a template that reads a variable without a value fails. One `terraform console` in a directory that declares the
 * variables and holds the templates as locals; the results come back base64-encoded, so no console
 * quoting stands between Terraform and the test.
 */
export function renderTemplates(
  templates: Readonly<Record<string, string>>,
  vars: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const names = Object.keys(templates);
  const used = new Set([
    ...Object.keys(vars),
    ...Object.values(templates).flatMap((t) => [...t.matchAll(/\bvar\.([A-Za-z0-9_]+)/g)].map((m) => m[1])),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "render-templates-"));
  try {
    // A variable named in the text but given no value gets a marker as its value: a rendered file
    // holding the marker read it (an escaped `${"$"}{var.x}` in a value does not).
    const marker = (v: string) => `<var.${v} has no test value>`;
    const variable = Object.fromEntries([...used].map((v) => [v, v in vars ? { type: "string" } : { type: "string", default: marker(v) }]));
    const locals = Object.fromEntries(names.map((n, i) => [`t${i}`, templates[n]]));
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(used.size > 0 ? { variable, locals } : { locals }));
    const env = {
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [`TF_VAR_${k}`, v])),
    };
    // The console prints the value of the last expression it reads: one string of every result.
    const out = run("terraform", ["console"], {
      cwd: dir,
      env,
      input: `join(",", [${names.map((_, i) => `base64encode(local.t${i})`).join(", ")}])\n`,
    });
    const result = out
      .split("\n")
      .filter((l) => /^".*"$/.test(l))
      .pop();
    if (result === undefined) throw new Error(`terraform console printed no result:\n${out}`);
    const values = (JSON.parse(result) as string).split(",");
    if (values.length !== names.length)
      throw new Error(`terraform console printed ${values.length} results for ${names.length} templates:\n${out}`);
    const rendered = Object.fromEntries(names.map((n, i) => [n, Buffer.from(values[i], "base64").toString("utf8")]));
    for (const [n, text] of Object.entries(rendered)) {
      const missing = [...used].filter((v) => !(v in vars) && text.includes(marker(v)));
      if (missing.length > 0)
        throw new Error(`renderTemplates: ${n} reads ${missing.map((v) => `var.${v}`).join(", ")}; give the test a value for it`);
    }
    return rendered;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One template rendered once per value of one of its variables, in one Terraform run: copy i reads
 * `var.<name>_<i>` where the template reads `var.<name>`. Other variables come from `vars`.
 */
export function renderForEach(
  template: string,
  name: string,
  values: readonly string[],
  vars: Readonly<Record<string, string>> = {},
): string[] {
  const reference = new RegExp(`\\bvar\\.${name}\\b`, "g");
  if (!reference.test(template)) throw new Error(`renderForEach: the template does not read var.${name}`);
  const templates = Object.fromEntries(values.map((_, i) => [`t${i}`, template.replace(reference, `var.${name}_${i}`)]));
  const rendered = renderTemplates(templates, { ...vars, ...Object.fromEntries(values.map((v, i) => [`${name}_${i}`, v])) });
  return values.map((_, i) => rendered[`t${i}`]);
}

/** Python that reads one document from each string of a JSON object on stdin and prints the values, as JSON, under the same keys. */
const PYTHON_READER = (load: string) =>
  `import json, sys\n${load}\nprint(json.dumps({k: load(v) for k, v in json.loads(sys.stdin.read()).items()}))`;

/** TOML documents as Python's tomllib reads them (TOML 1.0), as JSON values, under the keys they were given. */
export function readTomls(texts: Readonly<Record<string, string>>): Record<string, unknown> {
  return JSON.parse(run("python3", ["-c", PYTHON_READER("import tomllib\nload = tomllib.loads")], { input: JSON.stringify(texts) }));
}

/** YAML documents as PyYAML's safe loader reads them (YAML 1.1, as upstream's Python programs read it), as JSON values. */
export function readYamls(texts: Readonly<Record<string, string>>): Record<string, unknown> {
  return JSON.parse(run("python3", ["-c", PYTHON_READER("import yaml\nload = yaml.safe_load")], { input: JSON.stringify(texts) }));
}

/** One TOML document, as tomllib reads it. */
export const readToml = (text: string): unknown => readTomls({ d: text }).d;

/** One YAML document, as PyYAML reads it. */
export const readYaml = (text: string): unknown => readYamls({ d: text }).d;

/** What bash prints for `printf %s <word>`: the value a quoted word stands for. */
export function bashWord(word: string): string {
  return run("bash", ["-c", `printf %s ${word}`]);
}

/** bash -n's verdict on a script: "" when it parses, else its message. */
export function bashSyntax(script: string): string {
  const r = spawnSync("bash", ["-n"], { encoding: "utf8", input: script });
  return r.status === 0 ? "" : r.stderr || `exit ${r.status}`;
}

/**
 * Values that try to leave the string they are written into, in every format the stacks write:
 * quotes of each kind, line breaks that would start a new key or table, Terraform's template
 * sequences (escaped and not), a trailing backslash, characters TOML and YAML forbid raw.
 */
export const HOSTILE_VALUES: readonly string[] = [
  '"',
  'x"\nvalidator_user = "admin',
  "line one\nline two",
  "${var.zallet_identity}",
  "%{ if true }x%{ endif }",
  "x${ unclosed",
  "$${escaped} %%{escaped} $$${x} %%%{x} $%{x} %${x}",
  "back\\slash\\",
  "it's 'quoted'",
  ']]\n[[rpc.auth]]\nuser = "x',
  "key: value\n- item\n# comment",
  "\ttab\r\ncrlf",
  "ünïcödé ✓ 𝄞",
  "del\u007fhere",
];
