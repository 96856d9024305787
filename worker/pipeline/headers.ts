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

/**
 * Request headers a client must never be able to hand the backend: `Proxy` (httpoxy) and the `X-SSL*` client
 * certificate headers the router also removes (only the edge may vouch for a client certificate).
 */
export function stripSpoofable(headers: Headers): void {
  headers.delete("proxy");
  for (const name of [...headers.keys()]) if (name.startsWith("x-ssl")) headers.delete(name);
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
  const forValue = facts.clientIp.includes(":") ? `"[${facts.clientIp}]"` : facts.clientIp;
  const values: [string, string][] = [
    ["x-forwarded-for", facts.clientIp],
    ["x-forwarded-host", facts.host],
    ["x-forwarded-port", facts.port],
    ["x-forwarded-proto", facts.proto],
    ["forwarded", `for=${forValue};host=${facts.host};proto=${facts.proto}`],
  ];
  for (const [name, value] of values) {
    if (policy === "replace") headers.set(name, value);
    else if (policy === "if-none") {
      if (!headers.has(name)) headers.set(name, value);
    } else headers.append(name, value);
  }
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
