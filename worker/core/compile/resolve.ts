/**
 * @module Stage 3, resolve services: each backend's Service (same namespace, same cluster) becomes its endpoints —
 * the DNS names of its hostname annotation, else its load-balancer ingress addresses or external name — on the
 * port the route names. Every address and name must be a permitted target (./endpoint-safety.ts), and for a
 * remote table every resolved endpoint must be reachable by a deployed Worker (../reach.ts, checked once per route
 * at the end, over whatever endpoints the route ends up with). A route with any unresolvable backend is dropped
 * with an error naming the route and the Service.
 */
import { isIpLiteral } from "../ip.ts";
import { unreachableReasons } from "../reach.ts";
import type { Backend, CompiledRoute, CompileOptions, Endpoint, EndpointName } from "../types.ts";
import { backendId } from "../table/defaults.ts";
import { clusterKey } from "./clusters.ts";
import { endpointRefusal } from "./endpoint-safety.ts";
import type { BackendRef, CandidateRoute, ServiceInfo, ValidRoute } from "./model.ts";
import type { Report } from "./report.ts";

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
): CandidateRoute[] {
  const out: CandidateRoute[] = [];
  const cache = newResolveCache();
  for (const valid of routes) {
    const errorsBefore = report.errorCount();
    const backends: Backend[] = [];
    for (const ref of valid.backendRefs) {
      const backend = resolveBackend(valid, ref, services, options, cache, report);
      if (backend !== undefined) backends.push(backend);
    }
    if (report.errorCount() > errorsBefore) continue;
    if (options.target === "remote") {
      checkReachable(valid, backends, options, report);
      if (report.errorCount() > errorsBefore) continue;
    }
    const { backendRefs: _refs, termination: _termination, route, ...rest } = valid;
    out.push({ ...rest, route: { ...route, backends } });
  }
  return out;
}

function resolveBackend(
  valid: ValidRoute,
  ref: BackendRef,
  services: ReadonlyMap<string, ServiceInfo>,
  options: CompileOptions,
  cache: ResolveCache,
  report: Report,
): Backend | undefined {
  const s = valid.subject;
  const key = `${valid.namespace}/${ref.service}`;
  const cluster = s.source.cluster;
  const scheme = valid.termination === "reencrypt" ? "https" : "http";
  const found = serviceEndpoints(key, cluster, ref, scheme, services, options, cache);
  if ("problem" in found) {
    const field =
      found.problem === "ServicePortNotFound"
        ? ref.portSource === "route"
          ? "spec.port.targetPort"
          : `${ref.field}.port`
        : `${ref.field}.name`;
    report.error(s, found.problem, field, `${s.object} refers to Service ${key}${found.detail}`);
    return undefined;
  }
  return { service: key, weight: ref.weight, id: backendId(key), endpoints: found.endpoints };
}

/** Why a Service cannot be used: the code and the rest of a sentence that starts with "… refers to Service ns/name". */
export interface ServiceProblem {
  problem: "ServiceNotFound" | "ServiceHasNoAddress" | "ServicePortNotFound" | "ForbiddenEndpoint";
  detail: string;
}

/**
 * The endpoints of Service `key` (`namespace/name`) of `cluster` (a Service is found only by routes of its own
 * cluster; endpoints are tagged with it) on the port `ref` names, or why there are none. Shared by Routes and
 * Ingresses (an error) and HTTPRoute backendRefs (a rule answering 500).
 */
export function serviceEndpoints(
  key: string,
  cluster: string | undefined,
  ref: Pick<BackendRef, "port" | "portSource">,
  scheme: "http" | "https",
  services: ReadonlyMap<string, ServiceInfo>,
  options: CompileOptions,
  cache: ResolveCache,
): { endpoints: Endpoint[] } | ServiceProblem {
  const service = services.get(clusterKey(cluster, key));
  if (service === undefined) {
    const [namespace, name] = key.split("/");
    return {
      problem: "ServiceNotFound",
      detail: `, which is not in the ${cluster === undefined ? "input" : `input of cluster ${cluster}`}; add its manifest (oc get service ${name} -n ${namespace} -o yaml), a Service in the route's namespace${cluster === undefined ? "" : " and cluster"}`,
    };
  }
  if (service.unusable !== undefined) return { problem: "ServiceHasNoAddress", detail: `, which ${service.unusable}` };
  if (service.addresses.length === 0) {
    return {
      problem: "ServiceHasNoAddress",
      detail: `, which has no load-balancer address yet (status.loadBalancer.ingress is empty); wait until one is assigned and export the Service again`,
    };
  }
  const port = findPort(service, ref);
  if (typeof port === "string") return { problem: "ServicePortNotFound", detail: `: ${port}` };
  const refusals: string[] = [];
  for (const address of [...service.addresses, ...(service.names?.values ?? [])]) {
    let refusal = cache.refusals.get(address);
    if (refusal === undefined) cache.refusals.set(address, (refusal = endpointRefusal(address, options)));
    if (refusal !== null) refusals.push(`, whose address ${address} ${refusal}`);
  }
  if (refusals.length > 0) return { problem: "ForbiddenEndpoint", detail: refusals.join("; and") };
  const endpointsKey = `${clusterKey(cluster, key)}\n${port}\n${scheme}`;
  let endpoints = cache.endpoints.get(endpointsKey);
  if (endpoints === undefined) {
    const hosts = service.names?.values ?? service.addresses;
    endpoints = hosts.map(
      (host): Endpoint => (cluster === undefined ? { scheme, host, port } : { scheme, host, port, cluster }),
    );
    cache.endpoints.set(endpointsKey, endpoints);
  }
  return { endpoints };
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
    const field = `${valid.backendRefs[i]?.field ?? "spec.to"}.name`;
    for (const endpoint of backend.endpoints) {
      const reasons = unreachableReasons(endpoint, valid.route.host, options.zones ?? []);
      if (reasons.length === 0) continue;
      report.error(
        s,
        "UnreachableEndpoint",
        field,
        `${s.object} refers to Service ${backend.service}, whose endpoint ${endpoint.scheme}://${endpoint.host}:${endpoint.port} a deployed Worker cannot reach: ${reasons.join("; ")}`,
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
  for (const route of admitted) {
    for (const backend of route.backends) {
      for (const { host } of backend.endpoints) {
        const key = `${host}\n${backend.service}`;
        if (isIpLiteral(host) || found.has(key)) continue;
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
  const available =
    ports.length === 0
      ? "it has no TCP ports"
      : `its ports are ${ports.map((p) => (p.name === undefined ? `${p.port}` : `${p.name} (${p.port})`)).join(", ")}`;
  const wanted = ref.port;
  if (wanted === undefined) {
    const first = ports[0];
    return first !== undefined
      ? first.port
      : `no port is named by the route and ${available}; add spec.ports to the Service or name a port number`;
  }
  if ("name" in wanted) {
    const found = ports.find((p) => p.name === wanted.name);
    return found !== undefined ? found.port : `no port named ${JSON.stringify(wanted.name)}: ${available}`;
  }
  const found =
    ref.portSource === "route"
      ? (ports.find((p) => p.targetPort === wanted.number) ?? ports.find((p) => p.port === wanted.number))
      : ports.find((p) => p.port === wanted.number);
  if (found !== undefined) return found.port;
  if (ports.length === 0 && service.type === "ExternalName") return wanted.number;
  return `no port ${wanted.number}: ${available}`;
}
