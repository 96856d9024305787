/**
 * @module Whether a deployed Worker can reach an endpoint as the route table writes it. Local workerd fetches
 * anything, so these limits of the Cloudflare platform are invisible in development; the compiler refuses such
 * endpoints for a remote table and the local gateway logs them (worker/pipeline/production-check.ts). One
 * function over one resolved endpoint and the route host it serves, whatever produced the endpoint.
 *
 * In production the Worker fetches `<scheme>://<route host>:<port>` with `cf.resolveOverride` naming the
 * endpoint's host (worker/pipeline/upstream.ts), so:
 * - an IP address cannot be the endpoint: "For Workers subrequests, requests can only be made to URLs, not to IP
 *   addresses directly" (https://developers.cloudflare.com/workers/platform/known-issues/#fetch-to-ip-addresses),
 *   and `resolveOverride` takes a hostname;
 * - the port must be one Cloudflare's proxy accepts for the scheme: the URL's host is the route host, which is
 *   proxied (orange-clouded: a Workers Custom Domain or a proxied record under a zone route), and for a proxied
 *   host "only ports supported by Cloudflare's reverse proxy can be specified. If you attempt to specify an
 *   unsupported port, it will be ignored" (compatibility flag `allow_custom_ports`,
 *   https://developers.cloudflare.com/workers/configuration/compatibility-flags/; the ports:
 *   https://developers.cloudflare.com/fundamentals/reference/network-ports/). Any port works only for a
 *   grey-clouded URL host, which the route host never is, so a grey-clouded endpoint name does not lift this;
 * - "resolveOverride will only take effect if both the URL host and the host specified by resolveOverride are
 *   within your zone"
 *   (https://developers.cloudflare.com/workers/runtime-apis/request/#the-cf-property-requestinitcfproperties):
 *   checked when the zones are known;
 * - the endpoint must not be the route host itself: the lookup would find the Worker's own record, and the Worker
 *   would fetch itself.
 */
import { CATCH_ALL_HOST } from "./host.ts";
import { isIpLiteral } from "./ip.ts";
import type { Endpoint } from "./table/types.ts";

/** The ports Cloudflare's proxy accepts, per scheme: https://developers.cloudflare.com/fundamentals/reference/network-ports/ */
export const PROXY_PORTS: Readonly<Record<Endpoint["scheme"], readonly number[]>> = {
  http: [80, 8080, 8880, 2052, 2082, 2086, 2095],
  https: [443, 2053, 2083, 2087, 2096, 8443],
};

/**
 * The zone of `host` among `zones` (the longest zone that is `host` or a parent of it), or `undefined`. A wildcard
 * route host `*.apps.example.com` belongs to the zone of `apps.example.com`.
 * @example zoneOf("shop.example.com", ["example.com"]) === "example.com"
 */
export function zoneOf(host: string, zones: readonly string[]): string | undefined {
  const bare = host.startsWith("*.") ? host.slice(2) : host;
  let found: string | undefined;
  for (const zone of zones) {
    if ((bare === zone || bare.endsWith(`.${zone}`)) && (found === undefined || zone.length > found.length))
      found = zone;
  }
  return found;
}

/**
 * Why a deployed Worker cannot reach `endpoint` for `routeHost` (each reason a sentence that says what to do), or
 * an empty list. `zones` (lowercase, without a trailing dot) enables the same-zone check; empty skips it.
 * @example unreachableReasons({ scheme: "https", host: "lb.example.com", port: 9443 }, "shop.example.com", [])
 *   → ["port 9443 is not a port Cloudflare's proxy accepts for https (443, 2053, 2083, 2087, 2096, 8443); …"]
 */
export function unreachableReasons(endpoint: Endpoint, routeHost: string, zones: readonly string[]): string[] {
  const reasons: string[] = [];
  const { scheme, host, port } = endpoint;
  // The catch-all has no host of its own: the Worker fetches with whichever request host reached it.
  const catchAll = routeHost === CATCH_ALL_HOST;
  const shown = catchAll ? "<request host>" : routeHost;
  if (isIpLiteral(host)) {
    reasons.push(
      `${host} is an IP address, and a deployed Worker cannot fetch IP addresses (https://developers.cloudflare.com/workers/platform/known-issues/#fetch-to-ip-addresses); give the load balancer a DNS name in the route host's zone with the Service annotation external-dns.alpha.kubernetes.io/hostname or edgeroute.dev/hostname (docs/production.md)`,
    );
  }
  const ports = PROXY_PORTS[scheme];
  if (!ports.includes(port)) {
    reasons.push(
      `port ${port} is not a port Cloudflare's proxy accepts for ${scheme} (${ports.join(", ")}): the Worker fetches ${scheme}://${shown}:${port} through the proxied route host, and Cloudflare ignores any other port; expose the load balancer on one of those ports (the Service's spec.ports[].port)`,
    );
  }
  if (!isIpLiteral(host)) {
    if (host === routeHost) {
      reasons.push(
        `${host} is the route host itself, which resolves to this Worker: the Worker would fetch itself; name the load balancer with its own DNS name`,
      );
    }
    if (zones.length > 0 && catchAll) {
      if (zoneOf(host, zones) === undefined) {
        reasons.push(
          `${host} is in none of the zones ${zones.join(", ")}: the catch-all (a default backend, or a rule or HTTPRoute without a host) serves whatever hosts of those zones reach the Worker, and cf.resolveOverride is ignored unless the endpoint is in the request host's zone; name the load balancer in that zone (a CNAME to ${host} works) with the external-dns.alpha.kubernetes.io/hostname or edgeroute.dev/hostname annotation`,
        );
      }
    } else if (zones.length > 0) {
      const routeZone = zoneOf(routeHost, zones);
      if (routeZone === undefined) {
        reasons.push(
          `the route host ${routeHost} is in none of the zones ${zones.join(", ")}, so cf.resolveOverride cannot be checked; pass its zone with --zone`,
        );
      } else if (zoneOf(host, [routeZone]) === undefined) {
        reasons.push(
          `${host} is not in zone ${routeZone} of the route host ${routeHost}, and cf.resolveOverride is ignored unless both names are in the same zone; create a record in ${routeZone} for the load balancer (a CNAME to ${host} works) and name it with the external-dns.alpha.kubernetes.io/hostname or edgeroute.dev/hostname annotation`,
        );
      }
    }
  }
  return reasons;
}
