import { loadConfig } from "./harness/env";
import { exec, execOk, mustInspect } from "./harness/docker-engine";
import { basic, http, jsonRpc } from "./harness/net";
import { record } from "./harness/report";
import { StackUnderTest } from "./harness/stacks";
import {
  assertConverged,
  assertEngineMatchesConfig,
  assertPublishedPorts,
  assertReadOnly,
  assertRunningAndHealthy,
  assertSecretFile,
  assertSecretsNotInInspect,
  cleanUp,
  destroyAndAssertClean,
  ensureNoConflicts,
  faultKillMainProcess,
  faultRemoveContainer,
  initValidateApply,
} from "./harness/steps";
import { scenario } from "./harness/suite";
import { assertVerifyPasses } from "./harness/verify";
import { assertBackupRestore } from "./harness/backup";
import { say } from "./harness/log";
import { ZEBRA_DEFAULT_RELEASE, ZEBRA_PREVIOUS_RELEASE, zebraStandin } from "./harness/zebra";

/**
 * The engine: OpenTofu. Each system's dev stack is proven on OpenTofu here (apply, re-plan, faults,
 * destroy) and on Terraform in 07-engine-restart; staging and production run on Terraform
 * (docs/e2e.md, "Engines").
 */
const ENGINE = "tofu";

