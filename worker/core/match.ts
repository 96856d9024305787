/**
 * @module Route matching: which admitted route serves (host, path, scheme). The Worker and `routes explain` both
 * call this module, so they cannot disagree.
 *
 * Semantics (docs/design-notes.md#matching): the host is looked up exactly, then by wildcard suffix (a wildcard
 * covers exactly one label, and the router lists exact-host entries before wildcard ones); within a host the
 * longest matching path wins, an Ingress `Exact` path beating a prefix of the same length. Cost: one Map probe
 * per host key plus one per path segment, whatever the number of routes.
 */
import { wildcardSuffix } from "./host.ts";
import { type ShardReader, shardReader } from "./table/reader.ts";
import { ownedHeaderNames } from "./owned-headers.ts";
import { matchingPath } from "./path.ts";
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

const NONE: Resolution = Object.freeze({ outcome: "none" });

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

/** The two answers of one walk: the best route over any scheme, and the best one served on the request's scheme. */
export interface Walk {
  any: CompiledRoute | undefined;
  served: CompiledRoute | undefined;
}

/**
 * Whether a route is served on the request's scheme: over HTTPS the edge and reencrypt routes (a plain-HTTP route
 * is absent from the router's 443 map); over plain HTTP plain routes and TLS routes whose insecure policy is `Allow`.
 */
export function servedOver(route: CompiledRoute, https: boolean): boolean {
  return https ? route.tls !== null : route.tls === null || route.tls.insecure === "Allow";
}

/**
 * The routes of one host as a segment trie: node `foo` → `bar` stands for the path `/foo/bar`. Built once per
 * host on first use; matching walks one node per request-path segment.
 */
export class HostIndex {
  readonly routes: readonly CompiledRoute[];
  private readonly root: PathNode = newNode();
  private owned: ReadonlySet<string> | undefined;

  /** Header names the gateway owns on this host key (see owned-headers.ts), computed on first use. */
  get ownedHeaders(): ReadonlySet<string> {
    this.owned ??= ownedHeaderNames(this.routes);
    return this.owned;
  }

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
   * Walk `path` (canonical, starting with "/") once and fill `out` with the most specific route over any scheme
   * and the most specific one served on the request's scheme: the two questions the router's maps ask (docs/design-notes.md#redirect).
   * Deeper nodes are longer paths, so a candidate found deeper replaces the one before; at one node an exact
   * match (the path ends here) beats `P/` (the path goes on), which beats `P`. Allocates only path segments.
   */
  walk(path: string, https: boolean, out: Walk): void {
    let node = this.root;
    // `start` is where the next request segment begins; past the end, the path ends at `node`.
    let start = 1;
    for (;;) {
      const ends = start > path.length;
      const first = ends ? node.exact : node.slash;
      if (first !== undefined || node.prefix !== undefined) {
        out.any = first ?? node.prefix;
        if (first !== undefined && servedOver(first, https)) out.served = first;
        else if (node.prefix !== undefined && servedOver(node.prefix, https)) out.served = node.prefix;
      }
      if (ends) return;
      let end = path.indexOf("/", start);
      if (end < 0) end = path.length;
      const child = node.children?.get(path.slice(start, end));
      if (!child) return;
      node = child;
      start = end + 1;
    }
  }
}

/**
 * Resolve a request the way the router's maps do (docs/design-notes.md#redirect): over HTTPS, the best TLS route; over HTTP, the best
 * route of any kind decides a `Redirect` first (so a more specific plain-HTTP route is served instead of a
 * host-level redirect), then the best route served over HTTP. The wildcard suffix is only looked at when the
 * exact host leaves a question open.
 * @param host normalised with `normalizeHost`; @param canonicalPath from `normalizePath` (matched without its
 * `;parameters`, see `matchingPath`).
 */
export function resolveRoute(lookup: RouteLookup, host: string, canonicalPath: string, https: boolean): Resolution {
  const path = matchingPath(canonicalPath);
  const out: Walk = { any: undefined, served: undefined };
  lookup.exact(host)?.walk(path, https, out);
  let any = out.any;
  let served = out.served;
  let anyKind: "exact" | "wildcard" = "exact";
  let servedKind: "exact" | "wildcard" = "exact";
  if (any === undefined || served === undefined) {
    const suffix = wildcardSuffix(host);
    const wild = suffix === null ? undefined : lookup.wildcard(suffix);
    if (wild) {
      out.any = undefined;
      out.served = undefined;
      wild.walk(path, https, out);
      if (any === undefined && out.any !== undefined) {
        any = out.any;
        anyKind = "wildcard";
      }
      if (served === undefined && out.served !== undefined) {
        served = out.served;
        servedKind = "wildcard";
      }
    }
  }
  if (!https && any !== undefined && any.tls?.insecure === "Redirect")
    return { outcome: "redirect", route: any, hostKind: anyKind };
  return served === undefined ? NONE : { outcome: "route", route: served, hostKind: servedKind };
}

const NO_HEADERS: ReadonlySet<string> = new Set();

/**
 * The header names the gateway owns for a request host: those of every route that can serve it, exact and
 * wildcard (a wildcard route serves the host too). @param host normalised with `normalizeHost`.
 */
export function ownedHeadersFor(lookup: RouteLookup, host: string): ReadonlySet<string> {
  const exact = lookup.exact(host)?.ownedHeaders ?? NO_HEADERS;
  const suffix = wildcardSuffix(host);
  const wild = (suffix === null ? undefined : lookup.wildcard(suffix)?.ownedHeaders) ?? NO_HEADERS;
  if (wild.size === 0) return exact;
  if (exact.size === 0) return wild;
  return new Set([...exact, ...wild]);
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
      considered.push({
        route,
        chosen: route === chosen,
        why: whyRoute(route, path, https, hostWhy, route === chosen),
      });
    }
  }
  return { resolution, considered };
}

