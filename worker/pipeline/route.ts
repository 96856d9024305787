/**
 * @module Phase 2: which route serves the request (core `resolveRoute`, the same code as `routes explain`), and
 * the router's HTTP→HTTPS redirect. Runs after `normalize`, before the policies; returns the route, or the
 * redirect the gateway answers with. May throw `NoRoute`.
 */
import {
  type CompiledRoute,
  insecureRedirectLocation,
  ownedHeadersFor,
  redirectLocation,
  type RequestFacts,
  resolveRoute,
} from "../core/index.ts";
import type { LiveTable } from "../table/load.ts";
import type { RequestCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";

/** The route that serves the request: forward to its backends, or answer with a redirect. */
export type Routing =
  | {
      kind: "forward";
      route: CompiledRoute;
      /** Header names the gateway owns on this host: removed from the client's request in any spelling. */
      ownedHeaders: ReadonlySet<string>;
    }
  | { kind: "answer"; route: CompiledRoute; response: Response };

export function route(ctx: RequestCtx, table: LiveTable): Routing {
  const resolution = resolveRoute(table.lookup, ctx.host, ctx.path, ctx.https, requestFacts(ctx));
  if (resolution.outcome === "none") {
    throw new GatewayError("NoRoute", "No route serves this host and path.", { status: table.index.notFound });
  }
  const matched = resolution.route;
  if (resolution.outcome === "redirect") {
    const response = new Response(null, {
      status: 302,
      headers: {
        Location: insecureRedirectLocation(ctx.host, ctx.url.pathname, ctx.url.search),
        "Cache-Control": "no-store",
      },
    });
    return { kind: "answer", route: matched, response };
  }
  const redirect = matched.gateway?.redirect;
  if (redirect !== undefined) {
    // HTTPRoute RequestRedirect: the gateway answers; nothing is forwarded.
    const location = redirectLocation(redirect, matched, {
      https: ctx.https,
      host: ctx.host,
      path: ctx.path,
      search: ctx.url.search,
    });
    const response = new Response(null, { status: redirect.statusCode, headers: { Location: location } });
    return { kind: "answer", route: matched, response };
  }
  return { kind: "forward", route: matched, ownedHeaders: ownedHeadersFor(table.lookup, ctx.host) };
}

/** What HTTPRoute conditions look at: method, headers (the Fetch API joins repeated ones with ", "), query. */
export function requestFacts(ctx: RequestCtx): RequestFacts {
  // Read only when a route has conditions: each read crosses into the runtime, and `searchParams` builds a
  // URLSearchParams, which a request to a route without query matches never needs.
  const { request, url } = ctx;
  return {
    get method() {
      return request.method;
    },
    header: (name) => request.headers.get(name),
    query: (name) => url.searchParams.get(name),
  };
}
