/**
 * @module Choosing where a request goes: the backend (Service) by weight, honouring a sticky cookie, then one of
 * its endpoints by the route's balance algorithm. Randomness and per-isolate counters are parameters, so the
 * same code serves the Worker, `routes explain` and tests.
 */
import { fnv1a } from "./hash.ts";
import type { Backend, Balance, Endpoint } from "./table/types.ts";

export interface BackendChoice {
  backend: Backend;
  /** True when the client's sticky cookie chose it (no new cookie needs to be set). */
  sticky: boolean;
}

/**
 * Whether an endpoint of a backend may take a request now (health checks, passive ejection, endpoints a retry
 * already tried). Absent: every endpoint may.
 */
export type Usable = (backend: Backend, endpoint: Endpoint) => boolean;

/**
 * Pick a backend. A sticky id naming a backend that still has weight (and, with `usable`, a usable endpoint)
 * keeps the client there; a cookie naming a backend now at weight 0, down, or gone, picks again. Otherwise a
 * weighted draw: `random` in [0, 1) over the cumulative weights of the candidates, so a backend's share is
 * weight/sum, weight 0 is never chosen, and the share of a backend with no usable endpoint goes to the others in
 * proportion to their weights.
 * Returns `undefined` when no backend has weight (the router's "no backends": 503) or, with `usable`, none of
 * those has a usable endpoint.
 * @example weights 90/10, random 0.95 → the second backend (0.95 × 100 = 95 ≥ 90)
 */
export function pickBackend(
  backends: readonly Backend[],
  random: number,
  stickyId?: string,
  usable?: Usable,
): BackendChoice | undefined {
  const candidate = (b: Backend): boolean => b.weight > 0 && (usable === undefined || hasUsable(b, usable));
  let total = 0;
  for (const backend of backends) {
    if (!candidate(backend)) continue;
    if (stickyId !== undefined && backend.id === stickyId) return { backend, sticky: true };
    total += backend.weight;
  }
  if (total === 0) return undefined;
  let point = random * total;
  let last: Backend | undefined;
  for (const backend of backends) {
    if (!candidate(backend)) continue;
    if (point < backend.weight) return { backend, sticky: false };
    point -= backend.weight;
    last = backend;
  }
  // Only reachable through floating-point rounding at random → 1: the last candidate.
  return { backend: last as Backend, sticky: false };
}

function hasUsable(backend: Backend, usable: Usable): boolean {
  for (const endpoint of backend.endpoints) if (usable(backend, endpoint)) return true;
  return false;
}

/**
 * The endpoints a request may go to: the usable ones of the lowest priority tier that has a usable endpoint
 * (active-passive failover across clusters; all tiers equal is active-active). The backend's own list when all
 * qualify, so the common case allocates nothing.
 */
export function eligibleEndpoints(backend: Backend, usable?: Usable): readonly Endpoint[] {
  let tier = Number.POSITIVE_INFINITY;
  let mixed = false;
  for (const endpoint of backend.endpoints) {
    const priority = endpoint.priority ?? 0;
    if (usable !== undefined && !usable(backend, endpoint)) {
      mixed = true;
      continue;
    }
    if (tier !== Number.POSITIVE_INFINITY && priority !== tier) mixed = true;
    if (priority < tier) tier = priority;
  }
  if (tier === Number.POSITIVE_INFINITY) return [];
  if (!mixed) return backend.endpoints;
  return backend.endpoints.filter((e) => (e.priority ?? 0) === tier && (usable === undefined || usable(backend, e)));
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
 * Pick one of the backend's {@link eligibleEndpoints} by `haproxy.router.openshift.io/balance`:
 * `roundrobin` cycles per isolate; `leastconn` takes the fewest requests in flight in this isolate (an
 * approximation: isolates do not share counts); `source` hashes the client IP, so a client keeps its endpoint
 * while the set of eligible endpoints stays the same; `random` draws.
 */
export function pickEndpoint(
  backend: Backend,
  balance: Balance,
  state: BalanceState,
  clientIp: string,
  random: number,
  usable?: Usable,
): Endpoint | undefined {
  const endpoints = eligibleEndpoints(backend, usable);
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
