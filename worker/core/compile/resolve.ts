/**
 * @module Stage 3, resolve services (each route's Services are looked up in its own namespace and cluster). The one
 * rule for where a route's traffic goes:
 * - every backend's Service (same namespace) has an address of its own (LoadBalancer ingress addresses, or an
 *   ExternalName): the edge splits across them itself, each reached at the DNS names of its hostname annotation,
 *   else its load-balancer ingress addresses or external name, on the port the route names;
 * - any backend's Service has none (ClusterIP, headless, NodePort, a LoadBalancer still pending): the whole route is
 *   handed to the cluster router that serves it (./router.ts), which applies all the weights, the stickiness and
 *   the Service choice. The edge never sends a request for such a Service anywhere else.
 * Every address and name must be a permitted target (./endpoint-safety.ts), and for a remote table every resolved
 * endpoint, router endpoints included, must be reachable by a deployed Worker (../reach.ts, checked once per route
 * at the end, over whatever endpoints the route ends up with). A route with any unresolvable backend is dropped
 * with an error naming the route and the Service; a route no router admitted is reported and not served.
 */
import { isIpLiteral } from "../ip.ts";
import { unreachableReasons } from "../reach.ts";
import type { Backend, CompiledRoute, Endpoint } from "../table/types.ts";
import type { CompileOptions, EndpointName, Rejection } from "./types.ts";
import { backendId } from "../table/defaults.ts";
import { clusterKey } from "./clusters.ts";
import { endpointFor, endpointRefusal } from "./endpoint-safety.ts";
import type { BackendRef, CandidateRoute, ServiceInfo, ValidRoute } from "./model.ts";
import { createReport, type Report } from "./report.ts";
import { routerBackend } from "./router.ts";

export interface ResolveOutput {
  candidates: CandidateRoute[];
  /** Routes handed to a cluster router that no router admitted. */
  notAdmitted: Rejection[];
}

/**
 * Per run: each address is classified once, and routes using the same Service, port and scheme share one
 * endpoint list (treat it as read-only), however many routes there are.
 */
export interface ResolveCache {
  refusals: Map<string, string | null>;
  endpoints: Map<string, Endpoint[]>;
}

export function newResolveCache(): ResolveCache {
  return { refusals: new Map(), endpoints: new Map() };
}

export function resolveServices(
  routes: readonly ValidRoute[],
  services: ReadonlyMap<string, ServiceInfo>,
  options: CompileOptions,
  report: Report,
): ResolveOutput {
  const out: CandidateRoute[] = [];
  const notAdmitted: Rejection[] = [];
  const cache = newResolveCache();
  const refusalOf = (address: string): string | null => refusalFor(address, options, cache);
  for (const valid of routes) {
    const errorsBefore = report.errorCount();
    const found = valid.backendRefs.map((ref) => findService(valid, ref, services, report));
    if (report.errorCount() > errorsBefore) continue;
    const missing = valid.backendRefs.filter((_, i) => found[i] === undefined);
    let route: CandidateRoute["route"];
    if (missing.length > 0 || found.some((service) => service !== undefined && service.addresses.length === 0)) {
      // A Service missing from the input (an export of routes only, `oc get routes -A -o yaml`) is no obstacle
      // for a route its router admitted: the router resolves the Service itself, as it does for ClusterIP ones.
      // With a Service missing, what the router lookup reports only matters if a router takes the route;
      // otherwise the missing Service is the one problem to name.
      const lookup = missing.length > 0 ? createReport() : report;
      const outcome = routerBackend(valid, options, refusalOf, lookup);
      if (lookup !== report) {
        if (outcome.kind === "not-admitted") {
          for (const ref of missing) reportMissing(valid, ref, report);
          continue;
        }
        for (const d of lookup.diagnostics) report.add(valid.subject, d.severity, d.code, d.field, d.message);
      }
      if (outcome.kind === "error") continue;
      for (const ref of missing)
        report.notice(
          valid.subject,
          "ServiceNotFound",
          `${ref.field}.name`,
          `Service ${valid.namespace}/${ref.service} is not in the input; the route is handed whole to its cluster router, which resolves the Service itself`,
        );
      if (outcome.kind === "not-admitted") {
        const { route: r, subject } = valid;
        notAdmitted.push({
          object: subject.object,
          host: r.host,
          path: r.path,
          reason: "RouteNotAdmitted",
          message: outcome.message,
        });
        report.warning(
          subject,
          "RouteNotAdmitted",
          outcome.field,
          `not admitted: ${outcome.message}; the route is not served, other routes are`,
        );
        continue;
      }
      // The router sets and reads its own cookie for the Route (it passes through the edge untouched).
      route = { ...valid.route, cookie: null, backends: [outcome.backend] };
    } else {
      const backends: Backend[] = [];
      valid.backendRefs.forEach((ref, i) => {
        const service = found[i];
        const backend = service && resolveBackend(valid, ref, service, options, cache, report);
        if (backend !== undefined) backends.push(backend);
      });
      if (report.errorCount() > errorsBefore) continue;
      route = { ...valid.route, backends };
    }
    if (options.target === "remote") {
      checkReachable(valid, route.backends, options, report);
      if (report.errorCount() > errorsBefore) continue;
    }
    const { backendRefs: _refs, termination: _termination, route: _valid, ...rest } = valid;
    const cluster = valid.subject.source.cluster;
    // Endpoints carry the cluster they are in (router endpoints too), for failover and the CLI's views.
    const tagged =
      cluster === undefined
        ? route
        : {
            ...route,
            backends: route.backends.map((b) => ({
              ...b,
              endpoints: b.endpoints.map((e) => (e.cluster === undefined ? { ...e, cluster } : e)),
            })),
          };
    out.push({ ...rest, route: tagged });
  }
  return { candidates: out, notAdmitted };
}

