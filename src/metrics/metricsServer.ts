import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { usageError } from "../errors.js";

/** What a route answers: a status, a content type and a body. */
export interface Reply {
  status: number;
  contentType: string;
  body: string;
}
export type Route = (query: URLSearchParams) => Promise<Reply>;

/** `host:port` as --listen and --metrics-listen take it (IPv6 in brackets: [::1]:9464). */
export function parseListen(text: string, option: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw usageError(`${option} ${text}: write host:port, e.g. 127.0.0.1:9464`);
  return { host: (m[1] ?? m[2])!, port };
}

/** An HTTP server of a few GET routes on host:port; a port taken or an address not this machine's is a usage error. */
export async function startMetricsServer(listen: string, option: string, routes: Record<string, Route>): Promise<{ url: string; close(): Promise<void> }> {
  const { host, port } = parseListen(listen, option);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = routes[url.pathname];
    const send = (r: Reply) => {
      res.writeHead(r.status, { "content-type": r.contentType, "cache-control": "no-store" });
      res.end(r.body);
    };
    if (req.method !== "GET" || !route) return send({ status: 404, contentType: "text/plain; charset=utf-8", body: `no route ${req.method} ${url.pathname}; try ${Object.keys(routes).join(", ")}\n` });
    route(url.searchParams).then(send, (err: Error) => send({ status: 500, contentType: "text/plain; charset=utf-8", body: `${err.message}\n` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(usageError(`${option} ${listen}: ${err.code === "EADDRINUSE" ? "the port is taken" : err.code === "EADDRNOTAVAIL" ? "not an address of this machine" : (err.message ?? err.code)}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
