/**
 * @module Gateway API request semantics that both the Worker and `routes explain` need: the conditions of an
 * `HTTPRouteMatch` beyond its path, their precedence, and the path and Location rules of the `URLRewrite` and
 * `RequestRedirect` filters (https://gateway-api.sigs.k8s.io/reference/spec/#httproutematch,
 * https://gateway-api.sigs.k8s.io/reference/spec/#httppathmodifier,
 * https://gateway-api.sigs.k8s.io/reference/spec/#httprequestredirectfilter).
 */
import type { CompiledRoute, GatewayRedirect, GatewayRule, PathModifier } from "./table/types.ts";

/** What a match condition may look at in a request. Header names are asked lowercase. */
export interface RequestFacts {
  method: string;
  /** All values of a header joined with ", " (the Fetch API's `Headers.get`), or `null`. */
  header(name: string): string | null;
  /** The first value of a query parameter, or `null`. */
  query(name: string): string | null;
}

/** A request with no method, headers or query: what a bare `explain URL` and the benchmarks ask about. */
export function plainRequest(method = "GET", query = ""): RequestFacts {
  return { method, header: () => null, query: (name) => firstQueryValue(query, name) };
}

/**
 * The first value of parameter `name` in a query string (`?` optional), decoded as
 * application/x-www-form-urlencoded (https://url.spec.whatwg.org/#urlencoded-parsing); `null` when absent.
 * The core has no URLSearchParams (no runtime globals), hence this small parser.
 */
export function firstQueryValue(query: string, name: string): string | null {
  const text = query.startsWith("?") ? query.slice(1) : query;
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeForm(eq < 0 ? pair : pair.slice(0, eq));
    if (key === name) return eq < 0 ? "" : decodeForm(pair.slice(eq + 1));
  }
  return null;
}

function decodeForm(text: string): string {
  const spaced = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** True when the route has conditions beyond its path (it is then one of several candidates at its path). */
export function isConditional(route: CompiledRoute): boolean {
  const g = route.gateway;
  return g !== undefined && (g.method !== undefined || g.headers !== undefined || g.query !== undefined);
}

/** Whether every condition of the match holds (fields of one match are ANDed). */
export function conditionsHold(rule: GatewayRule, facts: RequestFacts): boolean {
  if (rule.method !== undefined && facts.method !== rule.method) return false;
  if (rule.headers !== undefined) {
    for (const h of rule.headers) if (facts.header(h.name) !== h.value) return false;
  }
  if (rule.query !== undefined) {
    for (const q of rule.query) if (facts.query(q.name) !== q.value) return false;
  }
  return true;
}

/**
 * The spec's order among matches on the same path (HTTPRouteRule docs): a method match first, then the most
 * header matches, then the most query parameter matches. Negative when `a` comes first; ties are left to age.
 */
export function compareConditions(a: CompiledRoute, b: CompiledRoute): number {
  const ga = a.gateway;
  const gb = b.gateway;
  return (
    (gb?.method !== undefined ? 1 : 0) - (ga?.method !== undefined ? 1 : 0) ||
    (gb?.headers?.length ?? 0) - (ga?.headers?.length ?? 0) ||
    (gb?.query?.length ?? 0) - (ga?.query?.length ?? 0)
  );
}

/**
 * `HTTPPathModifier` applied to `path`. `full` replaces it; `prefix` replaces the part the route's PathPrefix
 * matched, element-wise, following the spec's table: with prefix `/foo`, `/foo/bar` → `/xyz/bar` for `/xyz` or
 * `/xyz/`, `/bar` for `` or `/`; `/foo` → `/xyz`, or `/` for an empty replacement.
 */
export function modifyPath(modifier: PathModifier, routePath: string, path: string): string {
  if (modifier.type === "full") return modifier.value;
  const prefix = routePath.replace(/\/+$/, "");
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  const replacement = modifier.value.replace(/\/+$/, "");
  const joined = `${replacement}${rest}`;
  if (joined === "") return "/";
  return joined.startsWith("/") ? joined : `/${joined}`;
}

/** The request as the redirect filter sees it. */
export interface RedirectRequest {
  https: boolean;
  /** The request's host name, without port. */
  host: string;
  /** Canonical path. */
  path: string;
  /** `?…` or `""`, kept in the Location. */
  search: string;
}

/**
 * The `Location` of a `RequestRedirect`. Port rules of the spec: a port set in the filter is used; without one,
 * the well-known port of the redirect's scheme is used, and with no scheme either, the listener's port, which at
 * the edge is 80 for HTTP and 443 for HTTPS. A port that is the well-known port of the Location's scheme is left
 * out, as the spec asks.
 */
export function redirectLocation(redirect: GatewayRedirect, route: CompiledRoute, request: RedirectRequest): string {
  const scheme = redirect.scheme ?? (request.https ? "https" : "http");
  const host = redirect.hostname ?? request.host;
  const port = redirect.port;
  const wellKnown = scheme === "https" ? 443 : 80;
  const portPart = port === undefined || port === wellKnown ? "" : `:${port}`;
  const path = redirect.path === undefined ? request.path : modifyPath(redirect.path, route.path, request.path);
  const authority = host.includes(":") ? `[${host}]` : host;
  return `${scheme}://${authority}${portPart}${path}${request.search}`;
}
