/**
 * @module The published route table's contract between the routes CLI (control plane) and the Worker (data plane).
 *
 * The CLI compiles Route/Ingress/Service manifests into a {@link RouteTable}; the Worker loads it from KV and
 * routes with it. Both sides use the same core functions on the same types, so `routes explain` and the Worker
 * can never disagree. The published JSON layout is documented in docs/route-table.md; bump
 * {@link TABLE_SCHEMA} on any incompatible change (the Worker refuses a schema it does not know).
 */

/** Schema id this code writes into every published pointer, index and shard (positional shards, docs/route-table.md). */
export const TABLE_SCHEMA = "edgeroute/route-table/v2";
/**
 * The previous schema (shards of JSON objects), as the CLI before v2 published it. Still read, so a Worker upgraded
 * before the table is republished keeps serving the table the older CLI wrote.
 */
export const TABLE_SCHEMA_V1 = "edgeroute/route-table/v1";
/** A schema this code can read. */
export type TableSchema = typeof TABLE_SCHEMA | typeof TABLE_SCHEMA_V1;
/** Every schema the Worker and the CLI read, oldest first; anything else (a newer CLI's table) is refused. */
export const READABLE_SCHEMAS: readonly TableSchema[] = [TABLE_SCHEMA_V1, TABLE_SCHEMA];

/** Whether `value` names a schema this code reads. */
export function isReadableSchema(value: unknown): value is TableSchema {
  return value === TABLE_SCHEMA || value === TABLE_SCHEMA_V1;
}

/** TLS termination at the edge. `null` on a route means plain HTTP (no `spec.tls`). */
export type Termination = "edge" | "reencrypt";
/** `spec.tls.insecureEdgeTerminationPolicy`; unset is `None`. */
export type InsecurePolicy = "None" | "Allow" | "Redirect";
/**
 * How a path is matched against the request path (the raw, normalised path without the query).
 * - `prefix`: OpenShift Route semantics on the path string P. P without a trailing slash serves P and P/…
 *   (segment boundary: `/foo` serves `/foo`, `/foo/`, `/foo/x`, never `/foobar`); P with a trailing slash
 *   serves only P… (`/foo/` does not serve `/foo`); `""` and `/` serve everything.
 *   Ingress `Prefix`/`ImplementationSpecific` compile to this with trailing slashes removed (Kubernetes spec:
 *   `/foo/` serves `/foo`).
 * - `exact`: Ingress `Exact`, the whole path must be equal (case-sensitive).
 */
export type PathMatch = "prefix" | "exact";
/** `haproxy.router.openshift.io/balance`: how one endpoint of a backend is chosen. */
export type Balance = "roundrobin" | "leastconn" | "source" | "random";
/** `haproxy.router.openshift.io/set-forwarded-headers`. */
export type ForwardedPolicy = "append" | "replace" | "if-none" | "never";

/**
 * A cluster load-balancer address: from a LoadBalancer Service's status or an ExternalName Service, or the
 * load balancer of a cluster's router (see {@link ClusterRouter}).
 */
export interface Endpoint {
  /** `https` for reencrypt routes, else `http`. */
  scheme: "http" | "https";
  /** IPv4, IPv6 (without brackets) or a DNS name, lowercased. */
  host: string;
  port: number;
  /** The cluster this endpoint belongs to (`NAME=PATH` inputs); absent for an unlabelled input. */
  cluster?: string;
  /**
   * Failover tier: the Worker uses the lowest tier that has a healthy endpoint (lower is preferred; absent = 0;
   * active-active = all equal).
   */
  priority?: number;
}

/** One Service of `spec.to` / `spec.alternateBackends` (or one Ingress backend). */
export interface Backend {
  /** `namespace/service`: what `explain`, `diff` and the logs print. */
  service: string;
  /** 0..256. 0 never receives new traffic. */
  weight: number;
  /** Sticky cookie value naming this backend: a short stable hash, so the cookie reveals nothing internal. */
  id: string;
  endpoints: Endpoint[];
  /**
   * HTTPRoute only: why this backendRef cannot be used (missing Service, unknown kind, cross-namespace without a
   * ReferenceGrant). Requests the weighted pick sends here answer 500, as the Gateway API specification requires
   * (https://gateway-api.sigs.k8s.io/reference/spec/#httpbackendref); `endpoints` is then empty.
   */
  invalid?: string;
  /**
   * Set when the route is handed whole to the cluster's own router (its Services have no address the edge can
   * reach, e.g. ClusterIP): the endpoints are the routers' load balancers, and the router applies the Route's
   * weights, stickiness and Service choice. Absent when the edge splits across Service load balancers itself.
   */
  router?: ClusterRouter;
}

