/**
 * @module Phase 2: which route serves the request (core `resolveRoute`, the same code as `routes explain`), and
 * the router's HTTP→HTTPS redirect. Runs after `normalize`, before the policies. May throw `NoRoute`.
 */
import {
  insecureRedirectLocation,
  ownedHeadersFor,
  redirectLocation,
  type RequestFacts,
  resolveRoute,
} from "../core/index.ts";
import type { LiveTable } from "../table/load.ts";
import type { RequestCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";

/** Sets `ctx.route`, or returns the redirect response for a `Redirect` route reached over plain HTTP. */
export function route(ctx: RequestCtx, table: LiveTable): Response | undefined {
  const resolution = resolveRoute(table.lookup, ctx.host, ctx.path, ctx.https, requestFacts(ctx));
  if (resolution.outcome === "none") {
    throw new GatewayError("NoRoute", "No route serves this host and path.", { status: table.index.notFound });
  }
  ctx.route = resolution.route;
  ctx.ownedHeaders = ownedHeadersFor(table.lookup, ctx.host);
  if (resolution.outcome === "redirect") {
    return new Response(null, {
      status: 302,
      headers: {
        Location: insecureRedirectLocation(ctx.host, ctx.url.pathname, ctx.url.search),
        "Cache-Control": "no-store",
      },
    });
  }
  const redirect = resolution.route.gateway?.redirect;
  if (redirect !== undefined) {
    // HTTPRoute RequestRedirect: the gateway answers; nothing is forwarded.
    const location = redirectLocation(redirect, resolution.route, {
      https: ctx.https,
      host: ctx.host,
      path: ctx.path,
      search: ctx.url.search,
    });
    return new Response(null, { status: redirect.statusCode, headers: { Location: location } });
  }
  return undefined;
}

/** What HTTPRoute conditions look at: method, headers (the Fetch API joins repeated ones with ", "), query. */
export function requestFacts(ctx: RequestCtx): RequestFacts {
  const headers = ctx.request.headers;
  const params = ctx.url.searchParams;
  return {
    method: ctx.request.method,
    header: (name) => headers.get(name),
    query: (name) => params.get(name),
  };
}
