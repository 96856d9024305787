/**
 * @module Route matching: which admitted route serves (host, path, scheme). The Worker and `routes explain` both
 * call this module, so they cannot disagree.
 *
 * Semantics (openshift-route-semantics.md §2): the host is looked up exactly, then by wildcard suffix (a wildcard
 * covers exactly one label, and the router lists exact-host entries before wildcard ones); within a host the
 * longest matching path wins, an Ingress `Exact` path beating a prefix of the same length. Cost: one Map probe
 * per host key plus one per path segment, whatever the number of routes.
 */
import { wildcardSuffix } from "./host.ts";
import { shardOf } from "./shard.ts";
import type { CompiledRoute, TableShard } from "./types.ts";

/** Where the routes of one host key come from: a whole in-memory table, or the Worker's lazily loaded shards. */
export interface RouteLookup {
  /** The index of an exact host, or `undefined` when no route names it. */
  exact(host: string): HostIndex | undefined;
  /** The index of a wildcard suffix (`apps.example.com` for `*.apps.example.com`). */
  wildcard(suffix: string): HostIndex | undefined;
}

/** What a request resolves to. `redirect`: plain HTTP on a route whose insecure policy is `Redirect`. */
export type Resolution =
  | { outcome: "route"; route: CompiledRoute; hostKind: "exact" | "wildcard" }
  | { outcome: "redirect"; route: CompiledRoute; hostKind: "exact" | "wildcard" }
  | { outcome: "none" };

interface PathNode {
  children: Map<string, PathNode> | undefined;
  /** Route prefix `P` (no trailing slash): serves the node's path and everything below it. */
  prefix: CompiledRoute | undefined;
  /** Route prefix `P/`: serves only paths that continue past the node (`/foo/` does not serve `/foo`). */
  slash: CompiledRoute | undefined;
  /** Ingress `Exact`: serves the node's path only. */
  exact: CompiledRoute | undefined;
}

function newNode(): PathNode {
  return { children: undefined, prefix: undefined, slash: undefined, exact: undefined };
}

/**
 * The routes of one host as a segment trie: node `foo` → `bar` stands for the path `/foo/bar`. Built once per
 * host on first use; matching walks one node per request-path segment.
 */
export class HostIndex {
  readonly routes: readonly CompiledRoute[];
  private readonly root: PathNode = newNode();

  /** `routes` in table order (most specific first); on a duplicate (path, match) the first one is kept. */
  constructor(routes: readonly CompiledRoute[]) {
    this.routes = routes;
    for (const route of routes) this.insert(route);
  }

  private insert(route: CompiledRoute): void {
    const segments = route.path.split("/").slice(1);
    // A route path ending in "/" (or only "/"s) is P + "/": keep P's node and remember the slash. Route paths ""
    // and "/" are the root prefix, which serves everything (router: `(/.*)?` after an empty path).
    let slash = route.match === "prefix" && segments.length > 0 && segments[segments.length - 1] === "";
    if (slash) segments.pop();
    if (route.match === "prefix" && segments.every((s) => s === "")) {
      segments.length = 0;
      slash = false;
    }
    let node = this.root;
    for (const segment of segments) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (!child) {
        child = newNode();
        node.children.set(segment, child);
      }
      node = child;
    }
    const slot = route.match === "exact" ? "exact" : slash ? "slash" : "prefix";
    node[slot] ??= route;
  }

  /**
   * The most specific route serving `path` (canonical, starting with "/") that `accept` allows.
   * Deeper nodes are longer paths, so the last acceptable candidate seen on the walk wins; at one node an exact
   * match (path ends here) beats `P/` (path goes on), which beats `P`.
   */
  match(path: string, accept: (route: CompiledRoute) => boolean): CompiledRoute | undefined {
    let node = this.root;
    let best: CompiledRoute | undefined;
    // `start` is where the next request segment begins; past the end, the path ends at `node`.
    let start = 1;
    for (;;) {
      const ends = start > path.length;
      const candidate = pick(node, ends, accept);
      if (candidate) best = candidate;
      if (ends) return best;
      let end = path.indexOf("/", start);
      if (end < 0) end = path.length;
      const child = node.children?.get(path.slice(start, end));
      if (!child) return best;
      node = child;
      start = end + 1;
    }
  }
}

/** The acceptable route at one node; `ends`: the request path ends at this node rather than going past it. */
function pick(node: PathNode, ends: boolean, accept: (route: CompiledRoute) => boolean): CompiledRoute | undefined {
  if (ends && node.exact && accept(node.exact)) return node.exact;
  if (!ends && node.slash && accept(node.slash)) return node.slash;
  if (node.prefix && accept(node.prefix)) return node.prefix;
  return undefined;
}

const ANY = (): boolean => true;
/** Served over HTTPS: edge and reencrypt routes (a plain-HTTP route is absent from the router's 443 map). */
const SERVED_OVER_HTTPS = (route: CompiledRoute): boolean => route.tls !== null;
/** Served over plain HTTP: plain routes, and TLS routes whose insecure policy is `Allow`. */
const SERVED_OVER_HTTP = (route: CompiledRoute): boolean => route.tls === null || route.tls.insecure === "Allow";

/**
 * Resolve a request the way the router's maps do (§2.5): over HTTPS, the best TLS route; over HTTP, the best
 * route of any kind decides a `Redirect` first (so a more specific plain-HTTP route is served instead of a
 * host-level redirect), then the best route served over HTTP.
 * @param host normalised with `normalizeHost`; @param path canonical, from `normalizePath`.
 */
