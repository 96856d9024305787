/**
 * @module Route defaults that the compiler applies and the published table leaves out (./route-json.ts restores
 * them): one definition for both, so a default can never differ between compile and load.
 */
import { fnv1aHex } from "../hash.ts";
import type { Balance } from "./types.ts";

/** Backend weight when `weight` is absent (API defaulting, LIBGO `SetDefaults_RouteTargetReference`). */
export const DEFAULT_WEIGHT = 100;
/** `haproxy.router.openshift.io/timeout` default: `ROUTER_DEFAULT_SERVER_TIMEOUT` 30s. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * `haproxy.router.openshift.io/retries` default: the router's `retries 3` (haproxy-config.template `defaults`).
 */
export const DEFAULT_RETRIES = 3;
/**
 * `haproxy.router.openshift.io/retry-on` default. HAProxy's own default is `conn-failure`; edgeroute adds
 * `empty-response` (idempotent requests only) so that requests in flight on a connection that a dying endpoint
 * closes are sent again elsewhere: a plain Route then survives the death of one endpoint with no client-visible error.
 */
export const DEFAULT_RETRY_ON = "conn-failure empty-response";
/** `router.openshift.io/haproxy.health.check.interval` default (`ROUTER_BACKEND_CHECK_INTERVAL`, 5000 ms). */
export const DEFAULT_HEALTH_INTERVAL_MS = 5_000;
export const DEFAULT_HEALTH_PATH = "/";
/** HAProxy `option httpchk` counts 2xx and 3xx as up. */
export const DEFAULT_HEALTH_EXPECT = "200-399";

/** The default sticky cookie name: a hash of the route id, so the cookie reveals nothing internal. */
export function defaultCookieName(routeId: string): string {
  return `er_${fnv1aHex(routeId)}`;
}

/** Router default (docs/design-notes.md#balance): roundrobin when more than one backend has weight > 0, else random. */
export function defaultBalance(backends: readonly { weight: number }[]): Balance {
  let active = 0;
  for (const b of backends) if (b.weight > 0) active++;
  return active > 1 ? "roundrobin" : "random";
}

/** A backend's id: a short stable hash of `namespace/service` (the sticky cookie value names it). */
export function backendId(service: string): string {
  return fnv1aHex(service);
}
