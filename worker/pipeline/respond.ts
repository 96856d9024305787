/**
 * @module Phase 7: the client's response: the backend's status and body (streamed, never buffered), its
 * headers without hop-by-hop ones, the route's response header actions, HSTS over HTTPS and the sticky cookie.
 * Runs after `forward`.
 */
import type { CompiledRoute } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { stickyCookie } from "./cookies.ts";
import { applyActions, stripHopByHop } from "./headers.ts";

export function respond(ctx: RequestCtx, upstream: Response, websocket: boolean): Response {
  if (websocket && upstream.status === 101) return upstream;
  const route = ctx.route as CompiledRoute;
  const headers = new Headers(upstream.headers);
  stripHopByHop(headers, false);
  applyActions(headers, route.responseHeaders);
  // Router: the annotation's value verbatim, on edge/reencrypt routes, and only meaningful over HTTPS.
  if (ctx.https && route.hsts !== null && route.tls !== null) headers.set("strict-transport-security", route.hsts);
  if (!ctx.sticky && ctx.backend) {
    const cookie = stickyCookie(route, ctx.backend.id);
    if (cookie) {
      headers.append("set-cookie", cookie);
      // HAProxy `cookie ... nocache`: a response that pins a client must not be cached for others.
      if (!headers.has("cache-control")) headers.set("cache-control", "private");
    }
  }
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers });
}
