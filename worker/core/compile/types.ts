/**
 * @module The compiler's own types: its input objects, options, diagnostics and result. The Worker never sees these;
 * the published table's contract is worker/core/table/types.ts.
 */
import type { CompiledRoute, NotFoundStatus, RouteTable } from "../table/types.ts";
/** Where an object came from, for messages: `file:line` and the document index within the file. */
export interface SourceRef {
  file: string;
  /** 0-based index of the YAML document in the file (or of the item in a `kind: List`, see `item`). */
  doc: number;
  /** Index within `items` when the object came from a `kind: List`. */
  item?: number;
  /** 1-based line of the object's start, when known. */
  line?: number;
  /**
   * The cluster the object was exported from: `NAME` of the CLI input `NAME=PATH`. Objects of different clusters
   * never collide by name; absent for unlabelled inputs.
   */
  cluster?: string;
}

/** A parsed manifest object with its origin. The core never reads files: scripts/ parses YAML into these. */
export interface SourceObject {
  source: SourceRef;
  /** The object as parsed (JSON-compatible). Validated by the compiler, trusted nowhere. */
  object: unknown;
  /** 1-based line of a field path such as `spec.to.weight`, when the reader can tell (for messages). */
  lineOf?: (fieldPath: string) => number | undefined;
}

export type Severity = "error" | "warning" | "notice";

/** OpenShift's reason codes where the meaning matches, our own in the same PascalCase otherwise. */
export type DiagnosticCode =
  | "HostAlreadyClaimed"
  | "InvalidHost"
  | "NoHostValue"
  | "RouteNotAdmitted"
  | "InvalidField"
  | "MissingField"
  | "WeightOutOfRange"
  | "TooManyBackends"
  | "UnsupportedTermination"
  | "InvalidTLSCombination"
  | "InvalidAnnotation"
  | "UnsupportedFeature"
  | "ServiceNotFound"
  | "ServiceHasNoAddress"
  | "ServicePortNotFound"
  | "ForbiddenEndpoint"
  | "UnreachableEndpoint"
  | "SkippedKind"
  | "SkippedIngressClass"
  | "HSTSPolicyViolation"
  | "MalformedYAML"
  | "DuplicateObject"
  | "ClusterCopiesDisagree"
  // Gateway API condition reasons (https://gateway-api.sigs.k8s.io/reference/spec/#routeconditionreason)
  | "NotAllowedByListeners"
  | "NoMatchingParent"
  | "NoMatchingListenerHostname"
  | "UnsupportedValue"
  | "BackendNotFound"
  | "RefNotPermitted"
  | "InvalidKind"
  | "SkippedGatewayClass";

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  source: SourceRef;
  /** `Route shop/web`, `Ingress shop/api`, `Service shop/blue`; empty when the document has no identity. */
  object: string;
  /** Field path such as `spec.alternateBackends[1].weight` or `metadata.annotations["haproxy.router.openshift.io/timeout"]`. */
  field: string;
  /** What is wrong and what is allowed. */
  message: string;
}

/** A route the admission step refused, reported (never silently dropped). */
export interface Rejection {
  object: string;
  host: string;
  path: string;
  reason: DiagnosticCode;
  message: string;
}

/** Where the table will be published: decides which endpoint addresses are acceptable. */
export type Target = "local" | "remote";

export interface CompileOptions {
  target: Target;
  /** Domain for `spec.subdomain` routes (IngressController `status.domain`). */
  routerDomain?: string;
  /** Ingress class this gateway serves; Ingresses naming another class are skipped with a notice. */
  ingressClass: string;
  /** `InterNamespaceAllowed` instead of the default `Strict` namespace ownership. */
  interNamespaceAllowed: boolean;
  /** Admit `wildcardPolicy: Subdomain` routes (IngressController `WildcardsAllowed`). */
  allowWildcards: boolean;
  /** With `remote`: accept private-range endpoints (10/8, 172.16/12, 192.168/16, fc00::/7). */
  allowPrivateEndpoints: boolean;
  /**
   * With `remote`: the Cloudflare zones (lowercase, no trailing dot) of the route hosts. When given, every endpoint
   * name must lie in the zone of the route host it serves (`cf.resolveOverride` works only within one zone).
   */
  zones?: readonly string[];
  notFound: NotFoundStatus;
  /** Cluster-wide required HSTS policies (IngressController `requiredHSTSPolicies`). */
  requiredHsts: RequiredHstsPolicy[];
  /**
   * The router (load-balancer host name or address) of each cluster, for routes whose Services have no address
   * of their own and whose object carries no router status: cluster label (`SourceRef.cluster`) → host; the key
   * `""` applies to every input without a router of its own.
   */
  clusterRouters: Readonly<Record<string, string>>;
  /**
   * Local tables only (curl's `--resolve`): endpoint host name → the loopback address and port that stand in for
   * it. A resolved endpoint is fetched over plain HTTP, since a local stand-in has no certificate workerd trusts.
   */
  resolve: Readonly<Record<string, { address: string; port: number }>>;
  /** `gatewayClassName` of the Gateways this gateway serves; default `edgeroute`. */
  gatewayClass?: string;
}

/** One condition of an HTTPRoute's status for one parentRef, as a Gateway controller would write it. */
export interface RouteCondition {
  type: "Accepted" | "ResolvedRefs";
  status: "True" | "False";
  reason: string;
  message: string;
}

/** The status of one HTTPRoute for one of its parentRefs (`status.parents[]`). */
export interface RouteParentStatus {
  /** `HTTPRoute namespace/name`. */
  route: string;
  /** `namespace/name` of the Gateway, plus `/sectionName` or `:port` when the parentRef names one. */
  parent: string;
  conditions: RouteCondition[];
}

/** Like `ingresses.config.openshift.io/cluster spec.requiredHSTSPolicies[]` (no namespace selector). */
export interface RequiredHstsPolicy {
  domainPatterns: string[];
  minAgeSeconds?: number;
  maxAgeSeconds?: number;
  preload?: "RequirePreload" | "RequireNoPreload" | "NoOpinion";
  includeSubDomains?: "RequireIncludeSubDomains" | "RequireNoIncludeSubDomains" | "NoOpinion";
}

export interface CompileResult {
  /**
   * Present even when there are errors (for `validate`'s table); never published when `errors > 0`. One in-memory
   * shard with no hashes: `serializeTable` chooses the published shard count and computes the hashes.
   */
  table: RouteTable;
  diagnostics: Diagnostic[];
  admitted: CompiledRoute[];
  rejected: Rejection[];
  /** The DNS names the admitted routes' endpoints use, sorted by name (what `routes dns` prints). */
  endpointNames: EndpointName[];
  /** HTTPRoute conditions per parentRef (only Gateways of this gateway's class), for `validate`. */
  gatewayStatus: RouteParentStatus[];
}

/** A DNS name an endpoint of the table uses, and what it must resolve to. */
export interface EndpointName {
  name: string;
  /** `namespace/name` of the Service whose endpoint it is. */
  service: string;
  /** Where the name was read: `metadata.annotations["…/hostname"]`, `status.loadBalancer.ingress[]`, `spec.externalName`. */
  field: string;
  /**
   * The record's values when edgeroute knows them: for a hostname annotation, the load balancer's addresses and
   * hostnames (as ExternalDNS publishes them: A/AAAA for addresses, CNAME for a hostname). Empty otherwise.
   */
  targets: string[];
}