/** zcash-dev (Regtest): Zebra, the cookie sidecar, Zaino, Zallet and the rpc-router on the local engine. */
describe("zcash-dev on the local engine", () => {
  let s: StackUnderTest;
  let destroyed = false;
  const { step } = scenario();

  beforeAll(() => {
    // Backed up to the service hosts' SFTP server (backup_repository set: the runner is deployed).
    // Zebra starts on the release before the default: the upgrade step below moves it to the default.
    s = new StackUnderTest("zcash-dev", loadConfig(), { engine: ENGINE, backups: true, zebraRelease: ZEBRA_PREVIOUS_RELEASE });
  });
  afterAll(async () => {
    if (s && !destroyed) await cleanUp(s);
  });

  step("no container, volume or network of the stack exists yet", async () => ensureNoConflicts(s));
  step(`${ENGINE} init (provider mirror), validate, apply with stand-in images and generated secrets`, async () => initValidateApply(s));
  step("services run and are healthy; files loaders were never started", async () => assertRunningAndHealthy(s));
  step(
    "npm run verify passes: services healthy, ports answer where declared and nowhere else, connections work from inside the services",
    async () => {
      await assertVerifyPasses(s);
    },
  );
  step(
    "docker inspect matches the synthesized configuration (user, read-only root, capabilities, no-new-privileges, mounts, networks, aliases, restart, logs, ports, limits)",
    async () => assertEngineMatchesConfig(s),
  );

  step("Zebra started as root and runs as 10001 with no effective capabilities; its chain state is owned by 10001", async () => {
    const status = await execOk("z3-regtest-zebra", ["cat", "/proc/1/status"]);
    expect(status).toMatch(/^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
    expect(status).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect((await execOk("z3-regtest-zebra", ["stat", "-c", "%u", "/home/zebra/.cache/zebra"])).trim()).toBe("10001");
    // Zaino likewise drops to 1000; Zallet and the router run as their configured users from the start.
    expect(await execOk("z3-regtest-zaino", ["cat", "/proc/1/status"])).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    expect(await execOk("z3-regtest-zallet", ["cat", "/proc/1/status"])).toMatch(/^Uid:\s+1000\s+/m);
    expect(await execOk("z3-regtest-rpc-router", ["cat", "/proc/1/status"])).toMatch(/^Uid:\s+65532\s+/m);
  });

  step("every read-only root filesystem refuses writes; uploaded config directories are read-only mounts", async () => {
    for (const c of s.services().filter((x) => x.config.read_only)) await assertReadOnly(c.name, "");
    await assertReadOnly("z3-regtest-zaino", "/etc/zaino");
    await assertReadOnly("z3-regtest-zallet", "/etc/zallet");
    await assertReadOnly("z3-regtest-zebra", "/home/zebra/.config");
  });

  step(
    "the Zallet identity is a root-owned 0444 file readable by UID 1000; no secret is visible in docker inspect except the router's documented RPC_PASSWORD",
    async () => {
      await assertSecretFile(s, "z3-regtest-zallet", "/etc/zallet/identity.txt", "zallet_identity", "0444");
      await assertSecretsNotInInspect(s, [{ container: "z3-regtest-rpc-router", variable: "regtest_rpc_password" }]);
    },
  );

  step(
    "the services talk to each other by alias: JSON-RPC through the router reaches Zebra, Zaino reached its validator, Zallet checks its RPC user",
    async () => {
      const zebra = await http("http://127.0.0.1:29232", {
        body: jsonRpc("getblockchaininfo"),
        headers: { "Content-Type": "application/json" },
      });
      expect(zebra?.status).toBe(200);
      expect(JSON.parse(zebra!.body).result.chain).toBe("regtest");
      const viaRouter = await http("http://127.0.0.1:8181", {
        body: jsonRpc("getblockchaininfo"),
        headers: { "Content-Type": "application/json" },
      });
      expect(viaRouter?.status).toBe(200);
      expect(JSON.parse(viaRouter!.body).result.chain).toBe("regtest");
      const zaino = await http("http://127.0.0.1:28137");
      expect(JSON.parse(zaino!.body).result.chain).toBe("regtest");
      expect(
        (
          await http("http://127.0.0.1:50232", {
            body: jsonRpc("getwalletinfo"),
            headers: { Authorization: basic("zebra", s.secrets.regtest_rpc_password) },
          })
        )?.status,
      ).toBe(200);
      expect((await http("http://127.0.0.1:50232", { body: jsonRpc("getwalletinfo") }))?.status).toBe(401);
      expect((await http("http://127.0.0.1:28080/ready"))?.status).toBe(200);
    },
  );

  step("published ports answer on 127.0.0.1 and are not reachable on the machine's other address", async () => {
    const checked = await assertPublishedPorts(s, loadConfig().externalAddress);
    record(s.section, "ports checked on the external address", checked.length);
  });

  step("re-plan right after apply: no changes", async () => assertConverged(s, "apply"));

  step(
    "backup: Zallet's wallet volume and its age identity in one snapshot; the volume lost, restored, read back by Zallet; the identity checked against the deployed one",
    async () => {
      const file = "/var/lib/zallet/e2e-wallet-marker";
      await assertBackupRestore(s, {
        volume: "z3-regtest-zallet",
        write: async () => {
          const marker = `wallet ${Date.now()}`;
          await execOk("z3-regtest-zallet", ["sh", "-c", `printf '%s' '${marker}' > ${file}`], { user: "1000:1000" });
          return marker;
        },
        read: () => execOk("z3-regtest-zallet", ["cat", file], { user: "1000:1000" }),
      });
      expect(await execOk("z3-regtest-backup", ["/etc/restic/backup.sh", "snapshots", "z3-regtest-zallet"])).toContain(
        "/run/secrets/companions/zallet_identity",
      );
      await assertConverged(s, "restore");
    },
  );

  step(
    "fault: Zebra's main process is killed (SIGKILL from the host); the restart policy brings it back healthy, chain state kept",
    async () => {
      const before = await execOk("z3-regtest-zebra", ["cat", "/home/zebra/.cache/zebra/standin-starts"]);
      await faultKillMainProcess(s, "z3-regtest-zebra", "host-kill");
      const after = await execOk("z3-regtest-zebra", ["cat", "/home/zebra/.cache/zebra/standin-starts"]);
      expect(after.startsWith(before)).toBe(true);
      expect(after.split("\n").filter(Boolean).length).toBe(before.split("\n").filter(Boolean).length + 1);
      await assertConverged(s, "Zebra restart");
    },
  );

  step("fault: docker exec zallet kill 1; the restart policy brings it back", async () => {
    await faultKillMainProcess(s, "z3-regtest-zallet", "exec-term");
    await assertConverged(s, "Zallet restart");
  });

  step("fault: docker rm -f zaino out of band; the plan creates exactly that container and apply heals it", async () => {
    await faultRemoveContainer(s, "z3-regtest-zaino");
    await assertConverged(s, "healing Zaino");
  });

  step(
    `upgrade (docs/zebra-upgrades.md): Zebra ${ZEBRA_PREVIOUS_RELEASE} → ${ZEBRA_DEFAULT_RELEASE} through zebra_image; the plan replaces the container and its image only, the chain volume keeps its data, the node is back healthy and reports the new release`,
    async () => {
      const metrics = async () => execOk("z3-regtest-zebra", ["curl", "-sf", "http://127.0.0.1:9999/metrics"]);
      expect(await metrics()).toContain(`zebrad_build_info{version="${ZEBRA_PREVIOUS_RELEASE}"} 1`);
      await execOk("z3-regtest-zebra", ["sh", "-c", "echo written-before-the-upgrade > /home/zebra/.cache/zebra/e2e-marker"], {
        user: "10001:10001",
      });
      const oldId = (await mustInspect("z3-regtest-zebra")).Id;
      const next = { zebra_image: zebraStandin(ZEBRA_DEFAULT_RELEASE) };
      const plan = await s.tf.plan({ overrides: next });
      expect(plan.changes.map((c) => `${c.address}:${c.actions.join("+")}`)).toEqual(
        expect.arrayContaining(["docker_container.z3_zebra:delete+create", "docker_image.z3_zebra_image:delete+create"]),
      );
      expect(plan.changes.filter((c) => c.address.startsWith("docker_volume."))).toEqual([]);
      await s.tf.applyOk({ overrides: next });
      await assertRunningAndHealthy(s);
      const zebra = await mustInspect("z3-regtest-zebra");
      expect(zebra.Id).not.toBe(oldId);
      expect(zebra.Config.Labels?.["org.z3-e2e.zebra-version"]).toBe(ZEBRA_DEFAULT_RELEASE);
      expect(await metrics()).toContain(`zebrad_build_info{version="${ZEBRA_DEFAULT_RELEASE}"} 1`);
      expect((await execOk("z3-regtest-zebra", ["cat", "/home/zebra/.cache/zebra/e2e-marker"])).trim()).toBe("written-before-the-upgrade");
      expect(await execOk("z3-regtest-zebra", ["cat", "/home/zebra/.cache/zebra/standin-starts"])).toMatch(
        new RegExp(`v${ZEBRA_PREVIOUS_RELEASE.replace(/\./g, "\\.")}\n(.*\n)*.*v${ZEBRA_DEFAULT_RELEASE.replace(/\./g, "\\.")}\n$`),
      );
      await assertConverged(s, "the upgrade", next);
      say(`zcash-dev: zebra upgraded ${ZEBRA_PREVIOUS_RELEASE} → ${ZEBRA_DEFAULT_RELEASE}, chain volume data kept`);
    },
  );

  step(`${ENGINE} destroy leaves no container, volume or network of the stack`, async () => {
    await destroyAndAssertClean(s);
    destroyed = true;
    expect((await exec("z3-regtest-zebra", ["true"])).code).not.toBe(0);
  });
});
