/**
 * @module Header rules shared by the request and response sides: hop-by-hop removal (RFC 9110 §7.6.1), the
 * router's forwarded headers, and `spec.httpHeaders.actions`.
 */
import type { ForwardedPolicy, HeaderAction } from "../core/index.ts";

/** Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy Keep-Alive / Proxy-Connection). */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];

/**
 * Remove hop-by-hop headers and every header the Connection header names. `keepUpgrade` leaves `Upgrade` and
 * `Connection: upgrade` in place for a WebSocket handshake, which must reach the backend.
 */
export function stripHopByHop(headers: Headers, keepUpgrade: boolean): void {
  const connection = headers.get("connection");
  if (connection) {
    for (const token of connection.split(",")) {
      const name = token.trim().toLowerCase();
      if (name !== "" && !(keepUpgrade && name === "upgrade")) headers.delete(name);
    }
  }
  for (const name of HOP_BY_HOP) {
    if (keepUpgrade && (name === "upgrade" || name === "connection")) continue;
    headers.delete(name);
  }
  if (keepUpgrade) headers.set("connection", "upgrade");
}

/** True when any hop-by-hop header is present (then the response must be copied to remove it). */
export function hasHopByHop(headers: Headers): boolean {
  return HOP_BY_HOP.some((name) => headers.has(name));
}

/** Headers the gateway writes itself; a client's copy stays only under `set-forwarded-headers` never/if-none. */
const GATEWAY_WRITTEN = new Set([
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-forwarded-proto",
]);

/**
 * Request headers a client must never be able to hand the backend, in any spelling:
 * - `Proxy` (httpoxy) and the `X-SSL*` client-certificate headers the router also removes (only the edge may vouch
 *   for a client certificate), and every name in `owned`: the headers the gateway owns on this host (forwarded
 *   claims of any of its routes, core owned-headers.ts), removed on every route of the host;
 * - with `_` for `-`, the names above and every header the gateway writes (`Forwarded`, `X-Forwarded-*`, the
 *   route's own header actions): CGI, FastCGI, Rack and WSGI stacks read both `X-User` and `X_User` as
 *   `HTTP_X_USER` (RFC 3875 §4.1.18, https://www.rfc-editor.org/rfc/rfc3875#section-4.1.18), so the underscore
 *   spelling would otherwise be believed, or overwrite the gateway's own value.
 */
export function stripGatewayOwned(
  headers: Headers,
  owned: ReadonlySet<string>,
  routeActions: readonly HeaderAction[],
): void {
  for (const name of [...headers.keys()]) {
    const dashed = name.includes("_") ? name.replaceAll("_", "-") : name;
    if (dashed === "proxy" || dashed.startsWith("x-ssl") || owned.has(dashed)) headers.delete(name);
    else if (
      dashed !== name &&
      (GATEWAY_WRITTEN.has(dashed) ||
        dashed.startsWith("x-forwarded-") ||
        routeActions.some((action) => action.name.toLowerCase() === dashed))
    )
      headers.delete(name);
  }
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

/** `spec.httpHeaders.actions`: Set replaces every value, Delete removes the header. */
export function applyActions(headers: Headers, actions: readonly HeaderAction[]): void {
  for (const action of actions) {
    if (action.action === "Delete") headers.delete(action.name);
    else headers.set(action.name, action.value ?? "");
  }
}
