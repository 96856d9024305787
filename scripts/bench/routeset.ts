/**
 * @module The benchmark workload: a seeded, deterministic set of OpenShift Routes (as `oc get -o yaml` prints them,
 * here as plain objects) with the LoadBalancer Services they point to, plus the request keys to look up.
 *
 * Shape (same seed, same set on every machine):
 * - about 3.5 routes per host, paths drawn from a fixed menu (root, nested prefixes, trailing-slash prefixes);
 * - one host in six is a wildcard (`wildcardPolicy: Subdomain`, served as `*.<suffix>`), the rest exact hosts;
 * - one host in eight has a canary Service as an alternate backend;
 * - 1,024 distinct request keys: 80% exact-host hits (half Zipf-hot, half uniform), 10% wildcard hits, 5% unknown
 *   hosts and 5% known hosts with a path no route serves; path depth 1 to 5.
 * Every key carries the route id it must resolve to, known by construction: extra segments are `x<n>`, which no
 * menu path starts with, so a key generated under one route is never captured by a longer route of its host.
 */
import { randomInt, seededRandom, zipfSampler, type Random } from "./prng.ts";

/** One generated route, as the benchmark sees it (the compiler sees the manifests in {@link RouteSet.objects}). */
export interface BenchRoute {
  /** `namespace/name`, the same id the compiler gives the route. */
  id: string;
  /** Exact host, or `*.<suffix>` for a wildcard route. */
  host: string;
  /** As written in the manifest; `""` when the Route has no `spec.path`. */
  path: string;
  wildcard: boolean;
}

export type KeyKind = "exact" | "wildcard" | "miss-host" | "miss-path";

/** A request to look up: host and path already normalised, and the route id that must serve it. */
export interface RequestKey {
  host: string;
  path: string;
  /** Route id, or `null` for a miss. */
  expect: string | null;
  kind: KeyKind;
}

export interface RouteSet {
  size: number;
  seed: number;
  routes: BenchRoute[];
  /** Services then Routes, per host, in the order a manifest file would list them. */
  objects: Record<string, unknown>[];
  /** The mixed workload: at least 1,024 distinct keys. */
  keys: RequestKey[];
}

/** Where the generated Services' load balancers point (the end-to-end backend; any address for lookups). */
export interface BackendAddress {
  ip: string;
  port: number;
}

export const DEFAULT_SEED = 20261125;
export const MIXED_KEY_COUNT = 1024;

/** Paths a host draws from. Includes trailing-slash prefixes (`/static/` does not serve `/static`). */
const PATH_MENU = [
  "/",
  "/api",
  "/api/v2",
  "/static/",
  "/orders",
  "/v2/orders",
  "/admin",
  "/img/",
  "/auth/login",
  "/search",
];
const APPS = ["web", "api", "shop", "blog", "auth", "media", "search", "mail"];
const HOSTS_PER_TEAM = 50;
const CREATED_AT = Date.UTC(2026, 0, 1);

interface HostPlan {
  index: number;
  namespace: string;
  app: string;
  /** Request host for exact hosts; the wildcard's suffix for wildcard hosts. */
  name: string;
  wildcard: boolean;
  routes: BenchRoute[];
}

/** The route set of `size` routes (exactly), with its mixed request keys. */
export function generateRouteSet(size: number, backend: BackendAddress, seed: number = DEFAULT_SEED): RouteSet {
  const random = seededRandom(seed ^ size);
  const hosts: HostPlan[] = [];
  const objects: Record<string, unknown>[] = [];
  const routes: BenchRoute[] = [];
  const teamCount = Math.max(1, Math.ceil(size / 3.5 / HOSTS_PER_TEAM));
  for (let index = 0; routes.length < size; index++) {
    const plan = planHost(index, teamCount, random, size - routes.length);
    hosts.push(plan);
    objects.push(...hostObjects(plan, backend, routes.length));
    routes.push(...plan.routes);
  }
  return { size, seed, routes, objects, keys: mixedKeys(hosts, random) };
}

