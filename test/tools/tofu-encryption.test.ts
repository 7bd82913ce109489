import { DEFAULT_PASSPHRASE_ENV, encryptionConfig, keyAlias, main } from "../../tools/tofu-encryption";
import { InputError } from "../../tools/lib/cli";

const KEY = "correct-horse-battery-staple";
const OLD = "previous-horse-battery-staple";

/** The configuration as OpenTofu reads it: nested blocks by name. */
type Blocks = { [key: string]: Blocks } & Record<string, unknown>;
const config = (options: Parameters<typeof encryptionConfig>[0]) => encryptionConfig(options) as Blocks;

describe("tofu:encryption (TF_ENCRYPTION for OpenTofu)", () => {
  test("one key: pbkdf2 + AES-GCM for state and plan, both enforced, no fallback", () => {
    expect(encryptionConfig({ passphrase: KEY })).toEqual({
      key_provider: { pbkdf2: { current: { passphrase: KEY, encrypted_metadata_alias: keyAlias(KEY) } } },
      method: { aes_gcm: { current: { keys: "key_provider.pbkdf2.current" } } },
      state: { method: "method.aes_gcm.current", enforced: true },
      plan: { method: "method.aes_gcm.current", enforced: true },
    });
  });

  test("a key's metadata alias depends on its passphrase only (the old key finds what it wrote as `current`), and does not show it", () => {
    expect(keyAlias(KEY)).toMatch(/^key-[A-Za-z0-9_-]{12}$/);
    expect(keyAlias(KEY)).toBe(keyAlias(KEY));
    expect(keyAlias(OLD)).not.toBe(keyAlias(KEY));
    expect(keyAlias(KEY)).not.toContain(KEY.slice(0, 4));
  });

  test("rotation: the previous key is the fallback, under the alias it wrote with; the new key writes", () => {
    const c = config({ passphrase: KEY, previousPassphrase: OLD });
    expect(c.key_provider.pbkdf2.current.encrypted_metadata_alias).toBe(keyAlias(KEY));
    expect(c.key_provider.pbkdf2.previous).toEqual({ passphrase: OLD, encrypted_metadata_alias: keyAlias(OLD) });
    expect(config({ passphrase: OLD }).key_provider.pbkdf2.current.encrypted_metadata_alias).toBe(keyAlias(OLD));
    expect(c.method.aes_gcm.previous).toEqual({ keys: "key_provider.pbkdf2.previous" });
    for (const target of [c.state, c.plan])
      expect(target).toEqual({ method: "method.aes_gcm.current", enforced: true, fallback: { method: "method.aes_gcm.previous" } });
  });

  test("migration: an unencrypted state is read through the `unencrypted` fallback and written encrypted; not enforced (OpenTofu refuses both)", () => {
    const c = config({ passphrase: KEY, migrateUnencrypted: true });
    expect(c.method.unencrypted).toEqual({ migrate: {} });
    expect(c.state).toEqual({ method: "method.aes_gcm.current", enforced: false, fallback: { method: "method.unencrypted.migrate" } });
  });

  test("fails when a passphrase is shorter than OpenTofu's pbkdf2 minimum (16), without printing it", () => {
    expect(() => encryptionConfig({ passphrase: "short-secret" })).toThrow(
      new InputError("the passphrase has 12 characters; OpenTofu's pbkdf2 key provider needs at least 16"),
    );
    expect(() => encryptionConfig({ passphrase: KEY, previousPassphrase: "short-old" })).toThrow(/previous passphrase has 9 characters/);
  });

  test("fails when the previous key is the new one, or rotation and migration are combined", () => {
    expect(() => encryptionConfig({ passphrase: KEY, previousPassphrase: KEY })).toThrow(/nothing to rotate/);
    expect(() => encryptionConfig({ passphrase: KEY, previousPassphrase: OLD, migrateUnencrypted: true })).toThrow(
      /migrate first, rotate later/,
    );
  });

  test("CLI: reads the passphrases from the named environment variables and prints one line of JSON", () => {
    const r = main(["--passphrase-env", "NEW_KEY", "--previous-passphrase-env", "OLD_KEY"], { NEW_KEY: KEY, OLD_KEY: OLD });
    expect(r.exitCode).toBe(0);
    expect(r.output.endsWith("}\n")).toBe(true);
    expect(JSON.parse(r.output)).toEqual(encryptionConfig({ passphrase: KEY, previousPassphrase: OLD }));
    expect(JSON.parse(main([], { [DEFAULT_PASSPHRASE_ENV]: KEY }).output)).toEqual(encryptionConfig({ passphrase: KEY }));
  });

  test("CLI fails when the variable is unset, or a passphrase is given as an argument", () => {
    expect(() => main([], {})).toThrow(`environment variable ${DEFAULT_PASSPHRASE_ENV} is not set (it holds the state key's passphrase)`);
    expect(() => main([KEY], { [DEFAULT_PASSPHRASE_ENV]: KEY })).toThrow(/passphrases are read from environment variables/);
  });
});