export function resolveRoute(lookup: RouteLookup, host: string, path: string, https: boolean): Resolution {
  const exact = lookup.exact(host);
  const suffix = wildcardSuffix(host);
  const wild = suffix === null ? undefined : lookup.wildcard(suffix);
  if (!https) {
    const first = best(exact, wild, path, ANY);
    if (first && first.route.tls?.insecure === "Redirect") return { outcome: "redirect", ...first };
  }
  const served = best(exact, wild, path, https ? SERVED_OVER_HTTPS : SERVED_OVER_HTTP);
  return served ? { outcome: "route", ...served } : { outcome: "none" };
}

function best(
  exact: HostIndex | undefined,
  wild: HostIndex | undefined,
  path: string,
  accept: (route: CompiledRoute) => boolean,
): { route: CompiledRoute; hostKind: "exact" | "wildcard" } | undefined {
  const fromExact = exact?.match(path, accept);
  if (fromExact) return { route: fromExact, hostKind: "exact" };
  const fromWild = wild?.match(path, accept);
  return fromWild ? { route: fromWild, hostKind: "wildcard" } : undefined;
}

/** Shortcut for the route serving a request, when redirects and the reason do not matter (benchmarks, tests). */
export function matchRoute(lookup: RouteLookup, host: string, path: string, https: boolean): CompiledRoute | undefined {
  const resolution = resolveRoute(lookup, host, path, https);
  return resolution.outcome === "none" ? undefined : resolution.route;
}

/** A route `explain` looked at, and why it does or does not serve the request. */
export interface Considered {
  route: CompiledRoute;
  chosen: boolean;
  why: string;
}

export interface Explanation {
  resolution: Resolution;
  considered: Considered[];
}

/**
 * Resolve like {@link resolveRoute} and say why, for every route of the request's exact host and wildcard suffix.
 * The "why" of a route that is not chosen is computed by matching a one-route index, i.e. by the same code.
 */
export function explainRoute(lookup: RouteLookup, host: string, path: string, https: boolean): Explanation {
  const resolution = resolveRoute(lookup, host, path, https);
  const chosen = resolution.outcome === "none" ? undefined : resolution.route;
  const considered: Considered[] = [];
  const suffix = wildcardSuffix(host);
  const groups: [HostIndex | undefined, string][] = [
    [lookup.exact(host), `host ${host}`],
    [suffix === null ? undefined : lookup.wildcard(suffix), `wildcard *.${suffix}`],
  ];
  for (const [index, hostWhy] of groups) {
    for (const route of index?.routes ?? []) {
      considered.push({ route, chosen: route === chosen, why: whyRoute(route, path, https, hostWhy, route === chosen) });
    }
  }
  return { resolution, considered };
}

function whyRoute(route: CompiledRoute, path: string, https: boolean, hostWhy: string, chosen: boolean): string {
  const shown = route.path === "" ? "(no path)" : route.path;
  const pathMatches = new HostIndex([route]).match(path, ANY) !== undefined;
  if (!pathMatches) return `${hostWhy}; ${route.match} path ${shown} does not cover ${path}`;
  const scheme = https ? "HTTPS" : "HTTP";
  if (chosen) return `${hostWhy}; ${route.match} path ${shown} is the most specific match served over ${scheme}`;
  if (https && !SERVED_OVER_HTTPS(route)) return `${hostWhy}; path matches, but a plain-HTTP route is not served over HTTPS`;
  if (!https && !SERVED_OVER_HTTP(route)) {
    return `${hostWhy}; path matches, but insecureEdgeTerminationPolicy ${route.tls?.insecure ?? "None"} does not serve plain HTTP`;
  }
  return `${hostWhy}; path ${shown} matches, but a more specific route wins`;
}

/**
 * A {@link RouteLookup} over the shards of a table. `shardAt` returns a shard that is in memory, or `undefined`
 * (the Worker reads large tables shard by shard). Host indexes are built on first use and kept; misses are not
 * cached, since a client can invent any number of hosts and a miss costs one probe.
 */
export class ShardLookup implements RouteLookup {
  private readonly shardCount: number;
  private readonly shardAt: (shard: number) => TableShard | undefined;
  private readonly exactIndexes = new Map<string, HostIndex>();
  private readonly wildIndexes = new Map<string, HostIndex>();

  constructor(shardCount: number, shardAt: (shard: number) => TableShard | undefined) {
    this.shardCount = shardCount;
    this.shardAt = shardAt;
  }

  exact(host: string): HostIndex | undefined {
    return this.find(this.exactIndexes, host, "hosts");
  }

  wildcard(suffix: string): HostIndex | undefined {
    return this.find(this.wildIndexes, suffix, "wildcards");
  }

  private find(cache: Map<string, HostIndex>, key: string, group: "hosts" | "wildcards"): HostIndex | undefined {
    const cached = cache.get(key);
    if (cached) return cached;
    const shard = this.shardAt(shardOf(key, this.shardCount));
    const routes = shard ? ownRoutes(shard[group], key) : undefined;
    if (!routes) return undefined;
    const index = new HostIndex(routes);
    cache.set(key, index);
    return index;
  }
}

/** A {@link RouteLookup} over a whole table held in memory (the CLI, tests, benchmarks). */
export function tableLookup(shards: readonly TableShard[], shardCount: number): RouteLookup {
  return new ShardLookup(shardCount, (shard) => shards[shard]);
}

/**
 * `groups[key]`, but only an own property: a host may legitimately be called `constructor` or `__proto__`, which
 * must not find Object.prototype members of the parsed JSON.
 */
function ownRoutes(groups: Record<string, CompiledRoute[]>, key: string): CompiledRoute[] | undefined {
  return Object.hasOwn(groups, key) ? groups[key] : undefined;
}