function planHost(index: number, teamCount: number, random: Random, remaining: number): HostPlan {
  const app = APPS[index % APPS.length] ?? "web";
  const namespace = `team-${index % teamCount}`;
  const wildcard = index % 6 === 1;
  const name = wildcard ? `t${index}.example.net` : `${app}-${index}.${namespace}.apps.example.com`;
  const count = Math.min(remaining, 1 + randomInt(random, 6));
  const menu = shuffled(PATH_MENU, random).slice(0, count);
  const paths = PATH_MENU.filter((p) => menu.includes(p)).map((p) => (p === "/" && index % 2 === 0 ? "" : p));
  const routes = paths.map((path, j) => ({
    id: `${namespace}/${app}-${index}-${j}`,
    host: wildcard ? `*.${name}` : name,
    path,
    wildcard,
  }));
  return { index, namespace, app, name, wildcard, routes };
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function hostObjects(plan: HostPlan, backend: BackendAddress, routeOffset: number): Record<string, unknown>[] {
  const service = `${plan.app}-${plan.index}`;
  const canary = plan.index % 8 === 5 ? `${service}-canary` : null;
  const objects = [serviceObject(plan.namespace, service, backend)];
  if (canary) objects.push(serviceObject(plan.namespace, canary, backend));
  plan.routes.forEach((route, j) => {
    const spec: Record<string, unknown> = {
      host: plan.wildcard ? `www.${plan.name}` : plan.name,
      ...(route.path === "" ? {} : { path: route.path }),
      port: { targetPort: "http" },
      to: { kind: "Service", name: service, weight: canary ? 90 : 100 },
      ...(canary ? { alternateBackends: [{ kind: "Service", name: canary, weight: 10 }] } : {}),
      wildcardPolicy: plan.wildcard ? "Subdomain" : "None",
    };
    objects.push({
      apiVersion: "route.openshift.io/v1",
      kind: "Route",
      metadata: {
        name: route.id.slice(plan.namespace.length + 1),
        namespace: plan.namespace,
        creationTimestamp: new Date(CREATED_AT + (routeOffset + j) * 1000).toISOString().replace(".000Z", "Z"),
        labels: { app: plan.app },
      },
      spec,
    });
  });
  return objects;
}

export function serviceObject(namespace: string, name: string, backend: BackendAddress): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: {
      type: "LoadBalancer",
      selector: { app: name },
      ports: [{ name: "http", protocol: "TCP", port: backend.port, targetPort: 8080 }],
    },
    status: { loadBalancer: { ingress: [{ ip: backend.ip }] } },
  };
}

/** A request path served by `route`: its path plus `depth` extra `x<n>` segments. */
function pathUnder(route: BenchRoute, random: Random, depth: number): string {
  let path = route.path === "" || route.path === "/" ? "" : route.path;
  for (let d = 0; d < depth; d++) {
    const segment = `x${randomInt(random, 100000)}`;
    path += path.endsWith("/") ? segment : `/${segment}`;
  }
  return path === "" ? "/" : path;
}

function mixedKeys(hosts: HostPlan[], random: Random): RequestKey[] {
  const exact = shuffled(
    hosts.filter((h) => !h.wildcard),
    random,
  );
  const wild = hosts.filter((h) => h.wildcard);
  const withoutRoot = exact.filter((h) => !h.routes.some((r) => r.path === "" || r.path === "/"));
  const zipf = zipfSampler(random, exact.length, 1);
  const keys: RequestKey[] = [];
  const seen = new Set<string>();
  while (keys.length < MIXED_KEY_COUNT) {
    const roll = random();
    let key: RequestKey;
    if (roll < 0.05 || (roll < 0.1 && withoutRoot.length === 0)) {
      const n = randomInt(random, 1_000_000);
      key = { host: `app-${n}.nowhere-${n % 97}.example.org`, path: `/x${n}`, expect: null, kind: "miss-host" };
    } else if (roll < 0.1) {
      const host = withoutRoot[randomInt(random, withoutRoot.length)] as HostPlan;
      key = { host: host.name, path: `/nope/x${randomInt(random, 100000)}`, expect: null, kind: "miss-path" };
    } else if (roll < 0.2 && wild.length > 0) {
      const host = wild[randomInt(random, wild.length)] as HostPlan;
      const route = host.routes[randomInt(random, host.routes.length)] as BenchRoute;
      const label = `u${randomInt(random, 1_000_000)}`;
      key = {
        host: `${label}.${host.name}`,
        path: pathUnder(route, random, randomInt(random, 4)),
        expect: route.id,
        kind: "wildcard",
      };
    } else {
      const host = (random() < 0.5 ? exact[zipf()] : exact[randomInt(random, exact.length)]) as HostPlan;
      const route = host.routes[randomInt(random, host.routes.length)] as BenchRoute;
      key = { host: host.name, path: pathUnder(route, random, randomInt(random, 4)), expect: route.id, kind: "exact" };
    }
    const id = `${key.host}${key.path}`;
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push(key);
  }
  return keys;
}

/** The request host and path that name `route` itself (its own host, its own path): one key per route. */
export function ownKey(route: BenchRoute): RequestKey {
  const host = route.wildcard ? `own.${route.host.slice(2)}` : route.host;
  const path = route.path === "" ? "/" : route.path;
  return { host, path, expect: route.id, kind: route.wildcard ? "wildcard" : "exact" };
}

/** `count` distinct keys all served by `route` (different sub-paths, and different labels for a wildcard). */
export function keysForRoute(route: BenchRoute, count: number): RequestKey[] {
  const keys: RequestKey[] = [];
  const base = route.path === "" || route.path === "/" ? "" : route.path;
  for (let n = 0; n < count; n++) {
    const host = route.wildcard ? `u${n}.${route.host.slice(2)}` : route.host;
    const path = base.endsWith("/") ? `${base}x${n}` : `${base}/x${n}`;
    keys.push({ host, path, expect: route.id, kind: route.wildcard ? "wildcard" : "exact" });
  }
  return keys;
}
