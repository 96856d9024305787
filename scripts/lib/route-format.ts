/**
 * @module How routes, backends and endpoints are printed by validate, diff and explain (one place, so they
 * read the same everywhere).
 */
import { type Backend, type CompiledRoute, describeConditions, type Endpoint } from "../../worker/core/index.ts";

/**
 * The Service name without its namespace: Route and Ingress backends always live in the route's namespace (an
 * HTTPRoute's cross-namespace backendRef keeps it, see {@link formatBackends}).
 */
export function serviceName(backend: Backend): string {
  const slash = backend.service.indexOf("/");
  return slash < 0 ? backend.service : backend.service.slice(slash + 1);
}

/**
 * Share of new traffic, as the router computes it: weight / sum of weights.
 * @example weights 90 and 10 → "90%" and "10%"; weights 1 and 2 → "33%" and "67%"
 */
export function share(backend: Backend, backends: readonly Backend[]): string {
  const total = backends.reduce((sum, each) => sum + each.weight, 0);
  return total === 0 ? "0%" : `${Math.round((backend.weight / total) * 100)}%`;
}

/** @example "web-blue 90 (90%), web-green 10 (10%)" */
export function formatBackends(backends: readonly Backend[]): string {
  return backends
    .map(
      (backend) =>
        `${backend.invalid === undefined ? serviceName(backend) : `${backend.service} [invalid: 500]`} ${backend.weight} (${share(backend, backends)})`,
    )
    .join(", ");
}

/** @example "/healthz (exact)", "/v1", "(all paths)", "/v2 [header version=two]" */
export function formatPath(route: Pick<CompiledRoute, "path" | "match"> & Partial<CompiledRoute>): string {
  const path = route.path === "" ? "(all paths)" : route.path;
  const shown = route.match === "exact" ? `${path} (exact)` : path;
  const conditions = route.gateway === undefined ? "" : describeConditions(route as CompiledRoute);
  return conditions === "" ? shown : `${shown} [${conditions}]`;
}

/** @example "edge/Redirect", "http" */
export function formatTls(tls: CompiledRoute["tls"]): string {
  return tls === null ? "http" : `${tls.termination}/${tls.insecure}`;
}

/** @example "http://127.0.0.1:8081", "https://[2001:db8::1]:443" */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.scheme}://${host}:${endpoint.port}`;
}
