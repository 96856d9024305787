/**
 * @module Route matching: which admitted route serves (host, path, scheme). The Worker and `routes explain` both
 * call this module, so they cannot disagree.
 *
 * Semantics (docs/design-notes.md#matching): the host is looked up exactly, then by wildcard suffix (a Route or
 * Ingress wildcard covers exactly one label, a Gateway API wildcard any number, the longest suffix first, and the
 * router lists exact-host entries before wildcard ones), then the catch-all (Ingress default backend); within a
 * host the longest matching path wins, an Ingress `Exact` path beating a prefix of the same length. Cost: one Map
 * probe per host key (at most one per host label) plus one trie step per path segment, whatever the number of
 * routes (a step compares the segment in place with a node's few children, or probes a wide node's Map); a host of
 * at most {@link FLAT_MAX_ROUTES} routes compares the path with each of them instead (a bounded number of string
 * comparisons, and far less memory than a trie).
 */
import { compareConditions, conditionsHold, isConditional, plainRequest, type RequestFacts } from "./gateway.ts";
import { CATCH_ALL_HOST } from "./host.ts";
import { type ShardReader, shardReader } from "./table/reader.ts";
import { ownedHeaderNames } from "./owned-headers.ts";
import { matchingPath } from "./path.ts";
import type { CompiledRoute, TableShard } from "./table/types.ts";

/** Where the routes of one host key come from: a whole in-memory table, or the Worker's lazily loaded shards. */
export interface RouteLookup {
  /** The index of an exact host, or `undefined` when no route names it. */
  exact(host: string): HostIndex | undefined;
  /** The index of a wildcard suffix (`apps.example.com` for `*.apps.example.com`). */
  wildcard(suffix: string): HostIndex | undefined;
  /**
   * The index of a wildcard suffix's HTTPRoute routes only: those that also serve hosts two or more labels below
   * the suffix (Gateway API: "`*.example.com` matches `a.b.example.com`", while Route and Ingress wildcards
   * cover one label).
   */
  deepWildcard(suffix: string): HostIndex | undefined;
  /**
   * The length (characters) of the shortest wildcard suffix (`Infinity` without any): a shorter suffix of a
   * request host, and every suffix after it, is neither sliced nor probed, so most misses stop at once.
   */
  readonly shortestWildcard: number;
  /** The catch-all's index ({@link CATCH_ALL_HOST}), or `undefined` when no route serves every host. */
  catchAll(): HostIndex | undefined;
}

/** Which host key served a request: the host itself, a wildcard suffix, or the catch-all ({@link CATCH_ALL_HOST}). */
export type HostKind = "exact" | "wildcard" | "catch-all";

/** What a request resolves to. `redirect`: plain HTTP on a route whose insecure policy is `Redirect`. */
export type Resolution =
  | { outcome: "route"; route: CompiledRoute; hostKind: HostKind }
  | { outcome: "redirect"; route: CompiledRoute; hostKind: HostKind }
  | { outcome: "none" };

const NONE: Resolution = Object.freeze({ outcome: "none" });

interface PathNode {
  /**
   * The children of a node with at most {@link FEW_CHILDREN} of them, as segment, node, segment, node …: a walk
   * compares each segment with the request path in place, without slicing the segment out and hashing it.
   */
  few: (string | PathNode)[] | undefined;
  /** The children by segment once there are more than {@link FEW_CHILDREN} (`few` is then `undefined`). */
  many: Map<string, PathNode> | undefined;
  /** Route prefix `P` (no trailing slash): serves the node's path and everything below it. */
  prefix: CompiledRoute | undefined;
  /** Route prefix `P/`: serves only paths that continue past the node (`/foo/` does not serve `/foo`). */
  slash: CompiledRoute | undefined;
  /** Ingress `Exact`: serves the node's path only. */
  exact: CompiledRoute | undefined;
  /**
   * Only at a node with HTTPRoute matches that have method, header or query conditions: every candidate in
   * precedence order, conditional or not, when the request path ends at the node (`ifEnds`) and when it goes on
   * (`ifOn`). The only routes whose conditions are evaluated, and only at the node the request path reaches.
   */
  ifEnds: CompiledRoute[] | undefined;
  ifOn: CompiledRoute[] | undefined;
}

/**
 * The most children a trie node compares in place (see {@link PathNode.few}); a wider node has a Map, whose probe
 * costs a slice and a hash of the segment but stays one probe however many children there are.
 */
