/**
 * The TCP check `npm run verify` runs inside a service's container (`docker exec <c> sh -c …`): can
 * this container open a connection to <alias>:<port>? It uses what the image has, in this order:
 * `nc -z`, `nc` without -z (busybox builds lack it; stdin closed, so it returns once the peer closes),
 * bash's /dev/tcp, curl (connected when curl reports a connect time), wget --spider (connected unless
 * it reports a refused, unresolved or unreachable host). With none of them it says so.
 */

export type ProbeState = "open" | "closed" | "none";

export interface ProbeResult {
  readonly port: number;
  readonly state: ProbeState;
  /** nc -z, nc, bash, curl, wget */
  readonly method?: string;
  /** The tool's own words when the port is closed. */
  readonly detail?: string;
}

/** Aliases and ports are interpolated into the script: only DNS-name characters and numbers. */
export function safeProbeTarget(host: string, ports: readonly number[]): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(host) && ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536);
}

const SCRIPT = String.raw`
h=$1; shift
has() { command -v "$1" >/dev/null 2>&1; }
if has timeout; then to() { timeout "$@"; }; else to() { shift; "$@"; }; fi
line() { printf '%s\n' "$1" | tr -d '\r' | head -n 1 | cut -c1-160; }
for p in "$@"; do
  if has nc; then
    out=$(to 5 nc -z -w 3 "$h" "$p" 2>&1 </dev/null); rc=$?
    case "$out" in
      *"nvalid option"*|*"nrecognized option"*|*"llegal option"*|*"sage:"*) ;;
      *) if [ "$rc" -eq 0 ]; then echo "R $p open nc -z"; else echo "R $p closed nc -z $(line "$out")"; fi; continue ;;
    esac
    out=$(to 5 nc -w 3 "$h" "$p" 2>&1 >/dev/null </dev/null); rc=$?
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || [ "$rc" -eq 143 ]; then echo "R $p open nc"; else echo "R $p closed nc $(line "$out")"; fi
    continue
  fi
  if has bash; then
    if to 5 bash -c "exec 3<>/dev/tcp/$h/$p" >/dev/null 2>&1; then echo "R $p open bash"; else echo "R $p closed bash /dev/tcp/$h/$p failed"; fi
    continue
  fi
  if has curl; then
    t=$(to 8 curl -s -o /dev/null -w '%{time_connect}' --connect-timeout 3 -m 5 "http://$h:$p/" 2>/dev/null); rc=$?
    case "$rc:$t" in
      0:*) echo "R $p open curl" ;;
      6:*|7:*) echo "R $p closed curl exit $rc (could not resolve or connect)" ;;
      *:0|*:0.0*|*:) if [ "$(printf '%s' "$t" | tr -d '0.')" = "" ]; then echo "R $p closed curl exit $rc (no connection)"; else echo "R $p open curl"; fi ;;
      *) echo "R $p open curl" ;;
    esac
    continue
  fi
  if has wget; then
    out=$(to 5 wget --spider "http://$h:$p/" 2>&1); rc=$?
    if [ "$rc" -eq 0 ]; then echo "R $p open wget"; continue; fi
    case "$out" in
      *"connected."*|*"server returned error"*|*"error getting response"*|*"HTTP/"*|*"No data received"*|*"Read error"*) echo "R $p open wget" ;;
      *) echo "R $p closed wget $(line "$out")" ;;
    esac
    continue
  fi
  echo "R $p none"
done
`;

/** argv for `docker exec <container> …`: checks every port of host from inside the container. */
export function probeCommand(host: string, ports: readonly number[]): string[] {
  if (!safeProbeTarget(host, ports)) throw new Error(`refusing to probe ${host}:${ports.join(",")}: not a host name and ports`);
  return ["sh", "-c", SCRIPT, "verify-probe", host, ...ports.map(String)];
}

/** The script's `R <port> <state> [method] [detail]` lines; ports without a line are "none". */
export function parseProbe(stdout: string, ports: readonly number[]): ProbeResult[] {
  const byPort = new Map<number, ProbeResult>();
  for (const line of stdout.split("\n")) {
    const m = /^R (\d+) (open|closed|none)(?: (nc -z|nc|bash|curl|wget))?(?: (.*))?$/.exec(line.trim());
    if (!m) continue;
    byPort.set(Number(m[1]), { port: Number(m[1]), state: m[2] as ProbeState, method: m[3], detail: m[4]?.trim() || undefined });
  }
  return ports.map((p) => byPort.get(p) ?? { port: p, state: "none" });
}

/** `docker exec` could not start the shell: the image has none (distroless, scratch). */
export function noShell(code: number, stderr: string): boolean {
  return (code === 126 || code === 127) && /executable file not found|no such file or directory/i.test(stderr);
}
