/**
 * @module The intermediate values passed between compile stages (read → validate → resolve → merge → admit → build).
 * Each stage narrows the previous one's output; nothing here is published (the table types are in ../types.ts).
 */
import type { CompiledRoute, PathMatch, Termination } from "../table/types.ts";
import type { Subject } from "./report.ts";

/** A manifest value with the field path it was read from (for messages). */
export interface Field<T> {
  value: T;
  field: string;
}

/** How a backend names its Service port. */
export type PortRef = { name: string } | { number: number };

/**
 * Who wrote the port reference: a Route's `spec.port.targetPort` names the pod port (matched against the Service
 * port's `name`, or its `targetPort`, then `port`, for a number); an Ingress backend names the Service port itself.
 */
export type PortSource = "route" | "ingress";

/** One backend as written: `spec.to`, `spec.alternateBackends[i]` or an Ingress backend. Values not yet checked. */
export interface BackendDraft {
  /** Field path of the reference object (`spec.to`, `spec.alternateBackends[1]`, `spec.rules[0]…backend.service`). */
  field: string;
  kind: unknown;
  name: unknown;
  /** `undefined`: absent (defaults to 100). */
  weight: unknown;
  port: Field<unknown> | undefined;
  portSource: PortSource;
}

/** TLS settings as written (Route `spec.tls`, or derived from an Ingress's `spec.tls` / termination annotation). */
export interface TlsDraft {
  termination: Field<unknown>;
  insecure: Field<unknown> | undefined;
  /** Field paths of certificate material the edge does not use (`spec.tls.certificate`, …). */
  certificateFields: string[];
  /** Field path of a destination CA, when one is set. */
  destinationCa: string | undefined;
}

/** One route-to-be, read from a Route or one (host, path) of an Ingress; shapes checked, rules not yet. */
export interface RouteDraft {
  subject: Subject;
  kind: "Route" | "Ingress";
  /** `namespace/name`, with `#<rule>.<path>` or `#default` for Ingress routes. */
  id: string;
  namespace: string;
  name: string;
  /** `metadata.creationTimestamp`, `""` when absent (such objects count as newest). */
  created: string;
  /** `metadata.uid`, `""` when absent (admission's tie-breaker, admit.ts compareAge). */
  uid: string;
  host: Field<unknown> | undefined;
  /** Where the host is (or belongs, when absent): `spec.host`, `spec.rules[1].host`. */
  hostField: string;
  subdomain: Field<unknown> | undefined;
  /** Route `spec.wildcardPolicy`. Ingress wildcards are spelled in the host (`*.example.com`). */
  wildcardPolicy: Field<unknown> | undefined;
  path: Field<unknown>;
  match: PathMatch;
  tls: TlsDraft | undefined;
  backends: BackendDraft[];
  /** Field path of the list `backends[1..]` came from, for the "at most 3" rule (Route only). */
  alternateBackendsField: string | undefined;
  /** `spec.httpHeaders.actions` (Route only). */
  headerActions: Field<unknown> | undefined;
  annotations: Record<string, string>;
  /** What the cluster's router published about the object, when it was exported from a cluster. */
  routerStatus: RouterStatus;
}

/**
 * The router status of an exported object, as written (checked when a route needs its router):
 * - a Route's `status.ingress[]`, one entry per router (shard) that considered it;
 * - an Ingress's `status.loadBalancer.ingress[]`, the addresses of the ingress controller's load balancer.
 */
export type RouterStatus =
  | { kind: "route"; entries: RouteIngressStatus[] }
  | { kind: "ingress"; addresses: Field<unknown>[] };

/** One `status.ingress[i]` of a Route (openshift/api route/v1 `RouteIngress`). */
export interface RouteIngressStatus {
  /** `status.ingress[i]`. */
  field: string;
  host: unknown;
  routerName: unknown;
  routerCanonicalHostname: unknown;
  /** The `Admitted` condition: status `True`/`False`/`Unknown` as written, `undefined` when there is none. */
  admitted: { status: unknown; reason: unknown; message: unknown } | undefined;
}

/** A Service as read: its own addresses (if any) and ports. */
export interface ServiceInfo {
  subject: Subject;
  /** `namespace/name` */
  key: string;
  type: string;
  /**
   * Addresses of its own the edge can reach: load-balancer addresses (LoadBalancer) or the external name
   * (ExternalName), lowercased. Empty for ClusterIP, headless and NodePort Services (and a LoadBalancer still
   * waiting for an address): only the cluster's router reaches those.
   */
  addresses: string[];
  /**
   * DNS names of those addresses from a hostname annotation (`edgeroute.dev/hostname`, else ExternalDNS's
   * `external-dns.alpha.kubernetes.io/hostname`), with the annotation's field path. When present they are the
   * endpoints, so a deployed Worker fetches a name, never an address.
   */
  names?: {
    values: string[];
    field: string;
    /** ExternalDNS's `external-dns.alpha.kubernetes.io/target`: the records' values instead of the addresses. */
    targets?: string[];
  };
  ports: ServicePort[];
  /** Why no route may use it at all (an invalid hostname annotation, reported on the Service). */
  unusable?: string;
}

export interface ServicePort {
  name: string | undefined;
  port: number;
  targetPort: number | string | undefined;
}

/** A backend after validation, waiting for its Service. */
export interface BackendRef {
  field: string;
  /** Service name (same namespace as the route). */
  service: string;
  weight: number;
  port: PortRef | undefined;
  portSource: PortSource;
}

/** A validated route: every field compiled except the backends' endpoints. */
export interface ValidRoute {
  subject: Subject;
  namespace: string;
  name: string;
  created: string;
  /** `metadata.uid` of a Route or Ingress (HTTPRoutes order by namespace/name instead, as Gateway API says). */
  uid?: string;
  /** `wildcardPolicy: Subdomain` on a Route (needs `allowWildcards`), Ingress `*.` host, or none. */
  wildcard: "route" | "ingress" | null;
  /** Field the host came from (`spec.host`, `spec.subdomain`, `spec.rules[0].host`), for admission messages. */
  hostField: string;
  /** Field the path came from (`spec.path`, `spec.rules[0].http.paths[1].path`), for messages. */
  pathField: string;
  /**
   * `edgeroute.dev/cluster-order`: the route's clusters, most preferred first (active-passive); `null` when absent
   * (active-active).
   */
  clusterOrder: string[] | null;
  /** Clusters the route was read from: one per copy once merged (./merge.ts); empty for unlabelled inputs. */
  clusters: string[];
  backendRefs: BackendRef[];
  termination: Termination | null;
  routerStatus: RouterStatus;
  /** The route without its backends' endpoints (filled in by resolve). */
  route: Omit<CompiledRoute, "backends">;
}

/** A route with resolved endpoints, before admission. */
export interface CandidateRoute extends Omit<ValidRoute, "backendRefs" | "termination" | "routerStatus" | "route"> {
  route: CompiledRoute;
}
