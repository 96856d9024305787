/**
 * @module Phase 5: the request the backend receives: URL (endpoint, rewritten path, the client's query
 * unchanged), headers (hop-by-hop ones and those the gateway owns removed, sticky cookie removed, forwarded headers, route
 * header actions, policy headers) and the streamed body.
 * Runs after `select`, before `forward`.
 *
 * Reaching the cluster: a Worker cannot choose the Host header (docs/design-notes.md#workers). In production
 * (`FORWARD_MODE=resolve-override`) the gateway fetches `<scheme>://<route host>:<port>` with
 * `cf.resolveOverride` naming the load balancer's in-zone hostname, so the cluster's router still sees the route
 * host. In local development (`direct`) it fetches the endpoint address itself; the route host then travels in
 * X-Forwarded-Host.
 */
import { isIpLiteral, matchedPrefixEnd, modifyPath } from "../core/index.ts";
import type { CompiledRoute, Endpoint } from "../core/index.ts";
import type { ForwardMode } from "../env.ts";
import type { RequestCtx } from "./context.ts";
import { withoutCookie } from "./cookies.ts";
import { applyActions, applyForwarded, forwardableHeaders } from "./headers.ts";
import type { Routing } from "./route.ts";

/** Headers to set and remove on behalf of a policy (JWT claims, a checked token's user and groups). */
export interface PolicyHeaders {
  setHeaders: [string, string][];
  removeHeaders: string[];
}

export interface UpstreamRequest {
  url: string;
  /** What `forward` checks before fetching: the URL's origin (scheme, host, port) and the `resolveOverride` name. */
  origin: string;
  init: RequestInit<RequestInitCfProperties>;
  websocket: boolean;
}

export function upstream(
  ctx: RequestCtx,
  routing: Extract<Routing, { kind: "forward" }>,
  endpoint: Endpoint,
  mode: ForwardMode,
  policy: PolicyHeaders,
  body?: ArrayBuffer,
): UpstreamRequest {
  const { route } = routing;
  const request = ctx.request;
  const { headers, websocket } = forwardableHeaders(request.headers, routing.ownedHeaders, route.requestHeaders);
  if (route.cookie) {
    const cookie = headers.get("cookie");
    const rest = cookie === null ? null : withoutCookie(cookie, route.cookie.name);
    if (rest === null) headers.delete("cookie");
    else headers.set("cookie", rest);
  }
  applyForwarded(headers, route.forwarded, {
    clientIp: ctx.clientIp,
    host: ctx.url.host.toLowerCase(),
    port: ctx.url.port || (ctx.https ? "443" : "80"),
    proto: ctx.https ? "https" : "http",
  });
  // RFC 9110 §7.6.3 (https://www.rfc-editor.org/rfc/rfc9110#section-7.6.3): "An HTTP-to-HTTP gateway MUST send an
  // appropriate Via header field in each inbound request message": the protocol the client used, and a pseudonym.
  const via = `${viaProtocol(request)} edgeroute`;
  const previous = headers.get("via");
  headers.set("via", previous === null ? via : `${previous}, ${via}`);
  // Router order in the backend: forwarded headers, rewrite, then the route's header actions.
  applyActions(headers, route.requestHeaders);
  for (const name of policy.removeHeaders) headers.delete(name);
  for (const [name, value] of policy.setHeaders) headers.set(name, value);

  // An HTTPRoute URLRewrite hostname is the host the backend is asked for.
  const host = route.gateway?.rewrite?.hostname ?? ctx.host;
  const target = endpointTarget(endpoint, host, `${rewritePath(ctx.path, route)}${ctx.url.search}`, mode);
  const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
  return {
    url: target.url,
    origin: target.origin,
    websocket,
    init: {
      method: request.method,
      headers,
      // A body kept for retries (pipeline/attempts.ts) is sent from memory; otherwise the client's body streams.
      body: hasBody ? (body ?? request.body) : null,
      // Never follow: the client gets the backend's redirect, and credentials never go to another host.
      redirect: "manual",
      ...(target.cf === undefined ? {} : { cf: target.cf }),
    },
  };
}

/**
 * The URL that reaches `endpoint` for route host `host` (and the `cf` options that go with it), for requests and
 * for health probes alike: with `resolve-override` and a DNS-named endpoint, `https://<host>…` resolved to the
 * endpoint; otherwise the endpoint address itself.
 */
export function endpointTarget(
  endpoint: Endpoint,
  host: string,
  pathAndQuery: string,
  mode: ForwardMode,
): { url: string; origin: string; cf?: RequestInitCfProperties } {
  const defaultPort = endpoint.scheme === "https" ? 443 : 80;
  const port = endpoint.port === defaultPort ? "" : `:${endpoint.port}`;
  const override = mode === "resolve-override" && !isIpLiteral(endpoint.host);
  const authority = override
    ? host
    : endpoint.host.includes(":") && !endpoint.host.startsWith("[")
      ? `[${endpoint.host}]`
      : endpoint.host;
  const origin = `${endpoint.scheme}://${authority}${port}`;
  const url = `${origin}${pathAndQuery}`;
  return override ? { url, origin, cf: { resolveOverride: endpoint.host } } : { url, origin };
}

/**
 * `haproxy.router.openshift.io/rewrite-target` (docs/design-notes.md#rewrite-target): the route path prefix is
 * replaced by the target; with target `/` one slash after the prefix is also consumed.
 * @example path /foo, target /baz: /foo/bar → /baz/bar; target /: /foo/bar/ → /bar/, /foo → /
 */
export function rewritePath(path: string, route: CompiledRoute): string {
  // HTTPRoute URLRewrite path (ReplaceFullPath / ReplacePrefixMatch).
  const modifier = route.gateway?.rewrite?.path;
  if (modifier !== undefined) return modifyPath(modifier, route.path, path);
  const target = route.rewriteTarget;
  if (target === null) return path;
  // The route matched the path without its `;parameters` (core matchingPath); find where its prefix ends here.
  const end = matchedPrefixEnd(path, route.path);
  if (end < 0) return path;
  const rest = path.slice(end);
  if (target === "/") return `/${rest.startsWith("/") ? rest.slice(1) : rest}`;
  return `${target}${rest}`;
}

/** `1.1`, `2` or `3`: the version of the client's request (Cloudflare's `cf.httpProtocol`, `HTTP/2`), else 1.1. */
function viaProtocol(request: Request): string {
  const protocol = (request.cf as { httpProtocol?: unknown } | undefined)?.httpProtocol;
  if (typeof protocol !== "string" || !protocol.startsWith("HTTP/")) return "1.1";
  const version = protocol.slice(5);
  return version === "1.0" || version === "1.1" ? version : version.split(".")[0] || "1.1";
}
