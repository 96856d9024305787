/**
 * @module `haproxy.router.openshift.io/ip_allowlist`: only clients from the listed networks reach the route.
 *
 * OpenShift parity: the router writes `acl allowlist src <list>` + `tcp-request content reject if !allowlist`
 * (haproxy-config.template), so a refused client sees its TCP connection closed with no HTTP answer. A Worker
 * runs after Cloudflare has accepted the connection and decrypted the request; it cannot close the client's
 * connection, so the nearest honest answer is `403 Forbidden`. Like the router (which matches the TCP source,
 * never X-Forwarded-For), the client address is `CF-Connecting-IP`, the address Cloudflare accepted the
 * connection from.
 */
import { addressInNetworks, parseNetwork, type Network } from "../core/ip.ts";
import type { CompiledRoute } from "../core/table/types.ts";
import type { Refusal } from "./refuse.ts";

/**
 * Parsed allowlists, one per route object. The table's route objects live as long as the cached table, so the
 * entries go away with it; each list is parsed once per isolate, not per request.
 */
const parsed = new WeakMap<CompiledRoute, readonly Network[]>();

/**
 * Refuse a client outside the route's allowlist. `null` allowlist: everyone passes. An unparsable or empty
 * client address matches no network and is refused (fail closed).
 * @example route.ipAllowlist = ["192.0.2.0/24", "2001:db8::/32"]: "192.0.2.7" passes, "198.51.100.1" gets 403.
 */
export function checkIpAllowlist(route: CompiledRoute, clientIp: string): Refusal | null {
  if (route.ipAllowlist === null) return null;
  if (addressInNetworks(clientIp, networksOf(route, route.ipAllowlist))) return null;
  return {
    code: "AddressNotAllowed",
    message:
      "Your network address is not allowed to use this site. (The OpenShift router would close the connection; " +
      "an HTTP edge answers 403 instead.)",
  };
}

function networksOf(route: CompiledRoute, entries: readonly string[]): readonly Network[] {
  let networks = parsed.get(route);
  if (networks === undefined) {
    // The compiler stores canonical CIDRs; an entry that still does not parse is dropped, and a list left
    // empty refuses everyone rather than opening the route.
    networks = entries.map(parseNetwork).filter((n): n is Network => n !== null);
    parsed.set(route, networks);
  }
  return networks;
}
