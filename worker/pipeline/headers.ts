/**
 * @module Header rules shared by the request and response sides: hop-by-hop removal (RFC 9110 §7.6.1), the
 * router's forwarded headers, and `spec.httpHeaders.actions`.
 */
import type { ForwardedPolicy, HeaderAction } from "../core/index.ts";

/** Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy Keep-Alive / Proxy-Connection). */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * The names among `names` (a Headers' own, lowercase) that are hop-by-hop: the fixed ones and every name the
 * Connection header lists. `keepUpgrade` leaves `Upgrade` and `Connection` for a WebSocket handshake, which must
 * reach the backend (the caller then sets `Connection: upgrade`). One pass over the names the message has, rather
 * than a `delete` per possible name: every Headers call crosses into the runtime.
 */
export function hopByHopNames(headers: Headers, names: readonly string[], keepUpgrade: boolean): string[] {
  const listed = names.includes("connection")
    ? new Set((headers.get("connection") ?? "").split(",").map((token) => token.trim().toLowerCase()))
    : undefined;
  return names.filter(
    (name) =>
      (HOP_BY_HOP.has(name) || listed?.has(name) === true) &&
      !(keepUpgrade && (name === "upgrade" || name === "connection")),
  );
}

/**
 * Connection headers the Workers runtime writes itself on every message it sends, ignoring a Worker's own values:
 * workerd's HTTP layer (kj) keeps them apart from the other headers (`KJ_HTTP_FOR_EACH_CONNECTION_HEADER`,
 * https://github.com/capnproto/capnproto/blob/v2/c%2B%2B/src/kj/compat/http.h), and HTTP/2 and HTTP/3 have no
 * such headers at all (RFC 9113 §8.2.2). A backend's response that carries only these (every keep-alive backend
 * sends `Connection: keep-alive`) needs no copy to remove them; test/e2e/forwarding.test.ts checks that the client
 * never sees them.
 */
export const WRITTEN_BY_RUNTIME: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Headers the gateway writes itself; a client's copy stays only under `set-forwarded-headers` never/if-none. */
const GATEWAY_WRITTEN = new Set([
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-forwarded-proto",
]);

/**
 * Whether request header `name` (lowercase) is one a client must never be able to hand the backend, in any
 * spelling:
 * - `Proxy` (httpoxy) and the `X-SSL*` client-certificate headers the router also removes (only the edge may vouch
 *   for a client certificate), and every name in `owned`: the headers the gateway owns on this host (forwarded
 *   claims of any of its routes, core owned-headers.ts), removed on every route of the host;
 * - with `_` for `-`, the names above and every header the gateway writes (`Forwarded`, `X-Forwarded-*`, the
 *   route's own header actions): CGI, FastCGI, Rack and WSGI stacks read both `X-User` and `X_User` as
 *   `HTTP_X_USER` (RFC 3875 §4.1.18, https://www.rfc-editor.org/rfc/rfc3875#section-4.1.18), so the underscore
 *   spelling would otherwise be believed, or overwrite the gateway's own value.
 */
function isGatewayOwned(name: string, owned: ReadonlySet<string>, routeActions: readonly HeaderAction[]): boolean {
  const dashed = name.includes("_") ? name.replaceAll("_", "-") : name;
  if (dashed === "proxy" || dashed.startsWith("x-ssl") || owned.has(dashed)) return true;
  return (
    dashed !== name &&
    (GATEWAY_WRITTEN.has(dashed) ||
      dashed.startsWith("x-forwarded-") ||
      routeActions.some((action) => action.name.toLowerCase() === dashed))
  );
}

/**
 * The client's request headers as the backend may receive them, before the forwarded headers and header actions:
 * a copy without hop-by-hop headers (a WebSocket handshake keeps `Upgrade` and gets `Connection: upgrade`) and
 * without the headers the gateway owns ({@link isGatewayOwned}), in one pass over the names the request has.
 */
export function forwardableHeaders(
  request: Headers,
  owned: ReadonlySet<string>,
  routeActions: readonly HeaderAction[],
): { headers: Headers; websocket: boolean } {
  const headers = new Headers(request);
  const names = [...headers.keys()];
  const websocket = names.includes("upgrade") && headers.get("upgrade")?.toLowerCase() === "websocket";
  const hopByHop = hopByHopNames(headers, names, websocket);
  for (const name of names) {
    if (hopByHop.includes(name) || isGatewayOwned(name, owned, routeActions)) headers.delete(name);
  }
  if (websocket) headers.set("connection", "upgrade");
  return { headers, websocket };
}

export interface ForwardedFacts {
  clientIp: string;
  /** The Host the client sent, lowercased, with its port if it sent one. */
  host: string;
  port: string;
  proto: "http" | "https";
}

/**
 * `X-Forwarded-For/-Host/-Port/-Proto` and `Forwarded`, as the router writes them under
 * `haproxy.router.openshift.io/set-forwarded-headers` (docs/design-notes.md#forwarded): append (default)
 * adds the gateway's values after the client's, replace overwrites them, if-none sets them only when absent,
 * never leaves the client's as they are.
 */
export function applyForwarded(headers: Headers, policy: ForwardedPolicy, facts: ForwardedFacts): void {
  if (policy === "never") return;
  // RFC 7239 §6: an IPv6 node is written in brackets, and then (":" is not a token character) quoted.
  const forNode = facts.clientIp.includes(":") ? `[${facts.clientIp}]` : facts.clientIp;
  const values: [string, string][] = [
    ["x-forwarded-for", facts.clientIp],
    ["x-forwarded-host", facts.host],
    ["x-forwarded-port", facts.port],
    ["x-forwarded-proto", facts.proto],
    ["forwarded", `for=${forwardedValue(forNode)};host=${forwardedValue(facts.host)};proto=${facts.proto}`],
  ];
  for (const [name, value] of values) {
    if (policy === "replace") headers.set(name, value);
    else if (policy === "if-none") {
      if (!headers.has(name)) headers.set(name, value);
    } else headers.append(name, value);
  }
}

/** RFC 9110 §5.6.2 `tchar` (https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A `Forwarded` parameter value (RFC 7239 §4, https://www.rfc-editor.org/rfc/rfc7239#section-4): a token as is,
 * anything else (`host:8443`, `[2001:db8::1]`, an empty value) as a quoted-string with `"` and `\` escaped.
 * @example forwardedValue("shop.example.com:8443") === '"shop.example.com:8443"'
 */
export function forwardedValue(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * `spec.httpHeaders.actions` and HTTPRoute header modifiers: Set replaces every value, Add appends one (HTTPRoute
 * only), Delete removes the header.
 */
export function applyActions(headers: Headers, actions: readonly HeaderAction[]): void {
  for (const action of actions) {
    if (action.action === "Delete") headers.delete(action.name);
    else if (action.action === "Add") headers.append(action.name, action.value ?? "");
    else headers.set(action.name, action.value ?? "");
  }
}