function whyRoute(route: CompiledRoute, path: string, https: boolean, hostWhy: string, chosen: boolean): string {
  const shown = route.path === "" ? "(no path)" : route.path;
  const alone: Walk = { any: undefined, served: undefined };
  new HostIndex([route]).walk(matchingPath(path), https, alone);
  if (alone.any === undefined) return `${hostWhy}; ${route.match} path ${shown} does not cover ${path}`;
  const scheme = https ? "HTTPS" : "HTTP";
  if (chosen) return `${hostWhy}; ${route.match} path ${shown} is the most specific match served over ${scheme}`;
  if (https && !servedOver(route, https))
    return `${hostWhy}; path matches, but a plain-HTTP route is not served over HTTPS`;
  if (!https && !servedOver(route, https)) {
    return `${hostWhy}; path matches, but insecureEdgeTerminationPolicy ${route.tls?.insecure ?? "None"} does not serve plain HTTP`;
  }
  return `${hostWhy}; path ${shown} matches, but a more specific route wins`;
}

/**
 * A {@link RouteLookup} over the shards added to it. Each host key maps to its shard until first use, then to its
 * built HostIndex: a lookup is one Map probe, hit or miss, and misses are never cached (a client can invent any
 * number of hosts). Routes are restored from the shard only when their host is first used.
 */
export class ShardLookup implements RouteLookup {
  private readonly exactKeys = new Map<string, HostIndex | ShardReader>();
  private readonly wildKeys = new Map<string, HostIndex | ShardReader>();

  add(reader: ShardReader): void {
    for (const key of reader.hostKeys) this.exactKeys.set(key, reader);
    for (const key of reader.wildcardKeys) this.wildKeys.set(key, reader);
  }

  exact(host: string): HostIndex | undefined {
    return indexOf(this.exactKeys, "hosts", host);
  }

  wildcard(suffix: string): HostIndex | undefined {
    return indexOf(this.wildKeys, "wildcards", suffix);
  }
}

function indexOf(
  keys: Map<string, HostIndex | ShardReader>,
  group: "hosts" | "wildcards",
  key: string,
): HostIndex | undefined {
  const entry = keys.get(key);
  if (entry === undefined || entry instanceof HostIndex) return entry;
  const index = new HostIndex(entry.routes(group, key));
  keys.set(key, index);
  return index;
}

/** A {@link RouteLookup} over a whole table held in memory (the CLI, tests, benchmarks). */
export function tableLookup(shards: readonly TableShard[]): RouteLookup {
  const lookup = new ShardLookup();
  for (const shard of shards) lookup.add(shardReader(shard));
  return lookup;
}
