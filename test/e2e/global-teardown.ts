import { spawnSync } from "child_process";
import { existsSync, rmSync } from "fs";
import { say } from "./harness/log";
import { stopPostgres } from "./harness/postgres";
import { SwarmTestbed } from "./harness/swarm";
import { WebhookReceiver } from "./harness/webhook";

/** Stops the throwaway PostgreSQL; removes the work directory after a green run (E2E_KEEP=1 keeps it). */
export default async function globalTeardown(): Promise<void> {
  // A lane of scripts/e2e-lanes.js: the runner tears down once, after every lane.
  if (process.env.E2E_SHARED_SETUP === "1") return;
  const dataDir = process.env.E2E_PG_DATA_DIR;
  const binDir = process.env.E2E_PG_BIN_DIR;
  if (dataDir && binDir) await stopPostgres(dataDir, binDir);
  // A scenario that crashed before its afterAll leaves the swarm test bed up; never leave it behind.
  if (process.env.E2E_KEEP !== "1" && existsSync("/run/z3-swarm")) {
    say("swarm test bed left up: taking it down");
    spawnSync("bash", [SwarmTestbed.script, "down"], { stdio: "inherit", timeout: 300_000 });
  }
  if (process.env.E2E_KEEP !== "1" && existsSync("/var/lib/z3-service-hosts")) {
    say("service-hosts test bed (alert receiver, backup host): taking it down");
    spawnSync("bash", [WebhookReceiver.script, "down"], { stdio: "inherit", timeout: 120_000 });
  }
  const workDir = process.env.E2E_WORK_DIR;
  if (!workDir) return;
  if (process.env.E2E_RUN_OK === "1" && process.env.E2E_KEEP !== "1" && !process.env.E2E_WORK_DIR_GIVEN) {
    rmSync(workDir, { recursive: true, force: true });
  } else {
    say(`kept the work directory ${workDir} (log, states, synthesized stacks)`);
  }
}
