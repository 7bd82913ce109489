/**
 * Paths, ports and the mmap directory layout of Jessy as upstream defines them
 * (github.com/gokselozgur5/jessy @ aa0bcb4: docker-compose.yml, docker/Dockerfile.*,
 * scripts/init-mmap-volumes.sh).
 */
import { shellQuote } from "../../lib/shell-quote";

/** `src/bin/jessy.rs` hard-codes `0.0.0.0:8080` (`RUST_PORT` from .env.example is not read). */
export const CORE_PORT = 8080;
/** `api/main.go` reads `PORT` (default 3000); compose sets 3000. */
export const API_PORT = 3000;
/** Where both services mount the mmap volume (compose `mmap-data:/app/data/mmap`, `MMAP_BASE_PATH`). */
export const MMAP_PATH = "/app/data/mmap";
/** The production stages create user `jessy` with this UID (and its group); the mmap README names it as owner. */
export const JESSY_UID = 1000;

/** The 14 "dimensional layers" init-mmap-volumes.sh creates: D01 … D14. */
export const MMAP_DIMENSIONS: readonly string[] = Array.from({ length: 14 }, (_, i) => `D${String(i + 1).padStart(2, "0")}`);

/** Directories under the mmap root, as init-mmap-volumes.sh creates them (parents first). */
export const MMAP_DIRECTORIES: readonly string[] = ["consciousness", ...MMAP_DIMENSIONS.map((d) => `consciousness/${d}`), "proto", "temp"];

/**
 * Shell script of the one-shot init container: upstream's host script, run inside the volume so it
 * works on a remote Docker host. Idempotent: it touches only the layout directories (never the
 * mmap files jessy-core writes; upstream's `chmod -R 755` would mark them executable), so a re-run
 * after an image change is harmless. The README.md and .gitignore upstream writes serve the git
 * checkout behind its bind-backed volume and are not needed in a named volume.
 */
export function mmapInitScript(root: string = MMAP_PATH, uid: number = JESSY_UID): string {
  const dirs = [".", ...MMAP_DIRECTORIES].join(" ");
  return [
    "set -eu",
    `cd ${shellQuote(root)}`,
    `mkdir -p ${MMAP_DIRECTORIES.join(" ")}`,
    `chmod 755 ${dirs}`,
    `chown ${uid}:${uid} ${dirs}`,
  ].join("\n");
}

/** Upstream compose health checks: interval 10s, timeout 5s, retries 3, start_period 10s for both services. */
export const UPSTREAM_HEALTH_TIMINGS = { intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 } as const;
