/**
 * @module What the phases of one request share: the request's facts (`RequestCtx`, produced by `normalize` and
 * never changed afterwards), and the `Trail` the log line is written from. Every phase returns what it produces
 * (the route, the selection, the policy decision, the response); `run.ts` and `attempts.ts` pass those results on
 * and note them in the trail, which only `log` and `fail` read.
 */
import type { Backend, CompiledRoute, Endpoint } from "../core/index.ts";

/** The request as the phases see it: the `normalize` phase's result. */
export interface RequestCtx {
  readonly request: Request;
  /** The request URL, parsed once by the Worker entry. */
  readonly url: URL;
  /** The scheme the client used at the edge. */
  readonly https: boolean;
  /** Client address: `CF-Connecting-IP`, which Cloudflare sets and a client cannot spoof at the edge. */
  readonly clientIp: string;
  /** Routing key: lowercase, no port, no trailing dot. */
  readonly host: string;
  /** Canonical path: what is matched, checked by policies and sent to the backend. */
  readonly path: string;
}

/** What one request's log line reports, noted as the phases return (never read back by a later phase). */
export interface Trail {
  readonly startedAt: number;
  readonly request: Request;
  host?: string;
  path?: string;
  route?: CompiledRoute;
  backend?: Backend;
  endpoint?: Endpoint;
  /** Subrequests sent to backends (1 + retries); 0 when the gateway answered itself. */
  attempts: number;
  /** True when every usable endpoint was passively ejected and the request tried them anyway. */
  panic: boolean;
  status?: number;
  /** The GatewayError or policy code when the gateway answered itself. */
  code?: string;
  /** Why the gateway answered itself, for the log only (never on the page). */
  detail?: string;
  /**
   * Cloudflare's ray id of the request (`CF-Ray`), read only when a line is written (see {@link rayOf}); for a
   * failure without one, a generated request id.
   */
  ray?: string;
}

export function newTrail(request: Request): Trail {
  return {
    startedAt: Date.now(),
    request,
    attempts: 0,
    panic: false,
  };
}

/** The request's ray id for its log line and page: the one `fail` generated, else `CF-Ray`. */
export function rayOf(trail: Trail): string | undefined {
  return trail.ray ?? trail.request.headers.get("cf-ray") ?? undefined;
}
