/**
 * @module What the health objects last published (`health:<n>` keys, docs/health.md), joined with the live table
 * for `routes status` and `routes explain`.
 */
import {
  type Backend,
  type CompiledRoute,
  type Endpoint,
  type ProbeState,
  eligibleEndpoints,
  endpointAddress,
  healthKvKey,
  parseHealthSnapshot,
  probeKey,
} from "../../worker/core/index.ts";
import type { KvStore } from "./kv.ts";

/** `HEALTH_OBJECTS` may be at most this (one `wrangler kv bulk get` reads every snapshot). */
export const MAX_HEALTH_OBJECTS = 100;

/** Every probe state the objects published, by probe key (one wrangler call). */
export async function readHealth(kv: KvStore): Promise<Map<string, ProbeState>> {
  const keys = Array.from({ length: MAX_HEALTH_OBJECTS }, (_, i) => healthKvKey(i));
  const values = await kv.getMany(keys);
  const states = new Map<string, ProbeState>();
  for (const key of keys) {
    const snapshot = parseHealthSnapshot(values.get(key) ?? null);
    if (snapshot === undefined) continue;
    for (const [probe, state] of Object.entries(snapshot.probes)) states.set(probe, state);
  }
  return states;
}

export interface EndpointHealth {
  route: string;
  backend: string;
  endpoint: string;
  cluster: string | null;
  priority: number;
  /** The host the probe sends (a wildcard route is probed with each host it served). */
  host: string;
  /** `unknown`: not probed, because no request used this route in the last 10 minutes. */
  state: "up" | "down" | "unknown";
  since: string | null;
  lastError: string | null;
  /** Whether the Worker would send a request there now (the lowest priority tier with an endpoint up). */
  eligible: boolean;
}

/** One row per route, backend, endpoint and probed host (only `host` when given: `explain` of one URL). */
export function endpointHealth(
  route: CompiledRoute,
  states: ReadonlyMap<string, ProbeState>,
  host?: string,
): EndpointHealth[] {
  const rows: EndpointHealth[] = [];
  for (const backend of route.backends) {
    for (const probed of host === undefined ? hostsOf(route, backend, states) : [host]) {
      const host = probed;
      const stateOf = (endpoint: Endpoint): ProbeState | undefined =>
        states.get(probeKey(endpoint, host, route.healthPath));
      const eligible = new Set(eligibleEndpoints(backend, (_, endpoint) => stateOf(endpoint)?.up !== false));
      for (const endpoint of backend.endpoints) {
        const state = stateOf(endpoint);
        rows.push({
          route: route.id,
          backend: backend.service,
          endpoint: endpointAddress(endpoint),
          cluster: endpoint.cluster ?? null,
          priority: endpoint.priority ?? 0,
          host,
          state: state === undefined ? "unknown" : state.up ? "up" : "down",
          since: state?.since ?? null,
          lastError: state?.lastError ?? null,
          eligible: backend.weight > 0 && eligible.has(endpoint),
        });
      }
    }
  }
  return rows;
}

/** The route host; for a wildcard route, every host its probes were registered with (or the pattern itself). */
function hostsOf(route: CompiledRoute, backend: Backend, states: ReadonlyMap<string, ProbeState>): string[] {
  if (!route.host.startsWith("*.")) return [route.host];
  const suffix = route.host.slice(1);
  const addresses = new Set(backend.endpoints.map(endpointAddress));
  const hosts = new Set<string>();
  for (const state of states.values()) {
    if (addresses.has(state.endpoint) && state.path === route.healthPath && state.host.endsWith(suffix))
      hosts.add(state.host);
  }
  return hosts.size > 0 ? [...hosts].sort() : [route.host];
}
