/**
 * @module The routers compared in the lookup benchmark, behind one interface: build from a {@link RouteSet}, then
 * answer (host, path) → route id.
 *
 * The gateway's matcher gets the table exactly as the Worker does: compiled and serialised by the CLI's own code,
 * JSON-parsed shards, `tableLookup` + `matchRoute`. The third-party routers match paths only, so the host is folded
 * into the path (`/<host><path>`, as hono's docs suggest for host routing) and a wildcard route is registered
 * under `/~.<suffix>` (`~` cannot occur in a normalised host). Their adapter probes the exact host first and the
 * wildcard suffix second, which is the router's precedence (exact-host map lines sort before wildcard lines) and
 * costs them one extra lookup only when the exact host does not match. Prefix semantics are registered as the
 * route path itself plus `<path>/*` (`<path>*` for a trailing-slash path), so "longest prefix wins" is each
 * router's own "most specific route wins". hono's routers return every matching handler (middleware
 * semantics), so their adapter keeps the longest route path among them.
 */
import { createRequire } from "node:module";
import { installedVersion } from "./machine.ts";
import { TrieRouter } from "hono/router/trie-router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { Memoirist } from "memoirist";
import type { BenchRoute, RouteSet } from "./routeset.ts";

/** Looks up one request; returns the id of the route that serves it, or `undefined`. */
export type Lookup = (host: string, path: string) => string | undefined;

/** A router ready to answer, with where its build time went. */
export interface BuiltRouter {
  lookup: Lookup;
  /** Milliseconds per build phase (e.g. `parse`, `index`); `total` always present. */
  buildMs: Record<string, number>;
}

export interface RouterAdapter {
  name: string;
  /** Package and version, for the report. */
  label: string;
  /**
   * Prepares what exists before the router is built (measured heap excludes it): for the gateway, the
   * serialised table as KV would hold it; for the others, the registration list.
   */
  prepare(set: RouteSet): Promise<Prepared>;
}

export interface Prepared {
  /**
   * Builds the router; every allocation from here on counts as the router's heap. A router that parses its
   * table before indexing it (the gateway) calls `parsed` in between, so the index's own heap can be told apart.
   */
  build(parsed: () => void): BuiltRouter;
  /** Bytes and phases measured while preparing (e.g. compile time), for the report. */
  info: Record<string, number>;
}

interface Registration {
  /** Folded path, e.g. `/shop.example.com/api/*`. */
  path: string;
  route: BenchRoute;
  /** Longer wins among several matches (hono). */
  rank: number;
}

/** `/<host><path>` registrations (route path itself and everything below it) for path-only routers. */
function registrations(routes: readonly BenchRoute[]): Registration[] {
  const out: Registration[] = [];
  for (const route of routes) {
    const host = route.wildcard ? `~${route.host.slice(1)}` : route.host;
    const path = route.path === "" || route.path === "/" ? "" : route.path;
    const rank = path.length;
    if (path.endsWith("/")) {
      // `P/` serves `P/…` only, never `P`.
      out.push({ path: `/${host}${path}*`, route, rank });
    } else {
      out.push({ path: `/${host}${path}`, route, rank });
      out.push({ path: `/${host}${path}/*`, route, rank });
    }
  }
  return out;
}

/** The exact-then-wildcard probe shared by the path-only adapters. */
function foldedLookup(find: (folded: string) => BenchRoute | undefined): Lookup {
  return (host, path) => {
    const exact = find(`/${host}${path}`);
    if (exact) return exact.id;
    const dot = host.indexOf(".");
    if (dot <= 0) return undefined;
    return find(`/~${host.slice(dot)}${path}`)?.id;
  };
}

function pathOnly(
  name: string,
  label: string,
  build: (regs: Registration[]) => (folded: string) => BenchRoute | undefined,
): RouterAdapter {
  return {
    name,
    label,
    async prepare(set) {
      const regs = registrations(set.routes);
      return {
        info: { registrations: regs.length },
        build() {
          const start = performance.now();
          const find = build(regs);
          return { lookup: foldedLookup(find), buildMs: { total: performance.now() - start } };
        },
      };
    },
  };
}

/** Keeps the longest-ranked of hono's matches (all handlers matching the path, in registration order). */
function honoFind(router: { match(method: string, path: string): [[Registration, unknown][], ...unknown[]] }) {
  return (folded: string): BenchRoute | undefined => {
    const matches = router.match("GET", folded)[0];
    let best: Registration | undefined;
    for (const [reg] of matches) if (!best || reg.rank > best.rank) best = reg;
    return best?.route;
  };
}

const require = createRequire(import.meta.url);

/** @medley/router ships CommonJS without types; this is the part of its API the benchmark uses. */
interface MedleyRouter {
  register(path: string): { route?: BenchRoute };
  find(url: string): { store: { route?: BenchRoute } } | null;
}

const honoVersion = installedVersion("hono");
const memoiristVersion = installedVersion("memoirist");
const medleyVersion = installedVersion("@medley/router");

export const THIRD_PARTY: RouterAdapter[] = [
  pathOnly("hono-trie", `hono ${honoVersion} TrieRouter`, (regs) => {
    const router = new TrieRouter<Registration>();
    for (const reg of regs) router.add("GET", reg.path, reg);
    return honoFind(router as never);
  }),
  pathOnly("hono-regexp", `hono ${honoVersion} RegExpRouter`, (regs) => {
    const router = new RegExpRouter<Registration>();
    for (const reg of regs) router.add("GET", reg.path, reg);
    const find = honoFind(router as never);
    find("/"); // RegExpRouter compiles its matcher on the first match: that is part of building it.
    return find;
  }),
  pathOnly("memoirist", `memoirist ${memoiristVersion}`, (regs) => {
    const router = new Memoirist<BenchRoute>();
    for (const reg of regs) router.add("GET", reg.path, reg.route);
    return (folded) => router.find("GET", folded)?.store;
  }),
  pathOnly("medley", `@medley/router ${medleyVersion}`, (regs) => {
    const Router = require("@medley/router") as new () => MedleyRouter;
    const router = new Router();
    for (const reg of regs) router.register(reg.path).route = reg.route;
    return (folded) => router.find(folded)?.store.route;
  }),
];
