/**
 * Whether a value carries a secret, read from the value itself: the Terraform expression it resolves
 * to reads a sensitive variable (directly or through locals) or calls `sensitive()`. Terraform marks
 * such a value sensitive in the plan whatever the construct says; this is how synthesis knows it too
 * (a file that carries a secret is delivered as a secret).
 */
import {
  DefaultTokenResolver,
  IConstruct,
  LazyBase,
  StringConcat,
  TerraformLocal,
  TerraformStack,
  TerraformVariable,
  Tokenization,
} from "./cdk";

export interface SecretReads {
  /** The sensitive variables the value reads, directly or through locals, in the order first read. */
  readonly variables: readonly TerraformVariable[];
  /** The value calls Terraform's `sensitive()`. */
  readonly marked: boolean;
  /**
   * Parts of the value are produced only at synthesis (`Lazy`) and were not read: only with
   * `{ lazy: "defer" }`. Read the value again at synthesis to know them.
   */
  readonly deferred: boolean;
}

/** True when the value carries a secret. */
export const isSensitive = (reads: SecretReads): boolean => reads.variables.length > 0 || reads.marked;

/** `var.x`, and `sensitive()` when it is called: for messages. */
export function describeReads(reads: SecretReads): string[] {
  return [...reads.variables.map((v) => `var.${v.friendlyUniqueId}`), ...(reads.marked ? ["sensitive()"] : [])];
}

/** The default resolver, but a `Lazy` is left unread (and noted) unless asked to produce it. */
class ReadingResolver extends DefaultTokenResolver {
  deferred = false;
  constructor(private readonly produceLazy: boolean) {
    super(new StringConcat());
  }
  resolveToken(...args: Parameters<DefaultTokenResolver["resolveToken"]>): unknown {
    if (!this.produceLazy && args[0] instanceof LazyBase) {
      this.deferred = true;
      return "";
    }
    return super.resolveToken(...args);
  }
}

/**
 * The secrets `value` reads, in the stack of `scope`. A `Lazy` part is produced only with
 * `{ lazy: "produce" }` (at synthesis, when everything it depends on exists); by default it is left
 * unread and `deferred` says so, since its producer may read constructs that do not exist yet.
 */
export function secretReads(scope: IConstruct, value: unknown, options: { readonly lazy?: "defer" | "produce" } = {}): SecretReads {
  const stack = TerraformStack.of(scope);
  const resolver = new ReadingResolver(options.lazy === "produce");
  const seen = new Set<string>();
  const variables: TerraformVariable[] = [];
  let marked = false;
  const read = (v: unknown): void => {
    const text = expressionsIn(JSON.stringify(Tokenization.resolve(v, { scope: stack, preparing: false, resolver })) ?? "").join("\n");
    if (/(^|[^A-Za-z0-9_.-])sensitive\s*\(/.test(text)) marked = true;
    for (const [, kind, name] of text.matchAll(/(?<![A-Za-z0-9_.-])(var|local)\.([A-Za-z0-9_-]+)/g)) {
      const key = `${kind}.${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const element = stack.node
        .findAll()
        .find(
          (n) =>
            (kind === "var" ? n instanceof TerraformVariable : n instanceof TerraformLocal) &&
            (n as TerraformVariable | TerraformLocal).friendlyUniqueId === name,
        );
      if (element instanceof TerraformVariable && element.sensitive === true) variables.push(element);
      // A local's `expression` reads back as a reference to itself; its definition is in toTerraform().
      if (element instanceof TerraformLocal) read((element.toTerraform() as { locals?: Record<string, unknown> }).locals?.[name]);
    }
  };
  read(value);
  return { variables, marked, deferred: resolver.deferred };
}

/**
 * The Terraform expressions in a text: the insides of its `${…}` interpolations and `%{…}` directives
 * (`$${` and `%%{` are literal). Anything outside them is literal text, whatever it says.
 */
export function expressionsIn(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length - 1; i++) {
    if ((text[i] !== "$" && text[i] !== "%") || text[i + 1] !== "{") continue;
    if (text[i - 1] === text[i]) continue;
    let depth = 0;
    let end = i + 1;
    for (; end < text.length; end++) {
      if (text[end] === "{") depth++;
      else if (text[end] === "}" && --depth === 0) break;
    }
    found.push(text.slice(i + 2, end));
    i = end;
  }
  return found;
}
