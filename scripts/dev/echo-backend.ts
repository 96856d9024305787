/**
 * @module A small HTTP backend for the local demo (`npm start`) and the end-to-end tests. It says who answered,
 * and records what it received (method, path, query, headers, body length and SHA-256) so tests can check what
 * the gateway forwarded. Bodies are hashed while they stream, never held in memory.
 *
 * Paths with special behaviour (tests use them; harmless in the demo):
 *   /__status/<code>       answers with that status
 *   /__delay/<ms>          waits before answering
 *   /__redirect            302 to /elsewhere
 *   /__bytes/<n>           streams n bytes of body
 *   /__reset               destroys the connection without an answer
 *   /__set-header?name=v   echoes response headers given in the query (for response-side tests)
 *
 * Health-check probes are recorded in `probes`, not `received`, so tests see only what clients sent.
 * `failWith` makes the whole backend misbehave (tests of health checks and retries set it in-process; there is no
 * HTTP way to do it): "503" answers every request 503, "hang" never answers, "reset" drops every connection.
 */
import { createHash } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { HEALTH_CHECK_USER_AGENT } from "../../worker/core/index.ts";

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as received on the request line. */
  target: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  bodySha256: string;
}

export type Misbehaviour = "503" | "hang" | "reset";

export interface EchoBackend {
  name: string;
  host: string;
  port: number;
  url: string;
  received: ReceivedRequest[];
  /** The gateway's health-check probes (User-Agent `edgeroute-health-check`), kept apart from `received`. */
  probes: ReceivedRequest[];
  /** How the backend misbehaves; `undefined`: it works. */
  failWith: Misbehaviour | undefined;
  close(): Promise<void>;
}

export async function startEchoBackend(name: string, port = 0, host = "127.0.0.1"): Promise<EchoBackend> {
  const received: ReceivedRequest[] = [];
  const probes: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const probe = req.headers["user-agent"] === HEALTH_CHECK_USER_AGENT;
    void handle(name, req, res, probe ? probes : received, backend.failWith);
  });
  // WebSocket handshakes reach the backend as 'upgrade' events: answer 101 and echo frames back untouched.
  // Upgraded sockets leave the HTTP server's bookkeeping, so they are tracked here for close().
  const upgraded = new Set<import("node:stream").Duplex>();
  server.on("upgrade", (req, socket) => {
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    record(req, received, 0, createHash("sha256").digest("hex"));
    const key = req.headers["sec-websocket-key"] ?? "";
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Backend: ${name}\r\n\r\n`,
    );
    socket.on("data", (frame: Buffer) => socket.write(unmaskFrame(frame)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const backend: EchoBackend = {
    name,
    host,
    port: actual,
    url: `http://${host}:${actual}`,
    received,
    probes,
    failWith: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of upgraded) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return backend;
}

async function handle(
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  received: ReceivedRequest[],
  failWith: Misbehaviour | undefined,
): Promise<void> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  const entry = record(req, received, bytes, hash.digest("hex"));
  const [, special, arg] = entry.path.split("/");
  res.setHeader("X-Backend", name);
  if (failWith === "hang") return;
  if (failWith === "reset") {
    req.socket.destroy();
    return;
  }
  if (failWith === "503") {
    res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end(`${name} is unavailable\n`);
    return;
  }
  if (special === "__reset") {
    req.socket.destroy();
    return;
  }
  if (special === "__delay") await new Promise((r) => setTimeout(r, Number(arg)));
  if (special === "__redirect") {
    res.writeHead(302, { Location: "/elsewhere" }).end();
    return;
  }
  if (special === "__bytes") {
    await streamBytes(res, Number(arg));
    return;
  }
  if (special === "__set-header") {
    for (const [key, value] of new URLSearchParams(entry.query)) res.setHeader(key, value);
  }
  const status = special === "__status" ? Number(arg) : 200;
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`Hello from ${name}: ${entry.method} ${entry.target}\n`);
}

function record(
  req: IncomingMessage,
  received: ReceivedRequest[],
  bodyBytes: number,
  bodySha256: string,
): ReceivedRequest {
  const target = req.url ?? "/";
  const q = target.indexOf("?");
  const entry: ReceivedRequest = {
    method: req.method ?? "",
    target,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? "" : target.slice(q + 1),
    headers: { ...req.headers },
    bodyBytes,
    bodySha256,
  };
  received.push(entry);
  return entry;
}

async function streamBytes(res: ServerResponse, total: number): Promise<void> {
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(total) });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let left = total;
  while (left > 0) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (!res.write(piece)) await new Promise((r) => res.once("drain", r));
  }
  res.end();
}

/** Turn one masked client frame (RFC 6455 §5.3) into the same unmasked server frame: an echo. */
function unmaskFrame(frame: Buffer): Buffer {
  const first = frame[0] ?? 0;
  let length = (frame[1] ?? 0) & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    offset = 10;
  }
  const mask = frame.subarray(offset, offset + 4);
  const payload = Buffer.from(frame.subarray(offset + 4, offset + 4 + length));
  for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  const header = length < 126 ? Buffer.from([first, length]) : Buffer.from([first, 126, length >> 8, length & 0xff]);
  return Buffer.concat([header, payload]);
}
