/**
 * @module HAProxy configured the way the OpenShift router configures it, for the same generated routes: one
 * `map_reg` line per route in `os_http_be.map`, looked up with `use_backend %[base,map_reg(...)]`, one backend
 * per route (docs/design-notes.md#matching; openshift/router `haproxy-config.template`,
 * `pkg/router/template/util/util.go` GenerateRouteRegexp, `util/map_paths.go` SortMapPaths).
 *
 * The map order decides which route is "first" and which is "last" for every order-sensitivity measurement in
 * this benchmark (lookup and end to end), since `map_reg` scans its lines in order.
 */
import type { BenchRoute } from "./routeset.ts";

export interface MapLine {
  route: BenchRoute;
  /** `<regex> <backend name>` as written to the map file. */
  line: string;
  backend: string;
}

/** Go's regexp.QuoteMeta: backslash-escapes `\.+*?()|[]{}^$`. */
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** GenerateRouteRegexp: `^<host>\.?(:[0-9]+)?<path><subpath>$`; a wildcard host is `[^\.]*\.<domain>`. */
export function routeRegexp(route: BenchRoute): string {
  const host = route.wildcard ? `[^\\.]*${quoteMeta(route.host.slice(1))}` : quoteMeta(route.host);
  let path = route.path;
  let subpath = "(/.*)?";
  if (/^\/*$/.test(path)) path = "";
  else if (path.endsWith("/")) subpath = "(.*)?";
  return `^${host}\\.?(:[0-9]+)?${quoteMeta(path).replace(/ /g, "\\x20")}${subpath}$`;
}

/** HAProxy backend name the router gives a plain-HTTP route: `be_http:<namespace>:<name>`. */
export function backendName(route: BenchRoute): string {
  const [namespace, name] = route.id.split("/") as [string, string];
  return `be_http:${namespace}:${name}`;
}

/**
 * The lines of `os_http_be.map` in the router's order: reverse lexicographic over the whole line, wildcard
 * lines (starting `^[^\.]*\.`) moved after all others (SortMapPaths).
 */
export function httpMapLines(routes: readonly BenchRoute[]): MapLine[] {
  const lines = routes.map((route) => {
    const backend = backendName(route);
    return { route, backend, line: `${routeRegexp(route)} ${backend}` };
  });
  const reverse = (a: MapLine, b: MapLine): number => (a.line < b.line ? 1 : a.line > b.line ? -1 : 0);
  const wildcard = (l: MapLine): boolean => l.line.startsWith("^[^\\.]*\\.");
  return [...lines.filter((l) => !wildcard(l)).sort(reverse), ...lines.filter(wildcard).sort(reverse)];
}

/**
 * The first and the last route of the map among like keys: exact-host routes with the root path (requests
 * `/x<n>` on hosts of the same form), so that only the position in the list differs between them. Wildcard
 * lines always sort after every exact-host line (precedence, not order), and keys of different depths cost
 * any trie a different number of steps, so neither may enter the comparison. Falls back to all exact-host
 * routes when fewer than two have the root path.
 */
export function firstAndLast(routes: readonly BenchRoute[]): { first: BenchRoute; last: BenchRoute } {
  const exact = httpMapLines(routes).filter((l) => !l.route.wildcard);
  const roots = exact.filter((l) => l.route.path === "" || l.route.path === "/");
  const pool = roots.length >= 2 ? roots : exact;
  const first = pool[0]?.route;
  const last = pool[pool.length - 1]?.route;
  if (!first || !last) throw new Error("a route set without exact-host routes has no first and last route");
  return { first, last };
}

export interface HaproxyOptions {
  mapFile: string;
  /** Frontend with the route map. */
  port: number;
  /** Paired baseline frontend in the same process: same backend, no map (the addendum's noise control). */
  baselinePort: number;
  backend: { ip: string; port: number };
  /** `tune.pattern.cache-size`; HAProxy's default is 10,000, 0 turns the cache off. */
  patternCacheSize: number;
}

/**
 * haproxy.cfg: one thread (the process is pinned to one core), the router's frontend rules that matter for
 * routing (lowercase Host, `map_reg` on `base`, 503 default backend) and one backend per route with the
 * router's forwarded headers. `routes` weights: the generated canaries are ignored (every server is the same
 * local backend), so each route backend has one server.
 */
export function haproxyConfig(routes: readonly BenchRoute[], options: HaproxyOptions): string {
  const { backend } = options;
  const out = [
    "global",
    "  nbthread 1",
    "  maxconn 4096",
    `  tune.pattern.cache-size ${options.patternCacheSize}`,
    "defaults",
    "  mode http",
    "  option http-keep-alive",
    "  timeout connect 5s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  timeout http-keep-alive 30s",
    "frontend public",
    `  bind 127.0.0.1:${options.port}`,
    "  http-request del-header Proxy",
    "  http-request set-header Host %[req.hdr(Host),lower]",
    `  use_backend %[base,map_reg(${options.mapFile})]`,
    "  default_backend openshift_default",
    "frontend baseline",
    `  bind 127.0.0.1:${options.baselinePort}`,
    "  http-request del-header Proxy",
    "  http-request set-header Host %[req.hdr(Host),lower]",
    "  default_backend be_baseline",
    "backend openshift_default",
    "  mode http",
    "backend be_baseline",
    ...routeBackendBody(backend),
  ];
  for (const route of routes) out.push(`backend ${backendName(route)}`, ...routeBackendBody(backend));
  return `${out.join("\n")}\n`;
}

function routeBackendBody(backend: { ip: string; port: number }): string[] {
  return [
    "  mode http",
    "  option forwardfor",
    "  balance random",
    "  http-request set-header X-Forwarded-Host %[req.hdr(host)]",
    "  http-request set-header X-Forwarded-Port %[dst_port]",
    "  http-request set-header X-Forwarded-Proto http",
    "  http-request set-header Forwarded for=%[src];host=%[req.hdr(host)];proto=http",
    `  server pod:1 ${backend.ip}:${backend.port} weight 256`,
  ];
}

/** The map file's text. */
export function httpMapFile(routes: readonly BenchRoute[]): string {
  return `${httpMapLines(routes)
    .map((l) => l.line)
    .join("\n")}\n`;
}