/**
 * The cluster router a route is handed to. `name`: the admitting routers' `status.ingress[].routerName`s (joined
 * with `, ` for several shards), an Ingress's load-balancer address, or the `--cluster-router` value. `from`:
 * the object's own status (Route `status.ingress`, Ingress `status.loadBalancer.ingress`) or the CLI option.
 */
export interface ClusterRouter {
  name: string;
  from: "status" | "option";
}

/** `spec.httpHeaders.actions.request[]` / `.response[]`. `value` only for `Set`. */
export interface HeaderAction {
  name: string;
  /** `Add` (HTTPRoute header modifiers only) appends a value and keeps the ones already there. */
  action: "Set" | "Delete" | "Add";
  value?: string;
}

/** Verify an OAuth/OIDC bearer token (jose) before forwarding. */
export interface JwtAuth {
  jwksUrl: string;
  issuer?: string;
  audience?: string[];
  /** Never empty, never `none`; only one key family (all RS*, all ES*, …) so algorithm confusion cannot happen. */
  algorithms: string[];
  clockToleranceSeconds: number;
  /** The `typ` header tokens must carry (RFC 8725 §3.11, RFC 9068 `at+jwt`), when set. */
  type?: string;
  /** Claims copied into request headers; client-sent copies of these headers are always removed first. */
  forwardClaims: { claim: string; header: string }[];
}

/**
 * Check an opaque bearer token with the server that issued it, before forwarding (docs/security.md §6):
 * - `openshift-user`: `GET <url>` (the cluster's `/apis/user.openshift.io/v1/users/~`) with the client's token;
 * - `openshift-token-review`: `POST <url>` (`/apis/authentication.k8s.io/v1/tokenreviews`) with the reviewer's
 *   token from the Worker secret `secret`;
 * - `introspection`: RFC 7662 `POST <url>` with HTTP Basic client credentials from the Worker secret `secret`.
 */
export interface TokenCheck {
  kind: "openshift-user" | "openshift-token-review" | "introspection";
  /** The full endpoint URL the Worker calls (a target like any other: checked at publish and request time). */
  url: string;
  /** Name of the Worker secret holding the gateway's own credentials (TokenReview, introspection). */
  secret?: string;
  /** Introspection: `aud` must contain one of these. */
  audience?: string[];
  /** The user name must be one of these. */
  allowedUsers?: string[];
  /** The user must belong to one of these groups. */
  allowedGroups?: string[];
  /** Introspection: every one of these must be in `scope`. */
  requiredScopes?: string[];
  /** Header that carries the user name to the backend (client-sent copies always removed). */
  userHeader?: string;
  /** Header that carries the groups, comma-separated (client-sent copies always removed). */
  groupsHeader?: string;
  /** How long an accepted token is remembered (never past its `exp`). */
  cacheSeconds: number;
  /** How long a rejected token is remembered. */
  negativeCacheSeconds: number;
  /** The endpoint must answer within this; otherwise the request gets 503. */
  timeoutMs: number;
}

/** Require a verified X.509 client certificate (Cloudflare mTLS, `request.cf.tlsClientAuth`). */
export interface ClientCertAuth {
  /** Exact RFC 2253 subject DN, when set. */
  subjectDn?: string;
  /** Lowercase hex SHA-256 fingerprints, when set: the certificate must be one of them. */
  fingerprintsSha256?: string[];
}

/** `haproxy.router.openshift.io/rate-limit-connections.rate-http`, mapped onto a rate-limiting binding tier. */
export interface RateLimit {
  /** Requests per 10 s per client IP, as the annotation asked. */
  requested: number;
  /** Name of the Workers rate-limiting binding that enforces it (see docs and wrangler.toml). */
  binding: string;
  /** The limit that binding really enforces, per `periodSeconds`. */
  limit: number;
  periodSeconds: number;
}

/**
 * One admitted route: everything the Worker needs, precomputed. Optional fields are omitted from the JSON when
 * they hold their default, to keep the published table small.
 */
