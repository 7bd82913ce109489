/**
 * `npm run tofu:encryption`: prints OpenTofu's state and plan encryption configuration for the
 * `TF_ENCRYPTION` environment variable (the body of a `terraform { encryption { … } }` block, in
 * JSON), with the passphrase read from an environment variable. The stacks' synthesized JSON stays
 * the same on both engines: OpenTofu reads `TF_ENCRYPTION`, Terraform ignores it. See the README,
 * "OpenTofu and state encryption".
 *
 *   export TOFU_STATE_PASSPHRASE=…            # from the CI secret store; at least 16 characters
 *   export TF_ENCRYPTION="$(npm run -s tofu:encryption)"
 *   TERRAFORM_BINARY_NAME=tofu npx cdktf deploy zcash-staging --skip-provider-lock
 *
 * Options:
 *   --passphrase-env NAME           the key's passphrase (default TOFU_STATE_PASSPHRASE)
 *   --previous-passphrase-env NAME  rotation: the old key, tried when the new one cannot decrypt
 *   --migrate                       read a state or plan that is not encrypted yet (first encryption)
 *
 * The output holds the passphrase: it goes into the environment of the engine, never into a file of
 * the repository or the synthesized JSON.
 */
import { pbkdf2Sync } from "crypto";
import { InputError, parseArgs, runCli } from "./lib/cli";

export const DEFAULT_PASSPHRASE_ENV = "TOFU_STATE_PASSPHRASE";
/** OpenTofu's pbkdf2 key provider refuses shorter passphrases. */
export const MIN_PASSPHRASE_LENGTH = 16;
/**
 * The name under which a key's pbkdf2 key provider keeps its salt and parameters in the encrypted
 * state (`encrypted_metadata_alias`). OpenTofu names that metadata after the key provider by
 * default, so a key that was `current` when it wrote the state would not find its metadata as the
 * `previous` key of a rotation; and two key providers of one method may not share an alias. The
 * alias is therefore a fingerprint of the passphrase: the same key always finds what it wrote,
 * whatever role it has. It is derived with the cost OpenTofu's pbkdf2 key provider uses by default
 * (600,000 SHA-512 iterations), so the fingerprint in the state is no faster to test a guessed
 * passphrase against than the encrypted state itself.
 */
export function keyAlias(passphrase: string): string {
  let alias = aliases.get(passphrase);
  if (alias === undefined) {
    alias = `key-${pbkdf2Sync(passphrase, "z3-infra tofu:encryption key alias", 600_000, 9, "sha512").toString("base64url")}`;
    aliases.set(passphrase, alias);
  }
  return alias;
}
/** One derivation per passphrase and process (each takes about half a second). */
const aliases = new Map<string, string>();

export interface EncryptionOptions {
  /** Passphrase of the key that encrypts state and plans. */
  readonly passphrase: string;
  /**
   * Rotation: the previous key's passphrase, used to read what the previous key wrote; everything
   * written from now on uses `passphrase`.
   * @default - no previous key
   */
  readonly previousPassphrase?: string;
  /**
   * Migration: read a state or plan that is not encrypted (what Terraform or OpenTofu wrote before
   * encryption was turned on); it is written back encrypted.
   * @default false
   */
  readonly migrateUnencrypted?: boolean;
}

/**
 * The `encryption` block as JSON: a pbkdf2 key provider per passphrase, AES-GCM, state and plan
 * encrypted and `enforced` (OpenTofu refuses to write either unencrypted), with a `fallback` for the
 * previous key or, not enforced, for unencrypted input (migration). Throws an InputError for a passphrase OpenTofu would refuse.
 */
export function encryptionConfig(options: EncryptionOptions): Record<string, unknown> {
  checkPassphrase("passphrase", options.passphrase);
  if (options.previousPassphrase !== undefined) {
    checkPassphrase("previous passphrase", options.previousPassphrase);
    if (options.previousPassphrase === options.passphrase)
      throw new InputError("the previous passphrase is the same as the new one: nothing to rotate");
  }
  const keyProviders: Record<string, unknown> = { current: pbkdf2(options.passphrase) };
  const methods: Record<string, Record<string, unknown>> = { aes_gcm: { current: { keys: "key_provider.pbkdf2.current" } } };
  let fallback: string | undefined;
  if (options.previousPassphrase !== undefined) {
    keyProviders.previous = pbkdf2(options.previousPassphrase);
    methods.aes_gcm.previous = { keys: "key_provider.pbkdf2.previous" };
    fallback = "method.aes_gcm.previous";
  }
  if (options.migrateUnencrypted) {
    if (fallback) throw new InputError("--migrate and a previous passphrase cannot be combined: migrate first, rotate later");
    methods.unencrypted = { migrate: {} };
    fallback = "method.unencrypted.migrate";
  }
  // OpenTofu refuses `enforced` next to an `unencrypted` method ("Unable to use unencrypted method
  // since the enforced flag is set"): the migration configuration is for the one run that rewrites
  // the state; every later run uses the enforced one.
  const enforced = !options.migrateUnencrypted;
  const target = { method: "method.aes_gcm.current", enforced, ...(fallback ? { fallback: { method: fallback } } : {}) };
  return { key_provider: { pbkdf2: keyProviders }, method: methods, state: target, plan: target };
}

function pbkdf2(passphrase: string): Record<string, unknown> {
  return { passphrase, encrypted_metadata_alias: keyAlias(passphrase) };
}

function checkPassphrase(what: string, value: string): void {
  if (value.length < MIN_PASSPHRASE_LENGTH)
    throw new InputError(
      `the ${what} has ${value.length} characters; OpenTofu's pbkdf2 key provider needs at least ${MIN_PASSPHRASE_LENGTH}`,
    );
}

const USAGE = `usage: npm run -s tofu:encryption -- [--passphrase-env NAME] [--previous-passphrase-env NAME] [--migrate]

Prints the value of TF_ENCRYPTION for OpenTofu (state and plan encryption, pbkdf2 + AES-GCM, enforced):
  export TF_ENCRYPTION="$(npm run -s tofu:encryption)"
The passphrase is read from $${DEFAULT_PASSPHRASE_ENV} (or --passphrase-env NAME), at least ${MIN_PASSPHRASE_LENGTH} characters.
  --previous-passphrase-env NAME  rotate: read with the old key, write with the new one
  --migrate                       encrypt a state that is not encrypted yet
`;

/** The CLI: reads the passphrases from the environment (never from an argument, which `ps` shows). */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { output: string; exitCode: number } {
  const args = parseArgs(argv, { flags: ["help", "migrate"], values: ["passphrase-env", "previous-passphrase-env"] });
  if (args.flags.has("help")) return { output: USAGE, exitCode: 0 };
  if (args.positional.length > 0)
    throw new InputError(`unexpected argument ${args.positional[0]}: passphrases are read from environment variables (see --help)`);
  const read = (name: string) => {
    const v = env[name];
    if (v === undefined || v === "") throw new InputError(`environment variable ${name} is not set (it holds the state key's passphrase)`);
    return v;
  };
  const passphrase = read(args.values.get("passphrase-env")?.[0] ?? DEFAULT_PASSPHRASE_ENV);
  const previousEnv = args.values.get("previous-passphrase-env")?.[0];
  const config = encryptionConfig({
    passphrase,
    previousPassphrase: previousEnv ? read(previousEnv) : undefined,
    migrateUnencrypted: args.flags.has("migrate"),
  });
  return { output: `${JSON.stringify(config)}\n`, exitCode: 0 };
}

export function run(argv: readonly string[]): void {
  runCli(() => main(argv));
}
