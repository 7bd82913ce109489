import { request } from "http";

/** Whether a TCP connection to host:port is accepted (within timeoutMs); the verify tool's own probe. */
export { tcpAccepts } from "../../../tools/verify/tcp-probe";

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request from the host (127.0.0.1 published ports only); undefined on a network error. */
export function http(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer | undefined> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: opts.method ?? (opts.body ? "POST" : "GET"),
        headers: { ...(opts.headers ?? {}), ...(opts.body ? { "Content-Length": Buffer.byteLength(opts.body) } : {}) },
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", () => resolve(undefined));
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve(undefined);
    });
    req.on("error", () => resolve(undefined));
    req.end(opts.body);
  });
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

export function jsonRpc(method: string): string {
  return JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] });
}
