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
  /** Header names the gateway owns on this host (from `route`): removed from the client's request in any spelling. */
  ownedHeaders: ReadonlySet<string>;
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
  /** Why the gateway answered itself, for the log only (never on the page). */
  detail?: string;
  /** Cloudflare's ray id of the request (`CF-Ray`); for a failure without one, a generated request id. */
  ray: string | undefined;
}

const NO_HEADERS: ReadonlySet<string> = new Set();

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
    ownedHeaders: NO_HEADERS,
    ray: request.headers.get("cf-ray") ?? undefined,
  };
}