export interface CompiledRoute {
  /**
   * `namespace/name` of the Route; for an Ingress `namespace/name` plus `#<rule index>.<path index>`, or `#default`
   * for `spec.defaultBackend` (repeated on each host it serves: id plus host is unique).
   */
  id: string;
  kind: RouteKind;
  /** Admitted host, lowercase; a wildcard route is stored as `*.<suffix>`. */
  host: string;
  /** As written in the manifest (Ingress Prefix paths with trailing slashes removed). `""` means no path. */
  path: string;
  match: PathMatch;
  /** `null`: plain HTTP route. */
  tls: { termination: Termination; insecure: InsecurePolicy } | null;
  /** In manifest order: `spec.to` first, then `alternateBackends`. */
  backends: Backend[];
  /** Default `random` with one active backend, `roundrobin` with several (router behaviour, docs/design-notes.md#balance). */
  balance: Balance;
  /** Sticky-session cookie; `null` when `disable_cookies` is set. */
  cookie: { name: string; sameSite: "Lax" | "Strict" | "None" } | null;
  /** `haproxy.router.openshift.io/timeout` in ms; default 30000. The whole budget of a request, retries included. */
  timeoutMs: number;
  /**
   * `haproxy.router.openshift.io/retry-on`: HAProxy retry-on keywords, space-separated, `all-retryable-errors`
   * expanded; default `conn-failure empty-response` (docs/health.md). `none` never retries.
   */
  retryOn: string;
  /** `haproxy.router.openshift.io/retries`: extra attempts after the first, 0–99; default 3 (router `retries 3`). */
  retries: number;
  /** Active health check interval in ms (`router.openshift.io/haproxy.health.check.interval`); default 5000. */
  healthIntervalMs: number;
  /** Path the active health check requests (`health.edgeroute.dev/path`); default `/`. */
  healthPath: string;
  /** Statuses a health check counts as up, as ranges (`health.edgeroute.dev/expect-status`); default `200-399`. */
  healthExpect: string;
  forwarded: ForwardedPolicy;
  /** `haproxy.router.openshift.io/rewrite-target`, sanitised; `null` for none. */
  rewriteTarget: string | null;
  requestHeaders: HeaderAction[];
  responseHeaders: HeaderAction[];
  /** `Strict-Transport-Security` value for HTTPS responses; `null` for none. */
  hsts: string | null;
  /** Allowed client networks as CIDRs (`1.2.3.4/32`, `2001:db8::/32`); `null`: everyone. */
  ipAllowlist: string[] | null;
  rateLimit: RateLimit | null;
  jwt: JwtAuth | null;
  tokenCheck: TokenCheck | null;
  clientCert: ClientCertAuth | null;
  /** HTTPRoute rules only: request conditions beyond the path, filters and timeouts. */
  gateway?: GatewayRule;
  /** Requests picked out for one backend before the weighted pick (Route `edgeroute.dev/canary-*`, ingress-nginx canary). */
  canary?: Canary;
}

/**
 * A canary: requests with a given header, cookie or query parameter go to one backend before the weighted pick,
 * with ingress-nginx's precedence (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary):
 * header, then cookie, then query, then the canary weight. A header or cookie `always` sends to the canary and
 * `never` away from it; with a value or pattern, a match sends to the canary and anything else is ignored.
 */
export interface Canary {
  /** `id` of the backend (in the route's `backends`) that canary requests go to. */
  backend: string;
  /** Header name lowercase; `value` exact or `pattern` (JavaScript RegExp source, tested unanchored as nginx does). */
  header?: { name: string; value?: string; pattern?: string };
  cookie?: string;
  query?: { name: string; value?: string };
  /** ingress-nginx `canary-weight` of `canary-weight-total`: the canary's share when no rule above decided. */
  weight?: { weight: number; total: number };
}

/** The object kind a compiled route comes from. */
export type RouteKind = "Route" | "Ingress" | "HTTPRoute";

/**
 * What an HTTPRoute rule adds to a path match (Gateway API, https://gateway-api.sigs.k8s.io/reference/spec/):
 * the other conditions of one `HTTPRouteMatch` (all must hold) and the rule's filters and timeouts. The path
 * itself is the route's `path`/`match` (`PathPrefix` is `prefix` with trailing slashes removed, `Exact` is `exact`).
 */
export interface GatewayRule {
  /** HTTP method the request must use, when set. */
  method?: string;
  /** Headers that must be present with exactly this value; names lowercase (header names are case-insensitive). */
  headers?: { name: string; value: string }[];
  /** Query parameters whose first value must equal `value`; names are case-sensitive. */
  query?: { name: string; value: string }[];
  /** `RequestRedirect`: the gateway answers the redirect itself and forwards nothing. */
  redirect?: GatewayRedirect;
  /** `URLRewrite`: what the backend receives instead of the client's host or path. */
  rewrite?: { hostname?: string; path?: PathModifier };
  /** `RequestMirror`: a copy of each request (without waiting for or using its answer). */
  mirrors?: GatewayMirror[];
  /** `timeouts.request` in ms: the whole request, until the response headers; 504 after it. */
  requestTimeoutMs?: number;
}

