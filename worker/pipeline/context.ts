/**
 * @module RequestCtx: the one piece of state the phases of a request share (house style: pingora's phases).
 */
import type { Backend, CompiledRoute, Endpoint } from "../core/index.ts";

export interface RequestCtx {
  readonly startedAt: number;
  readonly request: Request;
  readonly url: URL;
  /** The scheme the client used at the edge. */
  readonly https: boolean;
  /** Client address: `CF-Connecting-IP`, which Cloudflare sets and a client cannot spoof at the edge. */
  readonly clientIp: string;
  /** Routing key from `normalize`: lowercase, no port, no trailing dot. */
  host: string;
  /** Canonical path from `normalize`: what is matched, checked by policies and sent to the backend. */
  path: string;
  route?: CompiledRoute;
  backend?: Backend;
  endpoint?: Endpoint;
  /** True when the sticky cookie chose the backend. */
  sticky: boolean;
  /** Subrequests sent to backends (1 + retries); 0 when the gateway answered itself. */
  attempts: number;
  /** True when every usable endpoint was passively ejected and the request tried them anyway. */
  panic: boolean;
  status?: number;
  /** The GatewayError code when the gateway answered itself. */
  code?: string;
}

export function newCtx(request: Request): RequestCtx {
  const url = new URL(request.url);
  return {
    startedAt: Date.now(),
    request,
    url,
    https: url.protocol === "https:",
    clientIp: request.headers.get("cf-connecting-ip") ?? "",
    host: "",
    path: "",
    sticky: false,
    attempts: 0,
    panic: false,
  };
}
