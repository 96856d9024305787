/**
 * @module A small local stand-in for a cluster's router (the OpenShift IngressController's HAProxy), for `npm start`
 * and the end-to-end tests. The gateway hands routes whose Services are ClusterIP to the router
 * (worker/core/compile/router.ts); in a cluster that is the router behind `routerCanonicalHostname`, here it is
 * this process, named with `routes push --resolve NAME=127.0.0.1:PORT`.
 *
 * Like the router it picks the route by host (the forwarded host first: the local gateway fetches the endpoint
 * address directly and sends the route host in X-Forwarded-Host) and longest path on a segment boundary, splits
 * across `spec.to`/`spec.alternateBackends` by weight, and pins a client with its own cookie
 * (`router.openshift.io/cookie_name`, else a hash of the route), which it reads back on the next request. Ingress
 * rules are served the way OpenShift turns them into Routes (one per host and path; `Exact` matches exactly).
 * Services are mapped to local backends by `namespace/name`. It speaks plain HTTP only and does not look at the
 * scheme: the edge already applied the route's TLS policy. Unknown host or path: the router's 503.
 * Router behaviour: https://docs.openshift.com/container-platform/4.16/networking/routes/route-configuration.html
 */
import { type IncomingMessage, request, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fnv1aHex, HEALTH_CHECK_USER_AGENT } from "../../worker/core/index.ts";
import { readSources } from "../lib/read-sources.ts";

/** One route as the stand-in serves it. */
export interface StandInRoute {
  /** `namespace/name` (with `#rule.path` for an Ingress). */
  id: string;
  host: string;
  path: string;
  exact: boolean;
  cookie: string;
  backends: { service: string; weight: number }[];
}

export interface RouterStandIn {
  name: string;
  port: number;
  url: string;
  routes: StandInRoute[];
  /** Route id and Service of every client request it forwarded, in order (the edge's health probes are not listed). */
  forwarded: { route: string; service: string; host: string }[];
  close(): Promise<void>;
}

export interface RouterStandInOptions {
  /** The router's name, sent back in `X-Router` so a client can tell which router answered. */
  name: string;
  /** Manifest files or directories (Routes and Ingresses; everything else is ignored). */
  manifests: string[];
  /** `namespace/service` → base URL of the local backend standing in for its pods. */
  services: Record<string, string>;
  port?: number;
  host?: string;
}

export async function startRouterStandIn(options: RouterStandInOptions): Promise<RouterStandIn> {
  const read = await readSources(options.manifests, process.cwd(), async () => "");
  const routes = read.objects.flatMap(({ object }) => routesOf(object));
  const forwarded: RouterStandIn["forwarded"] = [];
  const server: Server = createServer((req, res) => {
    serve(req, res, routes, options, forwarded);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name: options.name,
    port,
    url: `http://${host}:${port}`,
    routes,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Json = Record<string, unknown>;
const rec = (value: unknown): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === "string" ? value : "");

/** Routes of one manifest object (a `List` is unpacked by readSources). */
function routesOf(object: unknown): StandInRoute[] {
  const o = rec(object);
  const meta = rec(o.metadata);
  const namespace = str(meta.namespace) || "default";
  const id = `${namespace}/${str(meta.name)}`;
  const cookieName = str(rec(meta.annotations)["router.openshift.io/cookie_name"]) || `router_${fnv1aHex(id)}`;
  if (o.kind === "Route") {
    const spec = rec(o.spec);
    const refs = [rec(spec.to), ...arr(spec.alternateBackends).map(rec)];
    return [
      {
        id,
        host: str(spec.host).toLowerCase(),
        path: str(spec.path),
        exact: false,
        cookie: cookieName,
        backends: refs.map((ref) => ({
          service: `${namespace}/${str(ref.name)}`,
          weight: typeof ref.weight === "number" ? ref.weight : 100,
        })),
      },
    ];
  }
  if (o.kind === "Ingress") {
    return arr(rec(o.spec).rules).flatMap((rule, r) =>
      arr(rec(rec(rule).http).paths).map((entry, p) => {
        const path = rec(entry);
        const exact = path.pathType === "Exact";
        return {
          id: `${id}#${r}.${p}`,
          host: str(rec(rule).host).toLowerCase(),
          path: exact ? str(path.path) : str(path.path).replace(/\/+$/, ""),
          exact,
          cookie: cookieName,
          backends: [{ service: `${namespace}/${str(rec(rec(path.backend).service).name)}`, weight: 100 }],
        };
      }),
    );
  }
  return [];
}

/** Longest path first; a prefix matches on a segment boundary (`/api` serves `/api` and `/api/x`, not `/apix`). */
function findRoute(routes: readonly StandInRoute[], host: string, path: string): StandInRoute | undefined {
  let best: StandInRoute | undefined;
  for (const route of routes) {
    if (route.host !== host) continue;
    const p = route.path;
    const covers = route.exact
      ? path === p
      : p === "" || p === "/" || path === p || path.startsWith(p.endsWith("/") ? p : `${p}/`);
    if (covers && (best === undefined || p.length > best.path.length || (route.exact && p.length === best.path.length)))
      best = route;
  }
  return best;
}

function serve(
  req: IncomingMessage,
  res: ServerResponse,
  routes: readonly StandInRoute[],
  options: RouterStandInOptions,
  forwarded: RouterStandIn["forwarded"],
): void {
  const forwardedHost = str(req.headers["x-forwarded-host"]).split(",")[0]?.trim() ?? "";
  const host = (forwardedHost || str(req.headers.host)).toLowerCase().replace(/:\d+$/, "");
  const target = req.url ?? "/";
  const path = target.split("?")[0] ?? "/";
  const route = findRoute(routes, host, path);
  const unavailable = (): void => {
    res.writeHead(503, { "Content-Type": "text/html", "X-Router": options.name });
    res.end("<html><body><h1>Application is not available</h1></body></html>\n");
  };
  if (route === undefined) {
    unavailable();
    return;
  }
  const active = route.backends.filter((b) => b.weight > 0 && options.services[b.service] !== undefined);
  const pinned = readCookie(str(req.headers.cookie), route.cookie);
  let backend = active.find((b) => fnv1aHex(b.service) === pinned);
  const sticky = backend !== undefined;
  if (backend === undefined) {
    let draw = Math.random() * active.reduce((sum, b) => sum + b.weight, 0);
    backend = active.find((b) => (draw -= b.weight) < 0) ?? active[active.length - 1];
  }
  if (backend === undefined) {
    unavailable();
    return;
  }
  const base = new URL(options.services[backend.service] as string);
  // The edge's health checks reach the router too (docs/health.md); only client requests are listed.
  if (req.headers["user-agent"] !== HEALTH_CHECK_USER_AGENT)
    forwarded.push({ route: route.id, service: backend.service, host });
  const upstream = request(
    { host: base.hostname, port: base.port, method: req.method, path: target, headers: req.headers },
    (answer) => {
      const headers: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(answer.headers)) if (value !== undefined) headers[key] = value;
      headers["x-router"] = options.name;
      if (!sticky) {
        const cookie = `${route.cookie}=${fnv1aHex(backend.service)}; path=/; HttpOnly`;
        const existing = headers["set-cookie"];
        headers["set-cookie"] = existing === undefined ? [cookie] : [...arr(existing).map(str), cookie];
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) res.writeHead(503, { "Content-Type": "text/plain", "X-Router": options.name });
    res.end("the router could not reach the application\n");
  });
  req.pipe(upstream);
}

function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
