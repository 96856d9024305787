/**
 * @module How routes, backends and endpoints are printed by validate, diff and explain (one place, so they
 * read the same everywhere).
 */
import { describeConditions, endpointAddress } from "../../worker/core/index.ts";
import type { Backend, CompiledRoute, Endpoint } from "../../worker/core/index.ts";

/**
 * The Service name without its namespace: Route and Ingress backends always live in the route's namespace (an
 * HTTPRoute's cross-namespace backendRef keeps it, see {@link formatBackends}); for a route handed to a cluster
 * router, `router <name>`.
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
      backend.router !== undefined
        ? `cluster router ${backend.router.name} at ${backend.endpoints.map(formatEndpoint).join(", ")}`
        : `${backend.invalid === undefined ? serviceName(backend) : `${backend.service} [invalid: 500]`} ${backend.weight} (${share(backend, backends)})`,
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
  return endpointAddress(endpoint);
}

/**
 * The route's authentication in one line, `null` when it has none.
 * @example "OpenShift OAuth token via user API https://api.c.example.com:6443/apis/user.openshift.io/v1/users/~;
 *          groups developers; user → X-Forwarded-User; cache 60 s (rejections 5 s), timeout 5000 ms"
 */
export function formatAuth(route: CompiledRoute): string | null {
  const parts: string[] = [];
  if (route.clientCert !== null) {
    const { subjectDn, fingerprintsSha256 } = route.clientCert;
    parts.push(
      `client certificate required${subjectDn === undefined ? "" : `, subject ${subjectDn}`}${fingerprintsSha256 === undefined ? "" : `, sha256 ${fingerprintsSha256.join(",")}`}`,
    );
  }
  if (route.jwt !== null) {
    const { jwksUrl, issuer, audience, algorithms, forwardClaims } = route.jwt;
    parts.push(
      [
        `JWT signed by a key of ${jwksUrl} (${algorithms.join(",")})`,
        issuer === undefined ? null : `issuer ${issuer}`,
        audience === undefined ? null : `audience ${audience.join(",")}`,
        forwardClaims.length === 0 ? null : forwardClaims.map((f) => `${f.claim} → ${f.header}`).join(", "),
      ]
        .filter((p) => p !== null)
        .join("; "),
    );
  }
  const check = route.tokenCheck;
  if (check !== null) {
    const server =
      check.kind === "openshift-user"
        ? `OpenShift OAuth token via user API ${check.url}`
        : check.kind === "openshift-token-review"
          ? `OpenShift token via TokenReview ${check.url} (reviewer token in secret ${check.secret})`
          : `OAuth token via RFC 7662 introspection ${check.url} (client credentials in secret ${check.secret})`;
    parts.push(
      [
        server,
        check.audience === undefined ? null : `audience ${check.audience.join(",")}`,
        check.allowedUsers === undefined ? null : `users ${check.allowedUsers.join(",")}`,
        check.allowedGroups === undefined ? null : `groups ${check.allowedGroups.join(",")}`,
        check.requiredScopes === undefined ? null : `scopes ${check.requiredScopes.join(" ")}`,
        check.userHeader === undefined ? null : `user → ${check.userHeader}`,
        check.groupsHeader === undefined ? null : `groups → ${check.groupsHeader}`,
        `cache ${check.cacheSeconds} s (rejections ${check.negativeCacheSeconds} s), timeout ${check.timeoutMs} ms`,
      ]
        .filter((p) => p !== null)
        .join("; "),
    );
  }
  return parts.length === 0 ? null : parts.join(" + ");
}

/** @example "http://203.0.113.10:80 (east)", "http://198.51.100.20:80 (west, priority 1)", no cluster: the URL alone */
export function formatEndpointWithCluster(endpoint: Endpoint): string {
  const tags = [
    ...(endpoint.cluster === undefined ? [] : [endpoint.cluster]),
    ...((endpoint.priority ?? 0) === 0 ? [] : [`priority ${endpoint.priority}`]),
  ];
  return tags.length === 0 ? formatEndpoint(endpoint) : `${formatEndpoint(endpoint)} (${tags.join(", ")})`;
}

/**
 * The clusters a route's endpoints are in, in failover order: equal priorities joined by ", " (they serve
 * together), lower priorities after "→". Empty for a route of unlabelled input.
 * @example "east, west" (active-active); "west → east" (edgeroute.dev/cluster-order: west, east)
 */
export function formatClusters(route: Pick<CompiledRoute, "backends">): string {
  const byPriority = new Map<number, Set<string>>();
  for (const backend of route.backends) {
    for (const endpoint of backend.endpoints) {
      if (endpoint.cluster === undefined) continue;
      const priority = endpoint.priority ?? 0;
      let tier = byPriority.get(priority);
      if (tier === undefined) byPriority.set(priority, (tier = new Set()));
      tier.add(endpoint.cluster);
    }
  }
  return [...byPriority.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, clusters]) => [...clusters].sort().join(", "))
    .join(" → ");
}
