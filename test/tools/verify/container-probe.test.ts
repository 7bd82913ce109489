/** The TCP check verify runs inside a container (tools/verify/container-probe.ts). */
import { parseProbe, probeCommand } from "../../../tools/verify/container-probe";

describe("the probe run inside a container", () => {
  test("its output lines, and only host names and port numbers go into the script", () => {
    expect(
      parseProbe(
        "R 8080 open nc\nR 9999 closed nc nc: can't connect to remote host (172.18.0.2): Connection refused\nnoise\n",
        [8080, 9999, 18232],
      ),
    ).toEqual([
      { port: 8080, state: "open", method: "nc", detail: undefined },
      { port: 9999, state: "closed", method: "nc", detail: "nc: can't connect to remote host (172.18.0.2): Connection refused" },
      { port: 18232, state: "none" },
    ]);
    expect(
      parseProbe("R 5432 open nc -z\nR 1 closed curl exit 7 (could not resolve or connect)\n", [5432, 1]).map(
        (p) => `${p.method}:${p.state}`,
      ),
    ).toEqual(["nc -z:open", "curl:closed"]);
    const argv = probeCommand("zebra", [18232, 9999]);
    expect(argv.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(argv.slice(3)).toEqual(["verify-probe", "zebra", "18232", "9999"]);
    expect(() => probeCommand("zebra; rm -rf /", [1])).toThrow(/refusing/);
    expect(() => probeCommand("zebra", [70000])).toThrow(/refusing/);
  });
});
