/**
 * ZFS Sync's TLS proxy configuration, as deployed, checked by `nginx -t` (Debian's nginx; the
 * configuration uses `http2 on`, which needs nginx 1.25.1 or later). The proxy's TLS certificate
 * and key are Terraform variables: the check gives them a throwaway self-signed pair, made here,
 * which nginx -t loads from the paths the service reads.
 */
import { nginxString } from "../../lib";
import {
  CHECKED_SERVICES,
  deployedIn,
  DeployedService,
  expectAccepted,
  expectRejected,
  flagValue,
  renderedFiles,
  runProgram,
  testCertificate,
  withChange,
} from "./programs";

const SERVER_NAME = "zfs-sync.example.test";
const tls = testCertificate(SERVER_NAME);
const vars = { server_name: SERVER_NAME, tls_certificate: tls.certificate, tls_private_key: tls.privateKey };

const deployments = [...deployedIn(CHECKED_SERVICES.proxy.system, CHECKED_SERVICES.proxy.id)];
const deployed = deployments.flatMap(([env, s]) => (s ? [[`${env} (${s.rendering})`, s] as [string, DeployedService]] : []));
const notDeployed = deployments.filter(([, s]) => !s).map(([env]) => env);

/** The service's own nginx command line, with -t: the same configuration file, prefix and flags. */
function nginxTest(service: DeployedService): string[] {
  const [program, ...args] = service.command;
  if (program !== "nginx")
    throw new Error(`${service.stack} ${service.id} runs ${JSON.stringify(service.command)}, not nginx: extend the check`);
  flagValue(args, "-c"); // the configuration file is named, not the image's default
  return ["nginx", "-t", ...args];
}

test(`the TLS proxy is deployed in ${deployed.map(([name]) => name).join(", ")}; not in ${notDeployed.join(", ") || "(every environment has it)"}`, () => {
  expect(deployed.length).toBeGreaterThan(0);
});

describe.each(deployed)("%s", (_name, service) => {
  test(`nginx -t accepts ${flagValue(service.command, "-c")}, as user ${service.user}, with a test certificate`, () => {
    const r = runProgram(nginxTest(service), { service, files: renderedFiles(service, vars), proc: true });
    expectAccepted(r);
    expect(r.output).toMatch(/test is successful/);
  });
});

describe("nginx -t rejects broken copies of the deployed files", () => {
  const [, service] = deployed[0];
  const files = renderedFiles(service, vars);
  const config = flagValue(service.command, "-c");
  const keyPath = /ssl_certificate_key "([^"]+)";/.exec(files.find((f) => f.path === config)!.content)![1];

  test("an ssl_protocols value nginx does not know", () => {
    const broken = withChange(files, config, (s) => s.replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.2 TLSv1.4;"));
    expectRejected(runProgram(nginxTest(service), { service, files: broken, proc: true }), /invalid value "TLSv1.4"/);
  });
  test("a private key that does not match the certificate", () => {
    const mismatched = renderedFiles(service, { ...vars, tls_private_key: tls.otherKey });
    expectRejected(runProgram(nginxTest(service), { service, files: mismatched, proc: true }), /key values mismatch/);
  });
  test("a private key the service's user cannot read", () => {
    const unreadable = files.map((f) => (f.path === keyPath ? { ...f, uid: 0, gid: 0, mode: 0o400 } : f));
    expectRejected(runProgram(nginxTest(service), { service, files: unreadable, proc: true }), /Permission denied/);
  });
});

/**
 * Values that try to leave their parameter: a quote that closes it, `;` that ends the directive and
 * starts another, braces that close or open a block, `#` that would start a comment, backslashes.
 * (`$` and line breaks are refused by nginxString: nginx has no escape for `$`.)
 */
const HOSTILE_PARAMETERS = [
  '"',
  'x"; error_log /tmp/evil debug; "',
  "}",
  "{ location /evil { return 200; } }",
  "; worker_processes 99;",
  "# not a comment",
  "back\\slash\\",
  '\\"',
  "it's 'quoted'",
  "a  b c",
  "%{ if true }{x}",
  "ünïcödé ✓",
];

describe("values written by nginxString stay one parameter", () => {
  const [, service] = deployed[0];
  const files = renderedFiles(service, vars);
  const config = flagValue(service.command, "-c");

  test("nginx -t accepts a configuration with every hostile value as a header value (no directive, block or comment added)", () => {
    const headers = HOSTILE_PARAMETERS.map((v, i) => `    add_header X-Test-${i} ${nginxString(v)} always;`).join("\n");
    const withHeaders = withChange(files, config, (c) =>
      c.replace('    add_header Referrer-Policy "no-referrer" always;\n', (line) => `${line}${headers}\n`),
    );
    expectAccepted(runProgram(nginxTest(service), { service, files: withHeaders, proc: true }));
  });

  test.each(HOSTILE_PARAMETERS)("nginx reads %j back as exactly that parameter (it names it in its error for ssl_protocols)", (value) => {
    const withValue = withChange(files, config, (c) =>
      c.replace("ssl_protocols TLSv1.2 TLSv1.3;", `ssl_protocols TLSv1.2 ${nginxString(value)};`),
    );
    const r = runProgram(nginxTest(service), { service, files: withValue, proc: true });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`invalid value "${value}" in`);
  });

  test("a server name from its Terraform variable, quoted by Terraform, stays one parameter whatever it holds", () => {
    // Its variable's validation admits DNS names only; here the check is the quoting alone.
    const serverName = 'evil/"; } server { listen 1; #';
    const r = runProgram(nginxTest(service), { service, files: renderedFiles(service, { ...vars, server_name: serverName }), proc: true });
    expectAccepted(r);
    // nginx names a server name with "/" in its warning: the whole value, as one parameter.
    expect(r.output).toContain(`server name "${serverName}" has suspicious symbols`);
  });
});
