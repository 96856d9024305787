/**
 * @module Phase 1: the request's routing key, and request hygiene the router applies before anything else.
 * Runs first; returns the request's facts for every later phase. May throw `BadRequest`.
 */
import { normalizeHost, normalizePath } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";

export function normalize(request: Request, url: URL): RequestCtx {
  const host = normalizeHost(url.host);
  if (host === null) throw new GatewayError("BadRequest", "The Host of this request is not a valid host name.");
  const path = normalizePath(url.pathname);
  if (!path.ok) throw new GatewayError("BadRequest", `The request path is refused: ${path.reason}.`);
  const headers = request.headers;
  // OpenShift denies an empty Content-Length (CVE-2023-40225: request smuggling through front ends that disagree).
  const contentLength = headers.get("content-length");
  if (contentLength !== null && contentLength.trim() === "") {
    throw new GatewayError("BadRequest", "An empty Content-Length header is not allowed.");
  }
  return {
    request,
    url,
    https: url.protocol === "https:",
    clientIp: headers.get("cf-connecting-ip") ?? "",
    host,
    path: path.path,
  };
}
