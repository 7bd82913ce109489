/** TcpProbe from this machine: a connection is accepted within the timeout, or not. */
import { connect } from "net";
import { TcpProbe } from "./docker-api";

/** Whether a TCP connection to host:port is accepted (within timeoutMs). */
export function tcpAccepts(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export function tcpProbe(timeoutMs = 3000): TcpProbe {
  return { accepts: (host, port) => tcpAccepts(host, port, timeoutMs) };
}
