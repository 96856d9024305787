/**
 * @module Route defaults that the compiler applies and the published table leaves out (./route-json.ts restores
 * them): one definition for both, so a default can never differ between compile and load.
 */
import { fnv1aHex } from "../hash.ts";
import type { Balance } from "../types.ts";

/** Backend weight when `weight` is absent (API defaulting, LIBGO `SetDefaults_RouteTargetReference`). */
export const DEFAULT_WEIGHT = 100;
/** `haproxy.router.openshift.io/timeout` default: `ROUTER_DEFAULT_SERVER_TIMEOUT` 30s. */
export const DEFAULT_TIMEOUT_MS = 30_000;

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