/** `HTTPPathModifier`: `full` replaces the whole path, `prefix` only the part the route's PathPrefix matched. */
export interface PathModifier {
  type: "full" | "prefix";
  value: string;
}

/** `HTTPRequestRedirectFilter`; unset fields keep the request's value (port: see `redirectLocation`). */
export interface GatewayRedirect {
  scheme?: "http" | "https";
  hostname?: string;
  port?: number;
  path?: PathModifier;
  statusCode: 301 | 302 | 303 | 307 | 308;
}

/** `HTTPRequestMirrorFilter`: the mirror backend, and the share of requests mirrored (0..1). */
export interface GatewayMirror {
  backend: Backend;
  fraction: number;
}

/** Answer for requests no route serves: the router's 503 page, or 404 (IngressController httpErrorCodePages). */
export type NotFoundStatus = 503 | 404;

/**
 * One shard of a table: routes grouped by host. Routes of a host are sorted by precedence (most specific first),
 * which is the order `explain` lists them in; the Worker's index does not depend on that order. In KV a shard is
 * stored in a compact form (defaults omitted, backend lists shared) that `parseShard` turns back into this.
 */
export interface TableShard {
  schema: typeof TABLE_SCHEMA;
  /** Exact host → its routes. */
  hosts: Record<string, CompiledRoute[]>;
  /** Wildcard suffix (`apps.example.com` for `*.apps.example.com`) → its routes. */
  wildcards: Record<string, CompiledRoute[]>;
}

/**
 * The table's index value. A host lives in shard `shardOf(host, shardCount)`; a wildcard in the shard of its
 * suffix. Shard `i` is stored at `shardKey(version, index, i)` (./keys.ts).
 */
export interface TableIndex {
  /** {@link TABLE_SCHEMA} when this code wrote it; a table of the previous schema is still read. */
  schema: TableSchema;
  shardCount: number;
  routeCount: number;
  hostCount: number;
  notFound: NotFoundStatus;
  /** Content hash of each shard, so the index's own hash (the version id) covers every byte. */
  shardHashes: string[];
  /** Where the shards are stored (./keys.ts `shardKey`); absent in tables published before content addressing. */
  layout?: ShardLayout;
  /** Label counts of the suffixes that hold wildcard routes, ascending ({@link ShardReach}). */
  wildcardLabels?: number[];
  /** Whether the table has catch-all routes (host key `*`) ({@link ShardReach}). */
  catchAll?: boolean;
  /** A Bloom filter of the wildcard suffixes, absent when there are none ({@link ShardReach}, ./filter.ts). */
  wildcardFilter?: WildcardFilter;
}

/**
 * What decides which shards a host's request needs besides its own (./index.ts `shardsForHost`): only the wildcard
 * suffixes of these label counts that the `wildcardFilter` may hold and, with `catchAll`, the catch-all's. Absent in tables published before these
 * fields (then every suffix and the catch-all are read, as those tables' readers did).
 */
/**
 * A Bloom filter of a table's wildcard suffixes (./filter.ts): `hashes` bit positions per suffix in the bit array
 * whose lowercase hex is `bits` (bit j is bit `j & 7` of byte `j >> 3`).
 */
export interface WildcardFilter {
  hashes: number;
  bits: string;
}

export type ShardReach = Pick<TableIndex, "shardCount" | "wildcardLabels" | "catchAll" | "wildcardFilter">;

/**
 * `content`: shard `i` is at `routes:shard:<shardHashes[i]>`, shared by every version with the same bytes. Absent (the
 * first layout, still read): at `routes:table:<version>:<i>`.
 */
export type ShardLayout = "content";

/**
 * The small pointer value at `routes:current`. It repeats what the Worker needs from the index (schema, shard
 * count, not-found status), so a cold isolate needs one KV read less before it reads the shard it needs.
 */
export interface Pointer {
  version: string;
  schema: TableSchema;
  notFound: NotFoundStatus;
  publishedAt: string;
  publishedBy: string;
  routeCount: number;
  hostCount: number;
  shardCount: number;
  /** The index's shard hashes, so a cold isolate can check the shard it reads without reading the index. */
  shardHashes?: string[];
  /** The index's `layout`, so a cold isolate knows the shard keys without reading the index. */
  layout?: ShardLayout;
  /** The index's `wildcardLabels`, `catchAll` and `wildcardFilter`, so a cold isolate reads only the shards its host can need. */
  wildcardLabels?: number[];
  catchAll?: boolean;
  wildcardFilter?: WildcardFilter;
}

/** A whole compiled table in memory (the CLI and the benchmarks; the Worker holds shards lazily). */
export interface RouteTable {
  index: TableIndex;
  shards: TableShard[];
}
