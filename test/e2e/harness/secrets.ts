import { createHmac, randomBytes, randomInt } from "crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { spawnSync } from "child_process";
import type { TfResources, TfVariable } from "../../tf-json";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

export function randomString(length: number, alphabet = ALNUM): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/**
 * The minimum length a secret's length check demands (`length(var.x) >= N`, a precondition of
 * `terraform_data.<name>_length` in the stack's resources: `lib/secret.ts`).
 */
export function minLength(name: string, resources: Partial<TfResources> = {}): number {
  for (const p of resources.terraform_data?.[`${name}_length`]?.lifecycle?.precondition ?? []) {
    const m = /length\(var\.[a-z0-9_]+\)\s*>=\s*(\d+)/.exec(p.condition);
    if (m) return Number(m[1]);
  }
  return 16;
}

let tls: { certificate: string; key: string } | undefined;

/** A throwaway self-signed certificate (openssl), or PEM-shaped filler when openssl is missing. */
function tlsPair(): { certificate: string; key: string } {
  if (tls) return tls;
  const dir = mkdtempSync(join(tmpdir(), "z3-e2e-tls-"));
  try {
    // A real certificate: the proxy is real nginx. Its name is the stack's server_name in the suite.
    const r = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=zfs-sync.e2e.test",
        "-addext",
        "subjectAltName=DNS:zfs-sync.e2e.test",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0 || !existsSync(join(dir, "cert.pem")))
      throw new Error(`openssl could not make the suite's TLS certificate: ${r.stderr}`);
    tls = { certificate: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tls;
}

/**
 * Generated values for a stack's sensitive variables, in the shape each consumer checks: an age
 * identity for Zallet, Zallet's `salt$hmac` pwhash of the Regtest password, PEM for the proxy, and
 * URL-reserved characters in the PostgreSQL password (the app's URL must carry it percent-encoded).
 */
export function generateSecrets(variables: Record<string, TfVariable>, resources: Partial<TfResources> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  // Optional secrets (a default: the registry credentials, empty unless a registry is used) keep it.
  const names = Object.keys(variables).filter((k) => variables[k].sensitive === true && variables[k].default === undefined);
  // The password first: the pwhash is derived from it.
  names.sort((a, b) => (a === "regtest_rpc_password" ? -1 : b === "regtest_rpc_password" ? 1 : a.localeCompare(b)));
  for (const name of names) {
    const len = Math.max(minLength(name, resources), 32);
    switch (name) {
      case "zallet_identity":
        out[name] = `AGE-SECRET-KEY-1${randomString(58, BECH32)}`;
        break;
      case "zallet_rpc_pwhash": {
        const salt = randomBytes(16).toString("hex");
        out[name] = `${salt}$${createHmac("sha256", salt)
          .update(out.regtest_rpc_password ?? randomString(24))
          .digest("hex")}`;
        break;
      }
      case "tls_certificate":
        out[name] = tlsPair().certificate;
        break;
      case "tls_private_key":
        out[name] = tlsPair().key;
        break;
      case "postgres_password":
        out[name] = `e2e@/:%+?#&=${randomString(len)}`;
        break;
      default:
        out[name] = `e2e${randomString(len)}`;
    }
  }
  return out;
}
