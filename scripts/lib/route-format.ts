/**
 * @module How routes, backends and endpoints are printed by validate, diff and explain (one place, so they
 * read the same everywhere).
 */
import type { Backend, CompiledRoute, Endpoint } from "../../worker/core/index.ts";

/**
 * The Service name without its namespace (backends always live in the route's namespace); for a route handed to
 * a cluster router, `router <name>`.
 */
export function serviceName(backend: Backend): string {
  if (backend.router !== undefined) return `router ${backend.router.name}`;
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

/**
 * @example "web-blue 90 (90%), web-green 10 (10%)"
 * @example "cluster router default at https://router-default.apps.east.example.com:443"
 */
export function formatBackends(backends: readonly Backend[]): string {
  return backends
    .map((backend) =>
      backend.router === undefined
        ? `${serviceName(backend)} ${backend.weight} (${share(backend, backends)})`
        : `cluster router ${backend.router.name} at ${backend.endpoints.map(formatEndpoint).join(", ")}`,
    )
    .join(", ");
}

/**
 * Who splits the route's traffic across its Services: the edge itself (Service load balancers), or the cluster
 * router the route is handed to, and where that router came from.
 * @example "edge", "router default (status.ingress)", "router router-default.apps.east.example.com (--cluster-router)"
 */
export function formatSplit(route: Pick<CompiledRoute, "kind" | "backends">): string {
  const router = route.backends[0]?.router;
  if (router === undefined) return "edge";
  const from =
    router.from === "option"
      ? "--cluster-router"
      : route.kind === "Route"
        ? "status.ingress"
        : "status.loadBalancer.ingress";
  return `router ${router.name} (${from})`;
}

/** @example "/healthz (exact)", "/v1", "(all paths)" */
export function formatPath(route: { path: string; match: CompiledRoute["match"] }): string {
  const path = route.path === "" ? "(all paths)" : route.path;
  return route.match === "exact" ? `${path} (exact)` : path;
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
