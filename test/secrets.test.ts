import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../app";
import { ENVIRONMENTS } from "../config/environments";

/**
 * Synthesizes every stack with sentinel secret values in the environment (as a deployer would have
 * them in TF_VAR_*) and checks that none of them, and no literal password, reaches cdktf.out.
 */
describe("no secret reaches the synthesized JSON", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-secrets-"));
  const sentinel = "S3NTINEL-never-in-json-0123456789";
  const saved = { ...process.env };
  let files: string[] = [];
  beforeAll(() => {
    for (const name of ["regtest_rpc_password", "zallet_rpc_pwhash", "zallet_identity", "grafana_admin_password", "api_key", "jwt_secret", "db_password", "tls_private_key"]) {
      process.env[`TF_VAR_${name}`] = sentinel;
    }
    expect(synthesize(ENVIRONMENTS, { outdir: out })).toBe(0);
    const stacks = path.join(out, "stacks");
    files = fs.readdirSync(stacks).map((s) => path.join(stacks, s, "cdk.tf.json"));
  });
  afterAll(() => {
    process.env = saved;
  });

  test("all stacks were written", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
  test("no sentinel value, no 'changeme', no default credential", () => {
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      expect([file, text.includes(sentinel)]).toEqual([file, false]);
      expect([file, /changeme/i.test(text)]).toEqual([file, false]);
      expect([file, /(PASSWORD|SECRET|TOKEN)=(?!\$\{)[^"]+/.test(text)]).toEqual([file, false]);
      expect([file, /password\s*=\s*\\"(?!\$\{)/i.test(text)]).toEqual([file, false]);
    }
  });
  test("every sensitive-looking variable is sensitive and has no default", () => {
    for (const file of files) {
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      for (const [name, v] of Object.entries<any>(json.variable ?? {})) {
        if (/password|secret|token|identity|pwhash|key/i.test(name) && !/_image$/.test(name)) {
          expect([file, name, v.sensitive === true, v.default === undefined]).toEqual([file, name, true, true]);
        }
      }
    }
  });
});