/**
 * The backend's Service (undefined when it is not in the input: the caller decides whether its router can do
 * without it), or an error when it is there but unusable.
 */
function findService(
  valid: ValidRoute,
  ref: BackendRef,
  services: ReadonlyMap<string, ServiceInfo>,
  report: Report,
): ServiceInfo | undefined {
  const s = valid.subject;
  const key = `${valid.namespace}/${ref.service}`;
  const service = services.get(clusterKey(s.source.cluster, key));
  if (service?.unusable !== undefined)
    report.error(
      s,
      "ServiceHasNoAddress",
      `${ref.field}.name`,
      `${s.object} refers to Service ${key}, which ${service.unusable}`,
    );
  return service;
}

/** A Service neither the input nor a cluster router can resolve: the edge must know where it is. */
function reportMissing(valid: ValidRoute, ref: BackendRef, report: Report): void {
  const s = valid.subject;
  const key = `${valid.namespace}/${ref.service}`;
  const cluster = s.source.cluster;
  report.error(
    s,
    "ServiceNotFound",
    `${ref.field}.name`,
    `${s.object} refers to Service ${key}, which is not in the ${cluster === undefined ? "input" : `input of cluster ${cluster}`}; add its manifest (oc get service ${ref.service} -n ${valid.namespace} -o yaml), a Service in the route's namespace${cluster === undefined ? "" : " and cluster"}, or export the route with its status (the router that admitted it)`,
  );
}

/** A backend the edge reaches itself: its Service's own addresses on the port the route names. */
function resolveBackend(
  valid: ValidRoute,
  ref: BackendRef,
  service: ServiceInfo,
  options: CompileOptions,
  cache: ResolveCache,
  report: Report,
): Backend | undefined {
  const s = valid.subject;
  const key = service.key;
  const scheme = valid.termination === "reencrypt" ? "https" : "http";
  const found = serviceEndpoints(service, s.source.cluster, ref, scheme, options, cache);
  if ("problem" in found) {
    const field =
      found.problem === "ServicePortNotFound"
        ? ref.portSource === "route"
          ? "spec.port.targetPort"
          : `${ref.field}.port`
        : `${ref.field}.name`;
    for (const detail of found.details)
      report.error(s, found.problem, field, `${s.object} refers to Service ${key}${detail}`);
    return undefined;
  }
  return { service: key, weight: ref.weight, id: backendId(key), endpoints: found.endpoints };
}

