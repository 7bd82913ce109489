import { appendFileSync, mkdirSync } from "fs";
import { dirname } from "path";

/**
 * Progress lines go straight to stderr (jest buffers console output per test); everything, including
 * full Terraform output, goes to the run's log file `<work dir>/e2e.log`.
 */
let logFile: string | undefined = process.env.E2E_LOG_FILE;

export function setLogFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  logFile = path;
  process.env.E2E_LOG_FILE = path;
}

const stamp = () => new Date().toISOString().slice(11, 19);

/** A progress line on stderr and in the log. */
export function say(text: string): void {
  const line = `[e2e ${stamp()}] ${text}\n`;
  process.stderr.write(line);
  detail(line);
}

/** Only in the log file. */
export function detail(text: string): void {
  if (logFile) appendFileSync(logFile, text.endsWith("\n") ? text : text + "\n");
}
