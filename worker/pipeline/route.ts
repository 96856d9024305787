/**
 * @module Phase 2: which route serves the request (core `resolveRoute`, the same code as `routes explain`), and
 * the router's HTTP→HTTPS redirect. Runs after `normalize`, before the policies. May throw `NoRoute`.
 */
import { ownedHeadersFor, resolveRoute } from "../core/index.ts";
import type { LiveTable } from "../table/load.ts";
import type { RequestCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";

/** Sets `ctx.route`, or returns the redirect response for a `Redirect` route reached over plain HTTP. */
export function route(ctx: RequestCtx, table: LiveTable): Response | undefined {
  const resolution = resolveRoute(table.lookup, ctx.host, ctx.path, ctx.https);
  if (resolution.outcome === "none") {
    throw new GatewayError("NoRoute", "No route serves this host and path.", { status: table.index.notFound });
  }
  ctx.route = resolution.route;
  ctx.ownedHeaders = ownedHeadersFor(table.lookup, ctx.host);
  if (resolution.outcome === "redirect") {
    // Router (since 823a6fd5f): 302 to https:// + host without port + the original request URI with its query.
    return new Response(null, {
      status: 302,
      headers: { Location: `https://${ctx.host}${ctx.url.pathname}${ctx.url.search}`, "Cache-Control": "no-store" },
    });
  }
  return undefined;
}
