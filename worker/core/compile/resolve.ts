/**
 * @module Stage 3, resolve services: each backend's Service (same namespace) becomes its endpoint addresses —
 * load-balancer ingress addresses or the external name — on the port the route names. Every address must be a
 * permitted target (./endpoint-safety.ts). A route with any unresolvable backend is dropped with an error naming
 * the route and the Service.
 */
import type { Backend, CompileOptions, Endpoint } from "../types.ts";
import { backendId } from "../table/defaults.ts";
import { endpointRefusal } from "./endpoint-safety.ts";
import type { BackendRef, CandidateRoute, ServiceInfo, ValidRoute } from "./model.ts";
import type { Report } from "./report.ts";

/**
 * Per run: each address is classified once, and routes using the same Service, port and scheme share one
 * endpoint list (treat it as read-only), however many routes there are.
 */
interface ResolveCache {
  refusals: Map<string, string | null>;
  endpoints: Map<string, Endpoint[]>;
}

export function resolveServices(
  routes: readonly ValidRoute[],
  services: ReadonlyMap<string, ServiceInfo>,
  options: CompileOptions,
  report: Report,
): CandidateRoute[] {
  const out: CandidateRoute[] = [];
  const cache: ResolveCache = { refusals: new Map(), endpoints: new Map() };
  for (const valid of routes) {
    const errorsBefore = report.errorCount();
    const backends: Backend[] = [];
    for (const ref of valid.backendRefs) {
      const backend = resolveBackend(valid, ref, services, options, cache, report);
      if (backend !== undefined) backends.push(backend);
    }
    if (report.errorCount() > errorsBefore) continue;
    out.push({
      subject: valid.subject,
      namespace: valid.namespace,
      name: valid.name,
      created: valid.created,
      wildcard: valid.wildcard,
      hostField: valid.hostField,
      route: { ...valid.route, backends },
    });
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
  const nameField = `${ref.field}.name`;
  const service = services.get(key);
  if (service === undefined) {
    report.error(
      s,
      "ServiceNotFound",
      nameField,
      `${s.object} refers to Service ${key}, which is not in the input; add its manifest (oc get service ${ref.service} -n ${valid.namespace} -o yaml), a Service in the route's namespace`,
    );
    return undefined;
  }
  if (service.unusable !== undefined) {
    report.error(
      s,
      "ServiceHasNoAddress",
      nameField,
      `${s.object} refers to Service ${key}, which ${service.unusable}`,
    );
    return undefined;
  }
  if (service.addresses.length === 0) {
    report.error(
      s,
      "ServiceHasNoAddress",
      nameField,
      `${s.object} refers to Service ${key}, which has no load-balancer address yet (status.loadBalancer.ingress is empty); wait until one is assigned and export the Service again`,
    );
    return undefined;
  }
  const port = findPort(service, ref);
  if (typeof port === "string") {
    report.error(
      s,
      "ServicePortNotFound",
      ref.portSource === "route" ? "spec.port.targetPort" : `${ref.field}.port`,
      `${s.object} refers to Service ${key}: ${port}`,
    );
    return undefined;
  }
  const scheme = valid.termination === "reencrypt" ? "https" : "http";
  let ok = true;
  for (const address of service.addresses) {
    let refusal = cache.refusals.get(address);
    if (refusal === undefined) cache.refusals.set(address, (refusal = endpointRefusal(address, options)));
    if (refusal !== null) {
      ok = false;
      report.error(
        s,
        "ForbiddenEndpoint",
        nameField,
        `${s.object} refers to Service ${key}, whose address ${address} ${refusal}`,
      );
    }
  }
  if (!ok) return undefined;
  const endpointsKey = `${key}\n${port}\n${scheme}`;
  let endpoints = cache.endpoints.get(endpointsKey);
  if (endpoints === undefined)
    cache.endpoints.set(endpointsKey, (endpoints = service.addresses.map((host) => ({ scheme, host, port }))));
  return { service: key, weight: ref.weight, id: backendId(key), endpoints };
}

/**
 * The Service port a backend uses, or why there is none. No reference: the Service's first port (the router would
 * use every endpoint port; an edge needs one). A Route `targetPort` names the pod port: by name the Service port of
 * that name, by number the Service port whose targetPort is that number, else whose port is. An Ingress names the
 * Service port itself (name or port). An ExternalName Service without ports uses a numeric reference as is.
 */
function findPort(service: ServiceInfo, ref: BackendRef): number | string {
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