/**
 * Why a Service cannot be used: the code, and the rest of one sentence per problem that starts with "… refers to
 * Service ns/name" (one per refused address).
 */
export interface ServiceProblem {
  problem: "ServiceNotFound" | "ServiceHasNoAddress" | "ServicePortNotFound" | "ForbiddenEndpoint";
  details: string[];
}

/**
 * The Service `key` (`namespace/name`) of `cluster` (a Service is found only by objects of its own cluster), with
 * an address of its own, or why not. For HTTPRoute backendRefs, where such a problem makes the rule answer 500.
 */
export function addressedService(
  key: string,
  cluster: string | undefined,
  services: ReadonlyMap<string, ServiceInfo>,
): ServiceInfo | ServiceProblem {
  const service = services.get(clusterKey(cluster, key));
  if (service === undefined) {
    const [namespace, name] = key.split("/");
    return {
      problem: "ServiceNotFound",
      details: [
        `, which is not in the ${cluster === undefined ? "input" : `input of cluster ${cluster}`}; add its manifest (oc get service ${name} -n ${namespace} -o yaml), a Service in the route's namespace${cluster === undefined ? "" : " and cluster"}`,
      ],
    };
  }
  if (service.unusable !== undefined)
    return { problem: "ServiceHasNoAddress", details: [`, which ${service.unusable}`] };
  if (service.addresses.length === 0) {
    return {
      problem: "ServiceHasNoAddress",
      details: [
        `, which has no load-balancer address yet (status.loadBalancer.ingress is empty); wait until one is assigned and export the Service again`,
      ],
    };
  }
  return service;
}

/**
 * The endpoints of `service` (of `cluster`; endpoints are tagged with it) on the port `ref` names, or why there
 * are none. Shared by Routes and Ingresses (an error) and HTTPRoute backendRefs (./gateway.ts).
 */
export function serviceEndpoints(
  service: ServiceInfo,
  cluster: string | undefined,
  ref: Pick<BackendRef, "port" | "portSource">,
  scheme: "http" | "https",
  options: CompileOptions,
  cache: ResolveCache,
): { endpoints: Endpoint[] } | ServiceProblem {
  const port = findPort(service, ref);
  if (typeof port === "string") return { problem: "ServicePortNotFound", details: [`: ${port}`] };
  const refusals: string[] = [];
  for (const address of [...service.addresses, ...(service.names?.values ?? [])]) {
    const refusal = refusalFor(address, options, cache);
    if (refusal !== null) refusals.push(`, whose address ${address} ${refusal}`);
  }
  if (refusals.length > 0) return { problem: "ForbiddenEndpoint", details: refusals };
  const endpointsKey = `${clusterKey(cluster, service.key)}\n${port}\n${scheme}`;
  let endpoints = cache.endpoints.get(endpointsKey);
  if (endpoints === undefined) {
    const hosts = service.names?.values ?? service.addresses;
    endpoints = hosts.map((host): Endpoint => {
      const endpoint = endpointFor(host, scheme, port, options);
      return cluster === undefined ? endpoint : { ...endpoint, cluster };
    });
    cache.endpoints.set(endpointsKey, endpoints);
  }
  return { endpoints };
}

/** `endpointRefusal`, once per address and run. */
function refusalFor(address: string, options: CompileOptions, cache: ResolveCache): string | null {
  let refusal = cache.refusals.get(address);
  if (refusal === undefined) cache.refusals.set(address, (refusal = endpointRefusal(address, options)));
  return refusal;
}

/**
 * The route's endpoints as a deployed Worker will fetch them: every one must be reachable (../reach.ts). Runs on
 * the resolved backends, so it holds for endpoints of any origin. Backends are in the order of `backendRefs`.
 */
