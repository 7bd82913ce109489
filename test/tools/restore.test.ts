import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Docker, main, run, USAGE } from "../../tools/restore";
import { InputError } from "../../tools/lib/cli";

/*
 * Argument handling of `npm run restore` (tools/restore.ts). Every case here fails or answers before
 * the tool talks to a Docker engine; the restores themselves run against the real engine in the e2e
 * suite (01-zcash-dev, 02-jessy-dev, 06-production-protection).
 */

/** The InputError main() throws for `argv` (fails the test when it throws nothing or something else). */
async function inputError(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  let error: unknown;
  try {
    await main(argv, env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}

describe("usage", () => {
  test("--help and -h print the usage and exit 0", async () => {
    expect(await main(["--help"], {})).toEqual({ output: USAGE, exitCode: 0 });
    expect(await main(["-h"], {})).toEqual({ output: USAGE, exitCode: 0 });
    expect(await main(["zcash-dev", "z3-regtest-zallet", "--help"], {})).toEqual({ output: USAGE, exitCode: 0 });
  });
  test("the usage names the arguments, the options and the exit codes", async () => {
    expect(USAGE).toMatch(/^usage: npm run restore -- <stack> <volume> \[<snapshot>\] \[options\]$/m);
    for (const option of ["--docker-host <url>", "--list", "--help"]) expect(USAGE).toContain(option);
    expect(USAGE).toContain("Exit codes: 0 restored (or listed), 1 the restore failed, 2 usage error.");
  });
});

describe("missing and extra arguments", () => {
  test.each([[[]], [["zcash-dev"]], [["--list"]], [["zcash-dev", "--docker-host", "unix:///var/run/docker.sock"]]])(
    "fails without <stack> and <volume>: %j",
    async (argv) => {
      expect(await inputError(argv)).toBe(`expected <stack> <volume> [<snapshot>]\n\n${USAGE}`);
    },
  );
  test("fails with more than three positional arguments", async () => {
    expect(await inputError(["zcash-dev", "z3-regtest-zallet", "latest", "again"])).toBe(
      `expected <stack> <volume> [<snapshot>]\n\n${USAGE}`,
    );
  });
  test("fails on an unknown option, and on --docker-host without a value", async () => {
    expect(await inputError(["zcash-dev", "z3-regtest-zallet", "--force"])).toBe("unknown option --force (see --help)");
    expect(await inputError(["zcash-dev", "z3-regtest-zallet", "--docker-host"])).toBe("option --docker-host needs a value");
    expect(await inputError(["zcash-dev", "z3-regtest-zallet", "--list=yes"])).toBe("option --list takes no value");
  });
});

describe("snapshot ids", () => {
  const allowed = 'allowed: "latest" or a snapshot id (hex) from --list';
  test.each(["LATEST", "4bf8d32", "4BF8D32E", "4bf8d32g", "../../etc", "latest;rm", `${"a".repeat(65)}`, "-1"])(
    "fails on the snapshot %j",
    async (snapshot) => {
      expect(await inputError(["zcash-dev", "z3-regtest-zallet", snapshot])).toBe(`snapshot ${JSON.stringify(snapshot)}: ${allowed}`);
    },
  );
  test("an id is checked before any Docker host is chosen", async () => {
    expect(await inputError(["zcash-dev", "z3-regtest-zallet", "nope"], { TF_VAR_docker_host: "http://bad" })).toMatch(
      /^snapshot "nope": /,
    );
  });
});

describe("Docker hosts", () => {
  const allowed = "allowed: a unix://, tcp:// or ssh:// Docker host";
  test.each(["http://10.0.0.5:2375", "10.0.0.5:2375", "unix://", "npipe:////./pipe/docker_engine", "/var/run/docker.sock"])(
    "fails on --docker-host %j",
    async (host) => {
      expect(await inputError(["zcash-dev", "z3-regtest-zallet", "--docker-host", host])).toBe(
        `--docker-host ${JSON.stringify(host)}: ${allowed}`,
      );
    },
  );
  test("takes --docker-host first, then TF_VAR_docker_host, then DOCKER_HOST (each validated)", async () => {
    const args = ["zcash-dev", "z3-regtest-zallet"];
    expect(await inputError(args, { TF_VAR_docker_host: "http://a", DOCKER_HOST: "unix:///ok.sock" })).toBe(
      `--docker-host "http://a": ${allowed}`,
    );
    expect(await inputError(args, { DOCKER_HOST: "http://b" })).toBe(`--docker-host "http://b": ${allowed}`);
    expect(await inputError([...args, "--docker-host=http://c"], { TF_VAR_docker_host: "unix:///ok.sock" })).toBe(
      `--docker-host "http://c": ${allowed}`,
    );
  });
});

describe("stack names", () => {
  // A valid host that is never contacted: the stack name is checked first.
  const env = { TF_VAR_docker_host: "unix:///nonexistent/docker.sock" };
  test.each(["zcash", "zcash-test", "-dev", "dev"])("fails on the stack %j before talking to Docker", async (stack) => {
    expect(await inputError([stack, "some-volume"], env)).toBe(`${stack} is not a stack name (<system>-<dev|staging|production>)`);
    expect(await inputError([stack, "some-volume", "--list"], env)).toBe(
      `${stack} is not a stack name (<system>-<dev|staging|production>)`,
    );
  });
});

describe("the docker CLI", () => {
  test("a missing docker CLI is an input error that says what to install", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "restore-nopath-"));
    const before = process.env.PATH;
    process.env.PATH = empty;
    try {
      await expect(new Docker("unix:///nonexistent/docker.sock").run(["ps"])).rejects.toThrow(
        new InputError("the docker CLI is not on PATH: install it (only the client is needed)"),
      );
    } finally {
      process.env.PATH = before;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("run()", () => {
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  const exitCodeBefore = process.exitCode;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    stdout.mockRestore();
    process.exitCode = exitCodeBefore;
  });

  test("a usage error exits 2 with `error: <message>` on stderr and nothing on stdout", async () => {
    await run(["zcash-dev", "z3-regtest-zallet", "nope"]);
    expect(process.exitCode).toBe(2);
    expect(stderr).toHaveBeenCalledWith('error: snapshot "nope": allowed: "latest" or a snapshot id (hex) from --list\n');
    expect(stdout).not.toHaveBeenCalled();
  });
  test("--help exits 0 with the usage on stdout", async () => {
    await run(["--help"]);
    expect(process.exitCode).toBe(0);
    expect(stdout).toHaveBeenCalledWith(USAGE);
    expect(stderr).not.toHaveBeenCalled();
  });
});
