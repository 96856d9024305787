/**
 * @module The compact JSON form of one CompiledRoute inside a published shard: every field that holds its default
 * — a constant, or a value derived from the route itself — is left out, and {@link restoreRoute} puts it back.
 * Writer and reader live together so they cannot drift apart. The table is published per host key, so a route's
 * `host` is never written; backend lists live once in the shard's `backends` dictionary.
 *
 * Schema v2 (docs/route-table.md) writes the same compact form positionally: a route is the tuple
 * `[name, path, backends, extras]` ({@link routeParts}), a backend `[service, endpoints, weight, extras]`, an endpoint
 * `[host, port, scheme, extras]`, each with trailing defaults dropped; `extras` is the compact object of the fields
 * that have no position. Schema v1 shards (objects throughout) are read with the same {@link restoreRoute}.
 */
import type { Backend, CompiledRoute, Endpoint, HeaderAction } from "./types.ts";
import {
  backendId,
  DEFAULT_HEALTH_EXPECT,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_PATH,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_ON,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WEIGHT,
  defaultBalance,
  defaultCookieName,
} from "./defaults.ts";

/** Constant defaults (docs/route-table.md). */
export const ROUTE_DEFAULTS = {
  kind: "Route",
  path: "",
  match: "prefix",
  tls: null,
  timeoutMs: DEFAULT_TIMEOUT_MS,
  retryOn: DEFAULT_RETRY_ON,
  retries: DEFAULT_RETRIES,
  healthIntervalMs: DEFAULT_HEALTH_INTERVAL_MS,
  healthPath: DEFAULT_HEALTH_PATH,
  healthExpect: DEFAULT_HEALTH_EXPECT,
  forwarded: "append",
  rewriteTarget: null,
  hsts: null,
  ipAllowlist: null,
  rateLimit: null,
  jwt: null,
  tokenCheck: null,
  clientCert: null,
} as const satisfies Partial<CompiledRoute>;
/** Shared by every restored route without header actions; frozen so a shared list can never be changed. */
const NO_HEADERS = Object.freeze([]) as unknown as HeaderAction[];

/** {@link ROUTE_DEFAULTS} as entries, listed once rather than once per route written. */
const DEFAULT_ENTRIES = Object.entries(ROUTE_DEFAULTS) as [keyof typeof ROUTE_DEFAULTS, unknown][];

/**
 * The route as written into a shard: fields holding their default omitted, `host` never written, and its backend
 * list replaced by the list's number in the shard's backend dictionary (`backendsRef`).
 */
export function compactRoute(
  route: CompiledRoute,
  backendsRef: (backends: readonly Backend[]) => number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of DEFAULT_ENTRIES) {
    const actual = route[key];
    if (actual !== value) out[key] = actual;
  }
  out.id = route.id;
  addDerivedFields(route, out);
  out.backends = backendsRef(route.backends);
  return out;
}

/** The fields of the compact form whose default is derived from the route (or that are absent by default). */
function addDerivedFields(route: CompiledRoute, out: Record<string, unknown>): void {
  if (route.requestHeaders.length > 0) out.requestHeaders = route.requestHeaders;
  if (route.responseHeaders.length > 0) out.responseHeaders = route.responseHeaders;
  if (route.balance !== defaultBalance(route.backends)) out.balance = route.balance;
  const cookie = route.cookie;
  if (cookie === null || cookie.name !== defaultCookieName(route.id) || cookie.sameSite !== "None") out.cookie = cookie;
  if (route.gateway !== undefined) out.gateway = route.gateway;
  if (route.canary !== undefined) out.canary = route.canary;
}

/** A backend list as the dictionary stores it: `weight` 100 and the derived `id` omitted, endpoints in full. */
export function compactBackends(backends: readonly Backend[]): CompactBackend[] {
  return backends.map((b) => {
    const backend: CompactBackend = { service: b.service, endpoints: b.endpoints };
    if (b.weight !== DEFAULT_WEIGHT) backend.weight = b.weight;
    if (b.id !== backendId(b.service)) backend.id = b.id;
    if (b.invalid !== undefined) backend.invalid = b.invalid;
    if (b.router !== undefined) backend.router = b.router;
    return backend;
  });
}

/** The backend list from its dictionary form. */
export function restoreBackends(list: readonly CompactBackend[]): Backend[] {
  return list.map((b) => {
    const backend: Backend = {
      service: b.service,
      weight: b.weight ?? DEFAULT_WEIGHT,
      id: b.id ?? backendId(b.service),
      endpoints: b.endpoints,
    };
    if (b.invalid !== undefined) backend.invalid = b.invalid;
    if (b.router !== undefined) backend.router = b.router;
    return backend;
  });
}

