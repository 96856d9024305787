/**
 * @module Phase 1: the request's routing key, and request hygiene the router applies before anything else.
 * Runs first. May throw `BadRequest`.
 */
import { normalizeHost, normalizePath } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";

export function normalize(ctx: RequestCtx): void {
  const host = normalizeHost(ctx.url.host);
  if (host === null) throw new GatewayError("BadRequest", "The Host of this request is not a valid host name.");
  const path = normalizePath(ctx.url.pathname);
  if (!path.ok) throw new GatewayError("BadRequest", `The request path is refused: ${path.reason}.`);
  // OpenShift denies an empty Content-Length (CVE-2023-40225: request smuggling through front ends that disagree).
  const contentLength = ctx.request.headers.get("content-length");
  if (contentLength !== null && contentLength.trim() === "") {
    throw new GatewayError("BadRequest", "An empty Content-Length header is not allowed.");
  }
  ctx.host = host;
  ctx.path = path.path;
}
