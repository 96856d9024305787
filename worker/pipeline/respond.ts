/**
 * @module Phase 7: the client's response: the backend's status and body (streamed, never buffered), its
 * headers without hop-by-hop ones, the route's response header actions, HSTS over HTTPS and the sticky cookie.
 * Runs after `forward`.
 */
import type { CompiledRoute } from "../core/index.ts";
import type { Sent } from "./attempts.ts";
import type { RequestCtx } from "./context.ts";
import { stickyCookie } from "./cookies.ts";
import { applyActions, hopByHopNames, WRITTEN_BY_RUNTIME } from "./headers.ts";

export function respond(
  ctx: RequestCtx,
  route: CompiledRoute,
  { response: upstream, websocket, selection }: Sent,
): Response {
  if (websocket && upstream.status === 101) return upstream;
  // Router: the annotation's value verbatim, on edge/reencrypt routes, and only meaningful over HTTPS.
  const hsts = ctx.https && route.tls !== null ? route.hsts : null;
  const cookie = selection.sticky ? undefined : stickyCookie(route, selection.backend.id);
  const hopByHop = hopByHopNames(upstream.headers, [...upstream.headers.keys()], false);
  // Most responses need no change (a pinned client, no header rules, only the hop-by-hop headers the runtime
  // replaces itself): pass the backend's response on as it is, without copying its headers.
  if (
    hsts === null &&
    cookie === undefined &&
    route.responseHeaders.length === 0 &&
    hopByHop.every((name) => WRITTEN_BY_RUNTIME.has(name))
  ) {
    return upstream;
  }
  const headers = new Headers(upstream.headers);
  for (const name of hopByHop) headers.delete(name);
  applyActions(headers, route.responseHeaders);
  if (hsts !== null) headers.set("strict-transport-security", hsts);
  if (cookie !== undefined) {
    headers.append("set-cookie", cookie);
    // HAProxy `cookie ... nocache`: a response that pins a client must not be cached for others.
    if (!headers.has("cache-control")) headers.set("cache-control", "private");
  }
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers });
}