/**
 * `values` without the trailing entries that equal their position's default in `defaults` (an empty object for the
 * `extras` position), so a route or backend holding its defaults costs only its leading fields.
 */
function dropTrailingDefaults(values: unknown[], defaults: readonly unknown[]): unknown[] {
  let length = values.length;
  while (length > 0 && isDefault(values[length - 1], defaults[length - 1])) length--;
  return values.slice(0, length);
}

function isDefault(value: unknown, fallback: unknown): boolean {
  if (value === fallback) return true;
  return typeof fallback === "object" && fallback !== null && isEmptyObject(value);
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** The fields of a v2 route tuple's `extras`: everything of the compact form that has no position of its own. */
export type RouteExtras = Omit<CompactRoute, "id" | "path" | "backends">;
/**
 * A route in a v2 shard: `name` is the route id without the prefix its host group shares, `backends` the shard's
 * backend list number (default: the group's). Trailing defaults (`""`, `""`, the group's list, `{}`) are dropped.
 */
export type RouteTuple = [name?: string, path?: string, backends?: number, extras?: RouteExtras];

/**
 * The parts of a route's v2 tuple (see {@link RouteTuple}) that do not depend on the shard it is written into:
 * `name` (the id after `idPrefix`, which must be a prefix of it), `path`, and `extras`, the compact form's fields
 * beyond id, path and backends. The backend list's number is the shard's (./codec.ts writes the tuple, dropping the
 * trailing defaults `""`, `""`, the group's list, `{}`).
 */
export function routeParts(
  route: CompiledRoute,
  idPrefix: string,
): { name: string; path: string; extras: RouteExtras } {
  const extras: Record<string, unknown> = {};
  for (const [key, value] of DEFAULT_ENTRIES) {
    if (key === "path") continue;
    const actual = route[key];
    if (actual !== value) extras[key] = actual;
  }
  addDerivedFields(route, extras);
  return { name: route.id.slice(idPrefix.length), path: route.path ?? "", extras: extras as RouteExtras };
}

/** The compact route a v2 tuple stands for (then {@link restoreRoute}). */
export function unpackRoute(tuple: RouteTuple, idPrefix: string, groupBackends: number): CompactRoute {
  const [name = "", path = "", backends = groupBackends, extras] = tuple;
  // `join` builds one flat string: `+` would make a cons string that is flattened (copied again) the first time the id is hashed.
  return { ...extras, id: [idPrefix, name].join(""), path, backends };
}

/** Fields of a v2 backend tuple's `extras`. */
export type BackendExtras = Pick<CompactBackend, "id" | "invalid" | "router">;
/** A backend in a v2 shard: endpoints by their number in the shard's endpoint table; trailing `100`, `{}` dropped. */
export type BackendTuple = [service: string, endpoints: number[], weight?: number, extras?: BackendExtras];
/** An endpoint in a v2 shard's endpoint table; trailing `"http"`, `{}` dropped. */
export type EndpointTuple = [host: string, port: number, scheme?: Endpoint["scheme"], extras?: EndpointExtras];
export type EndpointExtras = Pick<Endpoint, "cluster" | "priority">;

/** A backend list as v2 tuples, its endpoints numbered by `endpointRef` (the shard's endpoint table). */
export function packBackends(backends: readonly Backend[], endpointRef: (endpoint: Endpoint) => number): unknown[][] {
  return compactBackends(backends).map(({ service, endpoints, weight, ...extras }) =>
    dropTrailingDefaults(
      [service, endpoints.map(endpointRef), weight ?? DEFAULT_WEIGHT, extras],
      [undefined, undefined, DEFAULT_WEIGHT, {}],
    ),
  );
}

/** The backend list from its v2 tuples; `endpointOf` resolves an endpoint number (restored once per shard). */
export function unpackBackends(list: readonly BackendTuple[], endpointOf: (ref: number) => Endpoint): Backend[] {
  return restoreBackends(
    list.map(([service, refs, weight, extras]) => ({ ...extras, service, weight, endpoints: refs.map(endpointOf) })),
  );
}

/** An endpoint as its v2 tuple. */
export function packEndpoint(endpoint: Endpoint): unknown[] {
  const extras: EndpointExtras = {};
  if (endpoint.cluster !== undefined) extras.cluster = endpoint.cluster;
  if (endpoint.priority !== undefined) extras.priority = endpoint.priority;
  return dropTrailingDefaults(
    [endpoint.host, endpoint.port, endpoint.scheme, extras],
    [undefined, undefined, "http", {}],
  );
}

/** The endpoint from its v2 tuple. */
export function unpackEndpoint([host, port, scheme = "http", extras]: EndpointTuple): Endpoint {
  const endpoint: Endpoint = { scheme, host, port };
  if (extras?.cluster !== undefined) endpoint.cluster = extras.cluster;
  if (extras?.priority !== undefined) endpoint.priority = extras.priority;
  return endpoint;
}

/** A route as read back from a shard (the shape {@link compactRoute} writes). */
export type CompactRoute = Partial<Omit<CompiledRoute, "backends">> & {
  id: string;
  backends: number | CompactBackend[];
};
export type CompactBackend = Partial<Omit<Backend, "endpoints">> & { service: string; endpoints: Endpoint[] };

/** The fields a {@link LightRoute} holds itself: the ones that differ from route to route. */
type OwnField = "id" | "kind" | "host" | "path" | "match" | "tls" | "backends";
const OWN_FIELDS: ReadonlySet<string> = new Set<OwnField>(["id", "kind", "host", "path", "match", "tls", "backends"]);

/**
 * What every {@link LightRoute} shares through its prototype: the defaults of all fields but its own, `balance` and
 * `cookie`.
 * Read-only, like every restored route.
 */
const SHARED_DEFAULTS: Omit<CompiledRoute, OwnField | "cookie" | "balance"> = {
  timeoutMs: ROUTE_DEFAULTS.timeoutMs,
  retryOn: ROUTE_DEFAULTS.retryOn,
  retries: ROUTE_DEFAULTS.retries,
  healthIntervalMs: ROUTE_DEFAULTS.healthIntervalMs,
  healthPath: ROUTE_DEFAULTS.healthPath,
  healthExpect: ROUTE_DEFAULTS.healthExpect,
  forwarded: ROUTE_DEFAULTS.forwarded,
  rewriteTarget: ROUTE_DEFAULTS.rewriteTarget,
  requestHeaders: NO_HEADERS,
  responseHeaders: NO_HEADERS,
  hsts: ROUTE_DEFAULTS.hsts,
  ipAllowlist: ROUTE_DEFAULTS.ipAllowlist,
  rateLimit: ROUTE_DEFAULTS.rateLimit,
  jwt: ROUTE_DEFAULTS.jwt,
  tokenCheck: ROUTE_DEFAULTS.tokenCheck,
  clientCert: ROUTE_DEFAULTS.clientCert,
  gateway: undefined,
  canary: undefined,
};

/**
 * A restored route whose every field beyond {@link OwnField} holds its default (most routes): it holds those seven
 * itself and reads the rest from its prototype ({@link SHARED_DEFAULTS}); its default balance is derived from its
 * backends on each read, and its default cookie is built from the id on first read. In the Worker's heap that is an
 * 8-field object instead of a 27-field one plus a cookie object per route (BENCHMARKS.md, heap target). On the
 * Worker's path routes are read, never copied or serialised (a spread or `JSON.stringify` would miss the prototype's
 * fields); the CLI asks for plain objects (`form` of {@link restoreRoute}) because it compares and prints them.
 */
class LightRoute implements Pick<CompiledRoute, OwnField> {
  readonly id: string;
  readonly kind: CompiledRoute["kind"];
  readonly host: string;
  readonly path: string;
  readonly match: CompiledRoute["match"];
  readonly tls: CompiledRoute["tls"];
  readonly backends: Backend[];
  private defaultCookie: CompiledRoute["cookie"] | undefined = undefined;

  constructor(fields: Pick<CompiledRoute, OwnField>) {
    this.id = fields.id;
    this.kind = fields.kind;
    this.host = fields.host;
    this.path = fields.path;
    this.match = fields.match;
    this.tls = fields.tls;
    this.backends = fields.backends;
  }

  get balance(): CompiledRoute["balance"] {
    return defaultBalance(this.backends);
  }

  get cookie(): CompiledRoute["cookie"] {
    this.defaultCookie ??= { name: defaultCookieName(this.id), sameSite: "None" };
    return this.defaultCookie;
  }
}
Object.assign(LightRoute.prototype, SHARED_DEFAULTS);

/**
 * How {@link restoreRoute} builds a route: `plain`, an object with every field (what the CLI compares and prints);
 * `light`, a {@link LightRoute} when the route holds all defaults beyond its own fields (the Worker).
 */
export type RouteForm = "plain" | "light";

/**
 * The full route from its compact form and the key it is stored under (`host`, or the suffix of a wildcard).
 * Fields present are taken as they are, so a plain `JSON.stringify` of a TableShard (every field written, backends
 * inline) reads back too. Plain routes are built with one field order (one object shape), light ones are one class.
 */
export function restoreRoute(
  compact: CompactRoute,
  hostKey: string,
  wildcard: boolean,
  backendsOf: (ref: number) => Backend[],
  form: RouteForm = "plain",
): CompiledRoute {
  const tls = sharedTls(compact.tls ?? ROUTE_DEFAULTS.tls);
  const backends =
    typeof compact.backends === "number" ? backendsOf(compact.backends) : restoreBackends(compact.backends ?? []);
  const own = {
    id: compact.id,
    kind: compact.kind ?? ROUTE_DEFAULTS.kind,
    host: compact.host ?? (wildcard ? `*.${hostKey}` : hostKey),
    path: compact.path ?? ROUTE_DEFAULTS.path,
    match: compact.match ?? ROUTE_DEFAULTS.match,
    tls,
    backends,
  };
  // A light route's own fields are typed by the class, every other one by SHARED_DEFAULTS on its prototype,
  // `balance` and `cookie` by the getters.
  if (form === "light" && onlyOwnFields(compact)) return new LightRoute(own) as unknown as CompiledRoute;
  return {
    ...own,
    balance: compact.balance ?? defaultBalance(backends),
    cookie: compact.cookie === undefined ? { name: defaultCookieName(compact.id), sameSite: "None" } : compact.cookie,
    timeoutMs: compact.timeoutMs ?? ROUTE_DEFAULTS.timeoutMs,
    retryOn: compact.retryOn ?? ROUTE_DEFAULTS.retryOn,
    retries: compact.retries ?? ROUTE_DEFAULTS.retries,
    healthIntervalMs: compact.healthIntervalMs ?? ROUTE_DEFAULTS.healthIntervalMs,
    healthPath: compact.healthPath ?? ROUTE_DEFAULTS.healthPath,
    healthExpect: compact.healthExpect ?? ROUTE_DEFAULTS.healthExpect,
    forwarded: compact.forwarded ?? ROUTE_DEFAULTS.forwarded,
    rewriteTarget: compact.rewriteTarget ?? ROUTE_DEFAULTS.rewriteTarget,
    requestHeaders: compact.requestHeaders ?? NO_HEADERS,
    responseHeaders: compact.responseHeaders ?? NO_HEADERS,
    hsts: compact.hsts ?? ROUTE_DEFAULTS.hsts,
    ipAllowlist: compact.ipAllowlist ?? ROUTE_DEFAULTS.ipAllowlist,
    rateLimit: compact.rateLimit ?? ROUTE_DEFAULTS.rateLimit,
    jwt: compact.jwt ?? ROUTE_DEFAULTS.jwt,
    tokenCheck: compact.tokenCheck ?? ROUTE_DEFAULTS.tokenCheck,
    clientCert: compact.clientCert ?? ROUTE_DEFAULTS.clientCert,
    gateway: compact.gateway,
    canary: compact.canary,
  };
}

/** Whether a compact route sets no field beyond a {@link LightRoute}'s own (absent and `undefined` are the same). */
function onlyOwnFields(compact: CompactRoute): boolean {
  for (const key in compact) {
    if (!OWN_FIELDS.has(key) && compact[key as keyof CompactRoute] !== undefined) return false;
  }
  return true;
}

/** The six TLS settings a route can have, one frozen object each, shared by every restored route that has it. */
const TLS_SETTINGS: readonly NonNullable<CompiledRoute["tls"]>[] = (["edge", "reencrypt"] as const).flatMap(
  (termination) => (["None", "Allow", "Redirect"] as const).map((insecure) => Object.freeze({ termination, insecure })),
);

/** The shared object equal to `tls` (a route's own copy from the shard JSON otherwise stays one per route). */
function sharedTls(tls: CompiledRoute["tls"]): CompiledRoute["tls"] {
  if (tls === null) return null;
  return TLS_SETTINGS.find((t) => t.termination === tls.termination && t.insecure === tls.insecure) ?? tls;
}