function checkReachable(
  valid: ValidRoute,
  backends: readonly Backend[],
  options: CompileOptions,
  report: Report,
): void {
  const s = valid.subject;
  backends.forEach((backend, i) => {
    // A router backend stands for the whole route: its endpoints come from the object's status (or the option).
    const router = backend.router;
    const field =
      router === undefined
        ? `${valid.backendRefs[i]?.field ?? "spec.to"}.name`
        : router.from === "option"
          ? ""
          : valid.routerStatus.kind === "route"
            ? "status.ingress"
            : "status.loadBalancer.ingress";
    const what =
      router === undefined ? `refers to Service ${backend.service}` : `is served by cluster router ${router.name}`;
    for (const endpoint of backend.endpoints) {
      const reasons = unreachableReasons(endpoint, valid.route.host, options.zones ?? []);
      if (reasons.length === 0) continue;
      report.error(
        s,
        "UnreachableEndpoint",
        field,
        `${s.object} ${what}, whose endpoint ${endpoint.scheme}://${endpoint.host}:${endpoint.port} a deployed Worker cannot reach: ${reasons.join("; ")}`,
      );
    }
  });
}

/**
 * The DNS names the admitted routes' endpoints use, with the Service each belongs to and, for a hostname
 * annotation, the values its record must have (what ExternalDNS would publish). Sorted by name, then Service.
 */
export function endpointNames(
  admitted: readonly CompiledRoute[],
  services: ReadonlyMap<string, ServiceInfo>,
): EndpointName[] {
  const found = new Map<string, EndpointName>();
  // The routes of one Service port share one endpoint list (resolveServices' cache): each list is looked at once
  // per Service, and each host is parsed once, not once per route.
  const seenLists = new Map<string, Set<readonly Endpoint[]>>();
  const isIp = new Map<string, boolean>();
  for (const route of admitted) {
    for (const backend of route.backends) {
      let lists = seenLists.get(backend.service);
      if (lists === undefined) seenLists.set(backend.service, (lists = new Set()));
      if (lists.has(backend.endpoints)) continue;
      lists.add(backend.endpoints);
      for (const { host } of backend.endpoints) {
        let ip = isIp.get(host);
        if (ip === undefined) isIp.set(host, (ip = isIpLiteral(host)));
        const key = `${host}\n${backend.service}`;
        if (ip || found.has(key)) continue;
        found.set(key, nameOf(host, backend.service, services.get(backend.service)));
      }
    }
  }
  return [...found.values()].sort((a, b) =>
    a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.service < b.service ? -1 : a.service > b.service ? 1 : 0,
  );
}

function nameOf(name: string, service: string, info: ServiceInfo | undefined): EndpointName {
  if (info?.names?.values.includes(name))
    return { name, service, field: info.names.field, targets: info.names.targets ?? info.addresses };
  const field =
    info?.type === "ExternalName"
      ? "spec.externalName"
      : info?.type === "LoadBalancer"
        ? "status.loadBalancer.ingress[].hostname"
        : "";
  return { name, service, field, targets: [] };
}

/**
 * The Service port a backend uses, or why there is none. No reference: the Service's first port (the router would
 * use every endpoint port; an edge needs one). A Route `targetPort` names the pod port: by name the Service port of
 * that name, by number the Service port whose targetPort is that number, else whose port is. An Ingress names the
 * Service port itself (name or port). An ExternalName Service without ports uses a numeric reference as is.
 */
function findPort(service: ServiceInfo, ref: Pick<BackendRef, "port" | "portSource">): number | string {
  const ports = service.ports;
  // Only for the message: a port is found for almost every route, so the list is not written each time.
  const available = (): string =>
    ports.length === 0
      ? "it has no TCP ports"
      : `its ports are ${ports.map((p) => (p.name === undefined ? `${p.port}` : `${p.name} (${p.port})`)).join(", ")}`;
  const wanted = ref.port;
  if (wanted === undefined) {
    const first = ports[0];
    return first !== undefined
      ? first.port
      : `no port is named by the route and ${available()}; add spec.ports to the Service or name a port number`;
  }
  if ("name" in wanted) {
    const found = ports.find((p) => p.name === wanted.name);
    return found !== undefined ? found.port : `no port named ${JSON.stringify(wanted.name)}: ${available()}`;
  }
  const found =
    ref.portSource === "route"
      ? (ports.find((p) => p.targetPort === wanted.number) ?? ports.find((p) => p.port === wanted.number))
      : ports.find((p) => p.port === wanted.number);
  if (found !== undefined) return found.port;
  if (ports.length === 0 && service.type === "ExternalName") return wanted.number;
  return `no port ${wanted.number}: ${available()}`;
}
