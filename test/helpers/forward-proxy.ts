// A tiny HTTP forward proxy for tests (node:http and node:net only) that records every request that
// went through it. It speaks both ways clients use a proxy: CONNECT tunnels (undici's ProxyAgent,
// curl for https URLs) and absolute-form requests (`GET http://host/path`, curl for http URLs). It
// reads the requests inside each tunnel (terminating TLS itself for the hosts given a certificate),
// so a test can tell which client asked for what (method, path, user agent).
//
// `routes` maps the addresses the clients ask for to where the proxy really connects, so a test can
// name an address that only the proxy can reach ("proxy-only"): a direct connection to it fails,
// and a request that succeeds must have gone through the proxy.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { TLSSocket } from "node:tls";

export interface ProxiedRequest {
  /** "tunnel" for a request read inside a CONNECT tunnel, "forward" for an absolute-form request */
  via: "tunnel" | "forward";
  /** the address the client asked for, `host:port` */
  target: string;
  method: string;
  /** path and query, as the client sent them */
  path: string;
  userAgent: string;
}

export interface ForwardProxyOptions {
  /** `host:port` the clients name → `host:port` the proxy connects to (unlisted targets are connected as named) */
  routes?: Record<string, string>;
  /** `host:port` → key and certificate the proxy answers TLS with inside a CONNECT tunnel (it then speaks plain HTTP to the route) */
  tls?: Record<string, { key: string | Buffer; cert: string | Buffer }>;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY / HTTPS_PROXY */
  url: string;
  /** every request that went through, in order */
  seen: ProxiedRequest[];
  /** CONNECT requests, as `host:port` */
  tunnels: string[];
  close(): Promise<void>;
}

export async function startForwardProxy({ routes = {}, tls = {} }: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const seen: ProxiedRequest[] = [];
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const targetOf = new WeakMap<Socket, string>();
  const route = (target: string) => routes[target] ?? target;

  /** one request, relayed to the real address of `target` */
  const relay = (via: ProxiedRequest["via"], target: string, path: string, req: IncomingMessage, res: ServerResponse) => {
    seen.push({ via, target, method: req.method ?? "GET", path, userAgent: String(req.headers["user-agent"] ?? "") });
    const [host, port] = splitHostPort(route(target));
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    delete headers["proxy-authorization"];
    const upstream = httpRequest({ host, port, method: req.method, path, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  };

  // reads the requests inside the tunnels
  const inner = createServer((req, res) => relay("tunnel", targetOf.get(req.socket as Socket) ?? "", req.url ?? "/", req, res));

  const proxy: Server = createServer((req, res) => {
    // absolute form: GET http://host:port/path
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end();
      return;
    }
    relay("forward", `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`, `${url.pathname}${url.search}`, req, res);
  });
  proxy.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  proxy.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const target = req.url ?? "";
    tunnels.push(target);
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) socket.unshift(head);
    const certificate = tls[target];
    const stream: Socket = certificate ? new TLSSocket(socket, { isServer: true, key: certificate.key, cert: certificate.cert }) : socket;
    targetOf.set(stream, target);
    inner.emit("connection", stream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    tunnels,
    async close() {
      for (const socket of sockets) socket.destroy();
      inner.close();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

function splitHostPort(address: string): [string, number] {
  const colon = address.lastIndexOf(":");
  return [address.slice(0, colon).replace(/^\[|\]$/g, ""), Number(address.slice(colon + 1))];
}

/** Whether a direct TCP connection to `host:port` is refused (a proxy-only address must be). */
export function refusesDirect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}
