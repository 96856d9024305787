/**
 * @module Remote JSON Web Key Sets, one resolver per JWKS URL per isolate.
 *
 * jose's `createRemoteJWKSet` keeps the fetched keys, refetches after `cacheMaxAge` or when a token names an
 * unknown key (at most once per `cooldownDuration`). That cache only helps if the resolver outlives the
 * request, so resolvers live at module scope. The URLs come from the published route table, not from
 * clients, but the map is still bounded so a table with many issuers cannot grow an isolate without limit.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";

/** Distinct JWKS URLs kept per isolate; the least recently used one is dropped beyond this. */
const MAX_KEY_SETS = 32;
/** Below the default route timeout (30 s), so a slow identity provider fails the request before the route does. */
const JWKS_TIMEOUT_MS = 5_000;

const keySets = new Map<string, JWTVerifyGetKey>();

/** The isolate's resolver for `jwksUrl`, created on first use. */
export function remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
  let keySet = keySets.get(jwksUrl);
  if (keySet !== undefined) {
    // Re-insert to mark it most recently used (Map iteration order is insertion order).
    keySets.delete(jwksUrl);
  } else {
    keySet = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS });
    if (keySets.size >= MAX_KEY_SETS) {
      const oldest = keySets.keys().next();
      if (oldest.done !== true) keySets.delete(oldest.value);
    }
  }
  keySets.set(jwksUrl, keySet);
  return keySet;
}
