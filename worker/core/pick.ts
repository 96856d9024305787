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
 * Pick a backend. A sticky id naming a backend with a usable endpoint keeps the client there, even at weight 0:
 * the router keeps weight-0 servers so that "the service does not participate in load-balancing but continues to
 * serve existing persistent connections" (OpenShift route-based deployment strategies,
 * https://docs.openshift.com/container-platform/latest/applications/deployments/route-based-deployment-strategies.html;
 * TEMPLATE writes `weight 0` servers, and HAProxy sends a request whose persistence cookie names such a server to
 * it). A cookie naming a backend that is down or gone picks again. Otherwise by weight among the candidates (weight
 * > 0 and, with `usable`, a usable endpoint), so a backend's share is weight/sum, weight 0 never gets a new client,
 * and the share of a backend with no usable endpoint goes to the others in proportion to their weights:
 * - with `turns` (balance roundrobin, the router's default for a split), in turns: smooth weighted round robin per
 *   isolate, as HAProxy's roundrobin uses "each server … in turns, according to their weights"
 *   (HAPROXY `balance`, https://docs.haproxy.org/2.8/configuration.html#4.2-balance): weights 1/1 alternate;
 * - otherwise a draw: `random` in [0, 1) over the cumulative weights.
 * Returns `undefined` when no backend has weight (the router's "no backends": 503) or, with `usable`, none of
 * those has a usable endpoint.
 * @example weights 90/10, random 0.95 → the second backend (0.95 × 100 = 95 ≥ 90)
 */
export function pickBackend(
  backends: readonly Backend[],
  random: number,
  stickyId?: string,
  usable?: Usable,
  turns?: BalanceState,
): BackendChoice | undefined {
  const candidate = (b: Backend): boolean => b.weight > 0 && (usable === undefined || hasUsable(b, usable));
  let total = 0;
  for (const backend of backends) {
    if (stickyId !== undefined && backend.id === stickyId && (usable === undefined || hasUsable(backend, usable)))
      return { backend, sticky: true };
    if (candidate(backend)) total += backend.weight;
  }
  if (total === 0) return undefined;
  if (turns !== undefined) return { backend: nextInTurn(backends, candidate, total, turns), sticky: false };
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

/**
 * Smooth weighted round robin (each candidate gains its weight, the one with the most goes and pays the total):
 * spreads a 3/1 split as a a b a … rather than a a a b. Keyed by the backend list itself, so a new table starts
 * afresh and nothing keyed by an old table outlives it.
 */
function nextInTurn(
  backends: readonly Backend[],
  candidate: (b: Backend) => boolean,
  total: number,
  state: BalanceState,
): Backend {
  let credit = state.turns.get(backends);
  if (credit === undefined) {
    credit = new Array<number>(backends.length).fill(0);
    state.turns.set(backends, credit);
  }
  let best = -1;
  for (let i = 0; i < backends.length; i++) {
    const backend = backends[i] as Backend;
    if (!candidate(backend)) continue;
    credit[i] = (credit[i] as number) + backend.weight;
    if (best < 0 || (credit[i] as number) > (credit[best] as number)) best = i;
  }
  credit[best] = (credit[best] as number) - total;
  return backends[best] as Backend;
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

/**
 * Per-isolate balancing state: round-robin positions and in-flight counts, keyed by backend id and endpoint, and
 * the round-robin credit of each split's backends, keyed by the route's backend list.
 */
export interface BalanceState {
  next: Map<string, number>;
  inFlight: Map<string, number>;
  turns: WeakMap<readonly Backend[], number[]>;
}

export function newBalanceState(): BalanceState {
  return { next: new Map(), inFlight: new Map(), turns: new WeakMap() };
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