const FEW_CHILDREN = 8;

function newNode(): PathNode {
  return {
    few: undefined,
    many: undefined,
    prefix: undefined,
    slash: undefined,
    exact: undefined,
    ifEnds: undefined,
    ifOn: undefined,
  };
}

/** The facts of a GET with no headers and no query: the default when a caller has no request at hand. */
const PLAIN_GET: RequestFacts = plainRequest();

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
 * Hosts with at most this many routes, none with HTTPRoute conditions, are matched by comparing the path with each
 * route ({@link HostIndex}): most hosts have a handful of routes (the benchmark's 10,000-route table averages 3.5),
 * and a trie costs a node object per path segment and a children array per inner node for each of them.
 */
export const FLAT_MAX_ROUTES = 8;

/** Where a route sits in the trie: the node (path segments) and the slot there. */
type Slot = "prefix" | "slash" | "exact";
const SLOT_CODE: Record<Slot, number> = { prefix: 0, slash: 1, exact: 2 };

/**
 * The node and slot of a route path: a path ending in "/" (or only "/"s) is P + "/": P's node, slot `slash`. Route
 * paths "" and "/" are the root prefix, which serves everything (router: `(/.*)?` after an empty path).
 */
function placeOf(route: CompiledRoute): { segments: string[]; slot: Slot } {
  const segments = route.path.split("/").slice(1);
  let slash = route.match === "prefix" && segments.length > 0 && segments[segments.length - 1] === "";
  if (slash) segments.pop();
  if (route.match === "prefix" && segments.every((s) => s === "")) {
    segments.length = 0;
    slash = false;
  }
  return { segments, slot: route.match === "exact" ? "exact" : slash ? "slash" : "prefix" };
}

/**
 * The routes of one host, built once per host on first use. Large hosts, and hosts with HTTPRoute conditions: a
 * segment trie (node `foo` → `bar` stands for the path `/foo/bar`); matching walks one node per request-path
 * segment. Small hosts ({@link FLAT_MAX_ROUTES}): each route's place as one number, and matching compares the
 * path with each route path — the same answers, since the trie's node for a route is its path.
 */
export class HostIndex {
  readonly routes: readonly CompiledRoute[];
  /**
   * The trie's root, or the flat form (one field for either, since a host has one: a field less per host). Flat
   * form: a string of one character code per route of `routes`: its place in the high byte, `depth * 4 + slot code + 1`
   * (depth = the node's path segments), or 0 for a route that an earlier one with the same place hides (the trie
   * keeps the first one too); in the low byte {@link secondChar} of its path, which every request path the route
   * serves has too (but for the root prefix's, which serves every path), so that most routes that do not serve a
   * request are passed over on their code alone, without reading the route. A string is the smallest array a
   * JavaScript engine offers (about 28 bytes for 8 routes), and one code per route is one read per route.
   */
  private readonly index: PathNode | string;
  private owned: ReadonlySet<string> | undefined;

  /** Header names the gateway owns on this host key (see owned-headers.ts), computed on first use. */
  get ownedHeaders(): ReadonlySet<string> {
    this.owned ??= ownedHeaderNames(this.routes);
    return this.owned;
  }

  /**
   * `routes` in table order (most specific first); on a duplicate (path, match) the first one is kept.
   * `flatMax`: the most routes indexed flat (tests build both forms of one host to compare them).
   */
  constructor(routes: readonly CompiledRoute[], flatMax: number = FLAT_MAX_ROUTES) {
    this.routes = routes;
    const flat =
      routes.length <= flatMax && routes.every((r) => !isConditional(r) && (r.path === "" || r.path.startsWith("/")));
    const places = flat
      ? routes.map((route, i) => {
          const { segments, slot } = placeOf(route);
          const hidden = routes
            .slice(0, i)
            .some((other) => other.match === route.match && placeKey(other) === placeKey(route));
          const second = secondChar(route.path);
          // Deeper than 63 segments, or a path whose second character is not Latin-1, does not fit a byte.
          if (segments.length > 63 || second > 0xff) return -1;
          return ((hidden ? 0 : segments.length * 4 + SLOT_CODE[slot] + 1) << 8) | second;
        })
      : [];
    // A route that does not fit a code: such a host keeps the trie.
    if (flat && places.every((code) => code >= 0)) {
      this.index = String.fromCharCode(...places);
    } else {
      this.index = buildTrie(routes);
    }
  }

  /**
   * Walk `path` (canonical, starting with "/") once and fill `out` with the most specific route over any scheme
   * and the most specific one served on the request's scheme: the two questions the router's maps ask (docs/design-notes.md#redirect).
   * Deeper nodes are longer paths, so a candidate found deeper replaces the one before; at one node an exact
   * match (the path ends here) beats `P/` (the path goes on), which beats `P`. Allocates nothing, but the path
   * segment a node with more than {@link FEW_CHILDREN} children is probed with.
   */
  walk(path: string, https: boolean, out: Walk, facts: RequestFacts = PLAIN_GET): void {
    if (typeof this.index === "string") {
      this.walkFlat(this.index, path, https, out);
      return;
    }
    let node = this.index;
    // `start` is where the next request segment begins; past the end, the path ends at `node`.
    let start = 1;
    for (;;) {
      const ends = start > path.length;
      const candidates = ends ? node.ifEnds : node.ifOn;
      if (candidates !== undefined) visitCandidates(candidates, https, out, facts);
      else {
        const first = ends ? node.exact : node.slash;
        if (first !== undefined || node.prefix !== undefined) {
          out.any = first ?? node.prefix;
          if (first !== undefined && servedOver(first, https)) out.served = first;
          else if (node.prefix !== undefined && servedOver(node.prefix, https)) out.served = node.prefix;
        }
      }
      if (ends) return;
      // The child named by the segment from `start` to `end` (the next "/" or the path's end).
      let child: PathNode | undefined;
      let end = -1;
      const few = node.few;
      if (few !== undefined) {
        for (let i = 0; i < few.length; i += 2) {
          const segment = few[i] as string;
          const after = start + segment.length;
          if ((after === path.length || path.charCodeAt(after) === SLASH) && path.startsWith(segment, start)) {
            child = few[i + 1] as PathNode;
            end = after;
            break;
          }
        }
      } else if (node.many !== undefined) {
        end = path.indexOf("/", start);
        if (end < 0) end = path.length;
        child = node.many.get(path.slice(start, end));
      }
      if (child === undefined) return;
      node = child;
      start = end + 1;
    }
  }

  /**
   * {@link walk} for a flat host (`places`: its {@link index}): a route's trie node is its path, so the path reaches the node when it starts with
   * the route path at a segment boundary (or, for `P/`, starts with `P/`), and ends there when it is equal. The
   * deepest route wins, and at one depth an exact match or `P/` beats `P`: the order the trie walk gives.
   */
  private walkFlat(places: string, path: string, https: boolean, out: Walk): void {
    const second = secondChar(path);
    let anyRank = -1;
    let servedRank = -1;
    for (let i = 0; i < places.length; i++) {
      const code = places.charCodeAt(i);
      const place = (code >> 8) - 1;
      if (place < 0 || (place !== SLOT_CODE.prefix && (code & 0xff) !== second)) continue;
      const route = this.routes[i] as CompiledRoute;
      const slot = place & 3;
      const p = route.path;
      let reaches: boolean;
      if (place === SLOT_CODE.prefix)
        reaches = true; // the root prefix
      else if (slot === SLOT_CODE.exact) reaches = path === p;
      else if (slot === SLOT_CODE.slash) reaches = path.startsWith(p);
      else reaches = path.startsWith(p) && (path.length === p.length || path.charCodeAt(p.length) === SLASH);
      if (!reaches) continue;
      // Depth first, then exact or `P/` (whichever the path allows) before `P` at the same node.
      const rank = (place >> 2) * 2 + (slot === SLOT_CODE.prefix ? 0 : 1);
      if (rank > anyRank) {
        anyRank = rank;
        out.any = route;
      }
      if (rank > servedRank && servedOver(route, https)) {
        servedRank = rank;
        out.served = route;
      }
    }
  }
}

/**
 * The character after a path's leading "/" (0 for "" and "/"): equal for a route path and every request path it
 * serves, except the root prefix's, which serves every path.
 */
function secondChar(path: string): number {
  return path.length > 1 ? path.charCodeAt(1) : 0;
}

const SLASH = 0x2f;

/**
 * The route path a place is compared with: the root prefix (paths "", "/", "//" …) is one place whatever its text.
 */
function placeKey(route: CompiledRoute): string {
  return route.match === "prefix" && /^\/*$/.test(route.path) ? "" : route.path;
}

/**
 * The trie of a host's routes: each route at its place ({@link placeOf}; on a duplicate place the first route is
 * kept), and at each node with conditional HTTPRoute matches the candidate lists {@link PathNode.ifEnds} and
 * {@link PathNode.ifOn}.
 */
function buildTrie(routes: readonly CompiledRoute[]): PathNode {
  const root = newNode();
  // Per node, its conditional matches on an Exact path and on a prefix, each list in precedence order.
  const conditional = new Map<PathNode, { exact: CompiledRoute[]; prefix: CompiledRoute[] }>();
  for (const route of routes) {
    const { segments, slot } = placeOf(route);
    let node = root;
    for (const segment of segments) node = childOf(node, segment);
    if (!isConditional(route)) {
      node[slot] ??= route;
      continue;
    }
    let lists = conditional.get(node);
    if (lists === undefined) {
      lists = { exact: [], prefix: [] };
      conditional.set(node, lists);
    }
    const list = route.match === "exact" ? lists.exact : lists.prefix;
    // Keep the spec's order among conditions (method, most headers, most query parameters); table order (age)
    // breaks ties because the first route of equal rank stays first.
    const at = list.findIndex((other) => compareConditions(route, other) < 0);
    if (at < 0) list.push(route);
    else list.splice(at, 0, route);
  }
  for (const [node, lists] of conditional) {
    // The spec's order at one path: the exact path (conditional, then plain) or the route's `P/`, then the
    // prefix (conditional, then plain).
    const ifEnds = routesOf([...lists.exact, node.exact, ...lists.prefix, node.prefix]);
    const ifOn = routesOf([node.slash, ...lists.prefix, node.prefix]);
    node.ifEnds = ifEnds;
    // One array when both lists are the same (no Exact path or `P/` here): the common case, and half the heap.
    node.ifOn = ifOn.length === ifEnds.length && ifOn.every((route, i) => route === ifEnds[i]) ? ifEnds : ifOn;
  }
  return root;
}

/** The routes of `list` in order, in an array of exactly their number (a filtered or pushed-to array has spare room). */
function routesOf(list: readonly (CompiledRoute | undefined)[]): CompiledRoute[] {
  return list.filter((route) => route !== undefined).slice();
}

/** The child of `node` for `segment`, added when missing. */
function childOf(node: PathNode, segment: string): PathNode {
  if (node.many !== undefined) {
    let child = node.many.get(segment);
    if (child === undefined) {
      child = newNode();
      node.many.set(segment, child);
    }
    return child;
  }
  const few = node.few ?? [];
  for (let i = 0; i < few.length; i += 2) if (few[i] === segment) return few[i + 1] as PathNode;
  const child = newNode();
  // A new array of exactly the new length: a pushed-to array keeps spare room, and a trie is built only once.
  if (few.length < FEW_CHILDREN * 2) node.few = [...few, segment, child];
  else {
    node.many = new Map();
    for (let i = 0; i < few.length; i += 2) node.many.set(few[i] as string, few[i + 1] as PathNode);
    node.many.set(segment, child);
    node.few = undefined;
  }
  return child;
}

/**
 * A node's candidates in precedence order ({@link PathNode.ifEnds}, {@link PathNode.ifOn}): as in the plain case,
 * the first one whose conditions hold replaces `out.any`, and the first of those served on the request's scheme
 * replaces `out.served`. Candidates at one path usually differ in the value of one header (`x-tenant: a`, `b` …):
 * the value of each candidate's first header is asked of the request only when the name differs from the one
 * asked before, so most candidates that do not hold cost one string comparison.
 */
function visitCandidates(candidates: readonly CompiledRoute[], https: boolean, out: Walk, facts: RequestFacts): void {
  let any: CompiledRoute | undefined;
  let askedName: string | undefined;
  let askedValue: string | null = null;
  for (const route of candidates) {
    const rule = route.gateway;
    if (rule !== undefined) {
      const header = rule.headers?.[0];
      if (header !== undefined) {
        if (header.name !== askedName) {
          askedName = header.name;
          askedValue = facts.header(askedName);
        }
        if (askedValue !== header.value) continue;
      }
      if (!conditionsHold(rule, facts)) continue;
    }
    any ??= route;
    if (servedOver(route, https)) {
      out.served = route;
      break;
    }
  }
  if (any !== undefined) out.any = any;
}

/**
 * The Location of the router's HTTP→HTTPS redirect (`insecureEdgeTerminationPolicy: Redirect`): `https://`, the host
 * without its port, then the request URI exactly as the client sent it, query included — the router's
 * `https://%[req.hdr(host),regsub(:[0-9]+$,,)]%[url]` since openshift/router commit 823a6fd5f
 * (docs/design-notes.md#redirect). Shared by the Worker and `routes explain`, so they cannot disagree.
 * @example insecureRedirectLocation("shop.example.com", "/%61dmin//x", "?q=1") === "https://shop.example.com/%61dmin//x?q=1"
 */
export function insecureRedirectLocation(host: string, rawPath: string, search: string): string {
  return `https://${host}${rawPath}${search}`;
}

/**
 * A walk over the host keys below the exact host that can serve a request host, most specific first: the wildcard
 * suffix one label up (every kind of wildcard), then the shorter suffixes, where only HTTPRoute wildcards apply
 * (Gateway API: a wildcard matches any number of labels and "the longest matching hostname wins",
 * https://gateway-api.sigs.k8s.io/reference/spec/#httproutespec), then the catch-all. At most one Map probe per
 * label of the host, and none for suffixes shorter than every wildcard key: the number of routes does not enter. A
 * cursor rather than a callback, so that {@link resolveRoute} keeps its locals out of a closure on the hot path.
 */
interface Fallback {
  readonly host: string;
  /** 0: nothing asked yet; 1: the suffix one label up asked, the deeper ones next; 2: the catch-all asked; 3: done. */
  step: number;
  /** Index of the dot before the current suffix. */
  at: number;
  kind: HostKind;
  /** What the last index returned stands for, for `explain`. */
  label: string;
}

function fallback(host: string): Fallback {
  return { host, step: 0, at: -1, kind: "wildcard", label: "" };
}

/** The next index that can serve the cursor's host, or `undefined` when none is left. */
function nextFallback(lookup: RouteLookup, f: Fallback): HostIndex | undefined {
  if (f.step === 0) {
    // One label up: every kind of wildcard.
    f.step = 1;
    f.at = f.host.indexOf(".");
    if (f.at > 0 && f.at < f.host.length - 1) {
      const index = lookup.wildcard(f.host.slice(f.at + 1));
      if (index !== undefined) return found(f, "wildcard", index);
    }
  }
  if (f.step === 1) {
    // Further up: HTTPRoute wildcards only. Suffixes only get shorter, so the first one shorter than every
    // wildcard key ends the search.
    while (f.at > 0) {
      f.at = f.host.indexOf(".", f.at + 1);
      if (f.at < 0 || f.host.length - f.at - 1 < lookup.shortestWildcard) break;
      const index = lookup.deepWildcard(f.host.slice(f.at + 1));
      if (index !== undefined) return found(f, "wildcard", index);
    }
    f.step = 2;
    const all = lookup.catchAll();
    if (all !== undefined) return found(f, "catch-all", all);
  }
  f.step = 3;
  return undefined;
}

function found(f: Fallback, kind: HostKind, index: HostIndex): HostIndex {
  f.kind = kind;
  f.label = kind === "catch-all" ? "catch-all (no host named)" : `wildcard *.${f.host.slice(f.at + 1)}`;
  return index;
}

/**
 * Resolve a request the way the router's maps do (docs/design-notes.md#redirect): over HTTPS, the best TLS route; over HTTP, the best
 * route of any kind decides a `Redirect` first (so a more specific plain-HTTP route is served instead of a
 * host-level redirect), then the best route served over HTTP. The wildcard suffixes and the catch-all are only
 * looked at, most specific first, while the exact host leaves a question open.
 * @param host normalised with `normalizeHost`; @param canonicalPath from `normalizePath` (matched without its
 * `;parameters`, see `matchingPath`); @param facts the method, headers and query that HTTPRoute conditions look
 * at (a plain GET when absent).
 */
export function resolveRoute(
  lookup: RouteLookup,
  host: string,
  canonicalPath: string,
  https: boolean,
  facts: RequestFacts = PLAIN_GET,
): Resolution {
  const path = matchingPath(canonicalPath);
  const out: Walk = { any: undefined, served: undefined };
  lookup.exact(host)?.walk(path, https, out, facts);
  let any = out.any;
  let served = out.served;
  let anyKind: HostKind = "exact";
  let servedKind: HostKind = "exact";
  if (any === undefined || served === undefined) {
    const f = fallback(host);
    for (let index = nextFallback(lookup, f); index !== undefined; index = nextFallback(lookup, f)) {
      out.any = undefined;
      out.served = undefined;
      index.walk(path, https, out, facts);
      if (any === undefined && out.any !== undefined) {
        any = out.any;
        anyKind = f.kind;
      }
      if (served === undefined && out.served !== undefined) {
        served = out.served;
        servedKind = f.kind;
      }
      if (any !== undefined && served !== undefined) break;
    }
  }
  if (!https && any !== undefined && any.tls?.insecure === "Redirect")
    return { outcome: "redirect", route: any, hostKind: anyKind };
  return served === undefined ? NONE : { outcome: "route", route: served, hostKind: servedKind };
}

const NO_HEADERS: ReadonlySet<string> = new Set();

/**
 * The header names the gateway owns for a request host: those of every route that can serve it, exact, wildcard
 * and catch-all (they serve the host too). @param host normalised with `normalizeHost`.
 */
export function ownedHeadersFor(lookup: RouteLookup, host: string): ReadonlySet<string> {
  let owned = lookup.exact(host)?.ownedHeaders ?? NO_HEADERS;
  const f = fallback(host);
  for (let index = nextFallback(lookup, f); index !== undefined; index = nextFallback(lookup, f)) {
    const more = index.ownedHeaders;
    if (more.size > 0) owned = owned.size === 0 ? more : new Set([...owned, ...more]);
  }
  return owned;
}

/** Shortcut for the route serving a request, when redirects and the reason do not matter (benchmarks, tests). */
export function matchRoute(
  lookup: RouteLookup,
  host: string,
  path: string,
  https: boolean,
  facts: RequestFacts = PLAIN_GET,
): CompiledRoute | undefined {
  const resolution = resolveRoute(lookup, host, path, https, facts);
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
 * Resolve like {@link resolveRoute} and say why, for every route of the request's exact host, its wildcard
 * suffixes and the catch-all.
 * The "why" of a route that is not chosen is computed by matching a one-route index, i.e. by the same code.
 */
export function explainRoute(
  lookup: RouteLookup,
  host: string,
  path: string,
  https: boolean,
  facts: RequestFacts = PLAIN_GET,
): Explanation {
  const resolution = resolveRoute(lookup, host, path, https, facts);
  const chosen = resolution.outcome === "none" ? undefined : resolution.route;
  const considered: Considered[] = [];
  const groups: [HostIndex | undefined, string][] = [[lookup.exact(host), `host ${host}`]];
  const f = fallback(host);
  for (let index = nextFallback(lookup, f); index !== undefined; index = nextFallback(lookup, f))
    groups.push([index, f.label]);
  for (const [index, hostWhy] of groups) {
    for (const route of index?.routes ?? []) {
      considered.push({
        route,
        chosen: route === chosen,
        why: whyRoute(route, path, https, facts, hostWhy, chosen),
      });
    }
  }
  return { resolution, considered };
}

function whyRoute(
  route: CompiledRoute,
  path: string,
  https: boolean,
  facts: RequestFacts,
  hostWhy: string,
  winner: CompiledRoute | undefined,
): string {
  const chosen = route === winner;
  const shown = route.path === "" ? "(no path)" : route.path;
  const alone: Walk = { any: undefined, served: undefined };
  const matched = matchingPath(path);
  new HostIndex([route]).walk(matched, https, alone, facts);
  if (alone.any === undefined) {
    const pathOnly: Walk = { any: undefined, served: undefined };
    new HostIndex([{ ...route, gateway: undefined }]).walk(matched, https, pathOnly);
    if (pathOnly.any !== undefined && route.gateway !== undefined) {
      return `${hostWhy}; path ${shown} matches, but the request does not meet ${describeConditions(route)}`;
    }
    return `${hostWhy}; ${route.match} path ${shown} does not cover ${path}`;
  }
  const scheme = https ? "HTTPS" : "HTTP";
  if (chosen) {
    const conditions = isConditional(route) ? ` with ${describeConditions(route)}` : "";
    return `${hostWhy}; ${route.match} path ${shown}${conditions} is the most specific match served over ${scheme}`;
  }
  if (https && !servedOver(route, https))
    return `${hostWhy}; path matches, but a plain-HTTP route is not served over HTTPS`;
  if (!https && !servedOver(route, https)) {
    return `${hostWhy}; path matches, but insecureEdgeTerminationPolicy ${route.tls?.insecure ?? "None"} does not serve plain HTTP`;
  }
  return `${hostWhy}; path ${shown} matches, but ${winner === undefined ? "a more specific route wins" : decidingStep(route, winner)}`;
}

/**
 * The precedence step that put `winner` before `route` (both match the request): the Gateway API order
 * (https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule) — exact path, longest path, method, most
 * headers, most query parameters, then the oldest object and rule order — which is also the router's for paths.
 */
function decidingStep(route: CompiledRoute, winner: CompiledRoute): string {
  const by = `${winner.id} wins`;
  if (winner.host !== route.host) return `${by}: a more specific host (${winner.host}) comes before ${route.host}`;
  if (winner.match === "exact" && route.match !== "exact") return `${by}: an Exact path comes before a prefix`;
  if (winner.path.length !== route.path.length) return `${by}: its path ${winner.path} is longer`;
  const cmp = compareConditions(winner, route);
  if (cmp < 0) {
    const w = winner.gateway;
    const r = route.gateway;
    if (w?.method !== undefined && r?.method === undefined) return `${by}: a method match comes first`;
    if ((w?.headers?.length ?? 0) !== (r?.headers?.length ?? 0))
      return `${by}: more header matches (${w?.headers?.length ?? 0} vs ${r?.headers?.length ?? 0})`;
    return `${by}: more query parameter matches (${w?.query?.length ?? 0} vs ${r?.query?.length ?? 0})`;
  }
  if (isConditional(winner) && !isConditional(route)) return `${by}: a match with conditions comes first`;
  return winner.id.split("#")[0] === route.id.split("#")[0]
    ? `${by}: it comes first in the object (rule and match order)`
    : `${by}: it is older (creationTimestamp, then namespace/name)`;
}

/** `method POST, header x-canary=always, query v=2`: an HTTPRoute match's conditions as `explain` prints them. */
export function describeConditions(route: CompiledRoute): string {
  const g = route.gateway;
  const parts: string[] = [];
  if (g?.method !== undefined) parts.push(`method ${g.method}`);
  for (const h of g?.headers ?? []) parts.push(`header ${h.name}=${h.value}`);
  for (const q of g?.query ?? []) parts.push(`query ${q.name}=${q.value}`);
  return parts.join(", ");
}

/**
 * A {@link RouteLookup} over the shards added to it. Each host key maps to its shard until first use, then to its
 * built HostIndex: a lookup is one Map probe, hit or miss, and misses are never cached (a client can invent any
 * number of hosts). Routes are restored from the shard only when their host is first used.
 */
export class ShardLookup implements RouteLookup {
  private readonly exactKeys = new Map<string, HostIndex | ShardReader>();
  private readonly wildKeys = new Map<string, HostIndex | ShardReader>();
  /** Suffix → its HTTPRoute wildcards, built on first use for suffixes that exist (misses are not cached). */
  private readonly deepKeys = new Map<string, HostIndex | undefined>();
  shortestWildcard = Number.POSITIVE_INFINITY;
  private hasCatchAll = false;

  add(reader: ShardReader): void {
    for (const key of reader.hostKeys) {
      this.exactKeys.set(key, reader);
      if (key === CATCH_ALL_HOST) this.hasCatchAll = true;
    }
    for (const key of reader.wildcardKeys) {
      this.wildKeys.set(key, reader);
      this.shortestWildcard = Math.min(this.shortestWildcard, key.length);
    }
  }

  catchAll(): HostIndex | undefined {
    return this.hasCatchAll ? this.exact(CATCH_ALL_HOST) : undefined;
  }

  exact(host: string): HostIndex | undefined {
    return indexOf(this.exactKeys, "hosts", host);
  }

  wildcard(suffix: string): HostIndex | undefined {
    return indexOf(this.wildKeys, "wildcards", suffix);
  }

  deepWildcard(suffix: string): HostIndex | undefined {
    // The suffix's own probe first: most suffixes asked for are no wildcard key at all.
    const all = this.wildcard(suffix);
    if (all === undefined) return undefined;
    if (this.deepKeys.has(suffix)) return this.deepKeys.get(suffix);
    const gateway = all.routes.filter((route) => route.kind === "HTTPRoute");
    const deep = gateway.length === all.routes.length ? all : gateway.length === 0 ? undefined : new HostIndex(gateway);
    this.deepKeys.set(suffix, deep);
    return deep;
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
