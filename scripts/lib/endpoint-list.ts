/**
 * @module The endpoints of a published table, one row per backend Service and endpoint, with the cluster it is in
 * and its failover priority (`routes status`). Routes that share a Service and endpoint are counted, not repeated,
 * so the list stays as long as the fleet of load balancers, however many routes use them.
 */
import type { CompiledRoute, Endpoint } from "../../worker/core/index.ts";
import { formatEndpoint } from "./route-format.ts";

export interface EndpointRow {
  /** `namespace/service` */
  service: string;
  endpoint: Endpoint;
  /** `NAME` of the `NAME=PATH` input it came from; absent for unlabelled input. */
  cluster?: string;
  /** Lower is preferred; 0 when the route has no cluster order (active-active). */
  priority: number;
  /** Ids of the routes that use it, sorted. */
  routes: string[];
}

/** Sorted by Service, cluster, priority and endpoint. A Service used with two priorities (two routes' cluster orders) is two rows. */
export function listEndpoints(routes: readonly CompiledRoute[]): EndpointRow[] {
  const rows = new Map<string, EndpointRow & { ids: Set<string> }>();
  for (const route of routes) {
    for (const backend of route.backends) {
      for (const endpoint of backend.endpoints) {
        const priority = endpoint.priority ?? 0;
        const key = [
          backend.service,
          endpoint.cluster ?? "",
          String(priority).padStart(3, "0"),
          formatEndpoint(endpoint),
        ].join("\n");
        let row = rows.get(key);
        if (row === undefined) {
          const { priority: _, ...address } = endpoint;
          row = { service: backend.service, endpoint: address, priority, routes: [], ids: new Set() };
          if (endpoint.cluster !== undefined) row.cluster = endpoint.cluster;
          rows.set(key, row);
        }
        row.ids.add(route.id);
      }
    }
  }
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { ids, ...row }]) => ({ ...row, routes: [...ids].sort() }));
}
