/**
 * Terraform variable values for `npm run verify`, as Terraform would take them: `-var name=value`
 * arguments first, then `TF_VAR_<name>` in the environment, then the variable's default. Only the
 * values the checks need are ever read (names, `count`, the Docker host); secrets never are.
 */
import { InputError } from "../lib/cli";

export type VariableValues = Readonly<Record<string, string>>;

/** `{ name: { default?, sensitive?, ... } }`: the `variable` block of a synthesized stack. */
export type VariableBlocks = Readonly<Record<string, { default?: unknown; sensitive?: boolean } | undefined>>;

/** Resolves `${var.x}` references; anything else between `${` and `}` is left alone. */
export class Variables {
  constructor(
    private readonly blocks: VariableBlocks,
    private readonly cli: VariableValues,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The value Terraform would use, or undefined (no -var, no TF_VAR_, no default). */
  value(name: string): string | undefined {
    if (name in this.cli) return this.cli[name];
    const fromEnv = this.env[`TF_VAR_${name}`];
    if (fromEnv !== undefined) return fromEnv;
    const d = this.blocks[name]?.default;
    if (d === undefined || d === null) return undefined;
    return typeof d === "string" ? d : JSON.stringify(d);
  }

  /** Whether the stack declares the variable. */
  declared(name: string): boolean {
    return this.blocks[name] !== undefined;
  }

  /** `text` with every `${var.x}` replaced; throws an InputError naming a variable without a value. */
  resolve(text: string, what: string): string {
    return text.replace(/\$\{var\.([A-Za-z0-9_-]+)\}/g, (_whole, name: string) => {
      const v = this.value(name);
      if (v === undefined) throw new InputError(`${what} needs the variable ${name}: pass -var ${name}=... or set TF_VAR_${name}`);
      return v;
    });
  }
}

/**
 * A resource's `count`: a number, `${var.x ? 1 : 0}` (and the reverse) or `${var.x != "" ? 1 : 0}`
 * (and `==`) evaluated from the variable,
 * or undefined when the expression is something else or its variable has no value.
 */
export function evaluateCount(count: unknown, vars: Variables): number | undefined {
  if (count === undefined || count === null) return 1;
  if (typeof count === "number") return count;
  if (typeof count !== "string") return undefined;
  if (/^\d+$/.test(count)) return Number(count);
  const m = /^\$\{\s*var\.([A-Za-z0-9_-]+)\s*\?\s*(\d+)\s*:\s*(\d+)\s*\}$/.exec(count);
  if (m) {
    const v = vars.value(m[1]);
    if (v === "true") return Number(m[2]);
    if (v === "false") return Number(m[3]);
    return undefined;
  }
  // `${var.x != "" ? 1 : 0}` (and `==`): a feature on while a variable is set (the backup runner).
  const e = /^\$\{\s*var\.([A-Za-z0-9_-]+)\s*(!=|==)\s*""\s*\?\s*(\d+)\s*:\s*(\d+)\s*\}$/.exec(count);
  if (!e) return undefined;
  const v = vars.value(e[1]);
  if (v === undefined) return undefined;
  return (v !== "") === (e[2] === "!=") ? Number(e[3]) : Number(e[4]);
}

/** `-var name=value`, `-var=name=value` and `--var …` out of argv; the rest is returned as is. */
export function extractVarArgs(argv: readonly string[]): { vars: Record<string, string>; rest: string[] } {
  const vars: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let spec: string | undefined;
    if (arg === "-var" || arg === "--var") {
      spec = argv[++i];
      if (spec === undefined) throw new InputError(`${arg} needs name=value`);
    } else if (arg.startsWith("-var=") || arg.startsWith("--var=")) {
      spec = arg.slice(arg.indexOf("=") + 1);
    } else if (arg === "-var-file" || arg.startsWith("-var-file=") || arg === "--var-file" || arg.startsWith("--var-file=")) {
      throw new InputError("-var-file is not supported: pass -var name=value or set TF_VAR_<name>");
    } else {
      rest.push(arg);
      continue;
    }
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new InputError(`-var ${spec}: expected name=value`);
    vars[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  return { vars, rest };
}
