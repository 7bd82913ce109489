import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";

/** Figures of the run (apply and re-plan times, resources, faults), printed by the reporter. */
export type Figures = Record<string, Record<string, string | number>>;

/** The figures file: one per lane (E2E_FIGURES_FILE, set by the lane runner; lanes write at the same time), merged at the end. */
function file(): string | undefined {
  if (process.env.E2E_FIGURES_FILE) return process.env.E2E_FIGURES_FILE;
  const dir = process.env.E2E_WORK_DIR;
  return dir ? join(dir, "figures.json") : undefined;
}

export function readFigures(): Figures {
  const f = file();
  return f && existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as Figures) : {};
}

export function record(section: string, key: string, value: string | number): void {
  const f = file();
  if (!f) return;
  const all = readFigures();
  all[section] = { ...(all[section] ?? {}), [key]: value };
  writeFileSync(f, JSON.stringify(all, null, 2));
}

export const seconds = (ms: number) => Math.round(ms / 100) / 10;
