/**
 * @module Choosing where a request goes: the backend (Service) by weight, honouring a sticky cookie, then one of
 * its endpoints by the route's balance algorithm. Randomness and per-isolate counters are parameters, so the
 * same code serves the Worker, `routes explain` and tests.
 */
import { fnv1a } from "./hash.ts";
import type { Backend, Balance, Endpoint } from "./types.ts";

export interface BackendChoice {
  backend: Backend;
  /** True when the client's sticky cookie chose it (no new cookie needs to be set). */
  sticky: boolean;
}

/**
 * Pick a backend. A sticky id naming a backend that still has weight keeps the client there; a cookie naming a
 * backend now at weight 0, or gone, picks again. Otherwise a weighted draw: `random` in [0, 1) over the
 * cumulative weights, so a backend's share is weight/sum and weight 0 is never chosen.
 * Returns `undefined` when every weight is 0 (the router's "no backends": 503).
 * @example weights 90/10, random 0.95 → the second backend (0.95 × 100 = 95 ≥ 90)
 */
export function pickBackend(
  backends: readonly Backend[],
  random: number,
  stickyId?: string,
): BackendChoice | undefined {
  let total = 0;
  for (const backend of backends) {
    if (stickyId !== undefined && backend.id === stickyId && backend.weight > 0) return { backend, sticky: true };
    total += backend.weight;
  }
  if (total === 0) return undefined;
  let point = random * total;
  for (const backend of backends) {
    if (backend.weight === 0) continue;
    if (point < backend.weight) return { backend, sticky: false };
    point -= backend.weight;
  }
  // Only reachable through floating-point rounding at random → 1: the last backend with weight.
  const last = backends.findLast((b) => b.weight > 0) as Backend;
  return { backend: last, sticky: false };
}

/** Per-isolate balancing state: round-robin positions and in-flight counts, keyed by backend id and endpoint. */
export interface BalanceState {
  next: Map<string, number>;
  inFlight: Map<string, number>;
}

export function newBalanceState(): BalanceState {
  return { next: new Map(), inFlight: new Map() };
}

/** The key of an endpoint in {@link BalanceState.inFlight}. */
export function endpointKey(backend: Backend, endpoint: Endpoint): string {
  return `${backend.id}|${endpoint.host}|${endpoint.port}`;
}

/**
 * Pick one endpoint of a backend by `haproxy.router.openshift.io/balance`:
 * `roundrobin` cycles per isolate; `leastconn` takes the fewest requests in flight in this isolate (an
 * approximation: isolates do not share counts); `source` hashes the client IP, so a client keeps its endpoint;
 * `random` draws.
 */
export function pickEndpoint(
  backend: Backend,
  balance: Balance,
  state: BalanceState,
  clientIp: string,
  random: number,
): Endpoint | undefined {
  const endpoints = backend.endpoints;
  if (endpoints.length <= 1) return endpoints[0];
  switch (balance) {
    case "roundrobin": {
      const position = state.next.get(backend.id) ?? 0;
      state.next.set(backend.id, (position + 1) % endpoints.length);
      return endpoints[position % endpoints.length];
    }
    case "leastconn": {
      let best = endpoints[0] as Endpoint;
      let fewest = Number.POSITIVE_INFINITY;
      for (const endpoint of endpoints) {
        const count = state.inFlight.get(endpointKey(backend, endpoint)) ?? 0;
        if (count < fewest) {
          fewest = count;
          best = endpoint;
        }
      }
      return best;
    }
    case "source":
      return endpoints[sourceHash(clientIp) % endpoints.length];
    case "random":
      return endpoints[Math.floor(random * endpoints.length)];
  }
}

/** A stable number for a client address (`balance source`). */
export function sourceHash(clientIp: string): number {
  return fnv1a(clientIp);
}
