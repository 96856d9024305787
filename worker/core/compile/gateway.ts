/**
 * @module Gateway API: `Gateway`, `GatewayClass`, `HTTPRoute` and `ReferenceGrant` (gateway.networking.k8s.io v1,
 * v1beta1) into candidate routes, with the HTTPRoute status conditions a controller would write. Specification:
 * https://gateway-api.sigs.k8s.io/reference/spec/ (HTTPRoute, Gateway listeners, ReferenceGrant).
 *
 * A Gateway is ours when its `gatewayClassName` is the configured class (`edgeroute`, CLI `--gateway-class`) or
 * names a GatewayClass whose `controllerName` is {@link CONTROLLER_NAME}. Its HTTP listeners are the edge's plain
 * HTTP side and its HTTPS listeners the TLS side (Cloudflare serves them on 80 and 443). An HTTPRoute attaches to
 * the listeners its `parentRefs` select (`sectionName`, `port`) that allow it (`allowedRoutes`), on the hostnames
 * its own hostnames share with the listener's. Each (hostname, rule, match) becomes one CompiledRoute of kind
 * `HTTPRoute`; method, header and query conditions, filters and timeouts travel in its `gateway` field.
 *
 * Labelled inputs (`NAME=PATH`, one per cluster): Gateways, ReferenceGrants and Services are cluster-scoped, as
 * they are objects of one cluster's API server: an HTTPRoute attaches only to its own cluster's Gateways, is
 * granted only by its own cluster's ReferenceGrants and finds its Services there. The copies of one HTTPRoute
 * (namespace/name) in several clusters are then merged like Routes (./merge.ts): one route at the edge with
 * endpoints in each cluster, `edgeroute.dev/cluster-order` for active-passive.
 */
import type {
  Backend,
  CompiledRoute,
  GatewayMirror,
  GatewayRedirect,
  GatewayRule,
  HeaderAction,
  PathMatch,
  PathModifier,
} from "../table/types.ts";
import type { CompileOptions, RouteParentStatus } from "./types.ts";
import { clusterKey, readClusterOrder } from "./clusters.ts";
import { mergeClusters } from "./merge.ts";
import { unreachableReasons } from "../reach.ts";
import {
  backendId,
  DEFAULT_HEALTH_EXPECT,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_PATH,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_ON,
  DEFAULT_TIMEOUT_MS,
  defaultBalance,
} from "../table/defaults.ts";
import { CATCH_ALL_HOST } from "../host.ts";
import { DNS_SUBDOMAIN_RULE, dnsSubdomainProblem } from "./dns.ts";
import { HEADER_NAME_PATTERN } from "./header-actions.ts";
import type { CandidateRoute, ServiceInfo } from "./model.ts";
import type { ObjectMeta } from "./read.ts";
import type { Report, Subject } from "./report.ts";
import { addressedService, newResolveCache, type ResolveCache, serviceEndpoints } from "./resolve.ts";
import { arrayOf, recordOf, show, stringOf, type Json } from "./values.ts";

/** The `controllerName` of GatewayClasses served by edgeroute. */
export const CONTROLLER_NAME = "edgeroute.dev/gateway-controller";
export const DEFAULT_GATEWAY_CLASS = "edgeroute";
const GROUP = "gateway.networking.k8s.io";

/** A Gateway API object as read, with its identity. */
export interface GatewayObject {
  kind: "Gateway" | "GatewayClass" | "HTTPRoute" | "ReferenceGrant";
  object: Json;
  subject: Subject;
  meta: ObjectMeta;
}

/** What the read stage collects for this stage: Gateway API objects and the labels of Namespace objects. */
export interface GatewayInputs {
  objects: GatewayObject[];
  /** Namespace name → labels, from `v1 Namespace` objects (for `allowedRoutes.namespaces.selector`). */
  namespaces: Map<string, Record<string, string>>;
}

export function emptyGatewayInputs(): GatewayInputs {
  return { objects: [], namespaces: new Map() };
}

export interface GatewayOutput {
  candidates: CandidateRoute[];
  status: RouteParentStatus[];
}

interface Listener {
  name: string;
  /** `undefined`: any host. Lowercase; may be `*.suffix`. */
  hostname: string | undefined;
  port: number;
  https: boolean;
  allows(routeNamespace: string, gatewayNamespace: string): boolean;
  /** Whether `allowedRoutes.kinds` admits HTTPRoute. */
  allowsHttpRoute: boolean;
}

interface Gateway {
  /** `namespace/name`. */
  key: string;
  /** The cluster whose input holds it (labelled inputs only). */
  cluster: string | undefined;
  listeners: Listener[];
}

/** One `HTTPRouteMatch` after validation. */
interface Match {
  path: string;
  match: PathMatch;
  method?: string;
  headers?: { name: string; value: string }[];
  query?: { name: string; value: string }[];
}

interface RuleRef {
  field: string;
  /** `namespace/name` of a Service, when the reference is a valid one. */
  service: string | undefined;
  /** `namespace/name` as written, whatever the kind (for `validate` and `explain`). */
  label: string;
  port: number | undefined;
  weight: number;
  /** Why the reference cannot be used: reason and message. */
  invalid?: { reason: "BackendNotFound" | "RefNotPermitted" | "InvalidKind"; message: string };
}

interface Rule {
  matches: Match[];
  refs: RuleRef[];
  requestHeaders: HeaderAction[];
  responseHeaders: HeaderAction[];
  redirect?: GatewayRedirect;
  rewrite?: { hostname?: string; path?: PathModifier };
  mirrors: { ref: RuleRef; fraction: number }[];
  timeoutMs: number | undefined;
}

/** @param clusters the input's cluster names (sorted; empty when unlabelled), for `edgeroute.dev/cluster-order`. */
export function compileGateway(
  inputs: GatewayInputs,
  services: ReadonlyMap<string, ServiceInfo>,
  options: CompileOptions,
  clusters: readonly string[],
  report: Report,
): GatewayOutput {
  const className = options.gatewayClass ?? DEFAULT_GATEWAY_CLASS;
  const ourClasses = new Set<string>([className]);
  for (const o of inputs.objects) {
    if (o.kind === "GatewayClass" && stringOf(recordOf(o.object.spec).controllerName) === CONTROLLER_NAME)
      ourClasses.add(o.meta.name);
  }
  const gateways = new Map<string, Gateway>();
  for (const o of inputs.objects) {
    if (o.kind !== "Gateway") continue;
    const gatewayClass = stringOf(recordOf(o.object.spec).gatewayClassName) ?? "";
    if (!ourClasses.has(gatewayClass)) {
      report.notice(
        o.subject,
        "SkippedGatewayClass",
        "spec.gatewayClassName",
        `gatewayClassName ${show(gatewayClass)} is not served by edgeroute (class ${show(className)}, --gateway-class, or a GatewayClass with controllerName ${CONTROLLER_NAME}); the Gateway is skipped`,
      );
      continue;
    }
    const key = clusterKey(o.subject.source.cluster, `${o.meta.namespace}/${o.meta.name}`);
    gateways.set(key, readGateway(o, inputs.namespaces, report));
  }
  // ReferenceGrants by cluster: a grant admits references within its own cluster only.
  const grants = new Map<string | undefined, GatewayObject[]>();
  for (const o of inputs.objects) {
    if (o.kind !== "ReferenceGrant") continue;
    const list = grants.get(o.subject.source.cluster);
    if (list === undefined) grants.set(o.subject.source.cluster, [o]);
    else list.push(o);
  }
  const cache = newResolveCache();
  const out: GatewayOutput = { candidates: [], status: [] };
  for (const o of inputs.objects) {
    if (o.kind !== "HTTPRoute") continue;
    const own = grants.get(o.subject.source.cluster) ?? [];
    compileHttpRoute(o, gateways, own, services, options, clusters, cache, report, out);
  }
  return { candidates: mergeClusters(out.candidates, report), status: out.status };
}

function readGateway(o: GatewayObject, namespaces: GatewayInputs["namespaces"], report: Report): Gateway {
  const s = o.subject;
  const listeners: Listener[] = [];
  arrayOf(recordOf(o.object.spec).listeners).forEach((value, i) => {
    const l = recordOf(value);
    const at = `spec.listeners[${i}]`;
    const name = stringOf(l.name) ?? `#${i}`;
    const protocol = stringOf(l.protocol);
    if (protocol !== "HTTP" && protocol !== "HTTPS") {
      report.warning(
        s,
        "UnsupportedValue",
        `${at}.protocol`,
        `listener ${name}: protocol ${show(l.protocol)} is not served at the edge; edgeroute serves HTTP (plain side, port 80) and HTTPS (TLS side, port 443) listeners`,
      );
      return;
    }
    const port = typeof l.port === "number" ? l.port : protocol === "HTTPS" ? 443 : 80;
    const standard = protocol === "HTTPS" ? 443 : 80;
    if (port !== standard) {
      report.notice(
        s,
        "UnsupportedValue",
        `${at}.port`,
        `listener ${name}: ${protocol} port ${port} is served on the edge's ${protocol} port ${standard} (Cloudflare serves ${protocol} there); parentRefs may still select it by port ${port}`,
      );
    }
    let hostname: string | undefined;
    if (typeof l.hostname === "string" && l.hostname !== "") {
      const problem = hostnameProblem(l.hostname);
      if (problem !== null) {
        report.warning(s, "UnsupportedValue", `${at}.hostname`, `listener ${name}: hostname ${problem}`);
        return;
      }
      hostname = l.hostname;
    }
    const allowed = recordOf(l.allowedRoutes);
    const ns = recordOf(allowed.namespaces);
    const from = stringOf(ns.from) ?? "Same";
    let allows: Listener["allows"];
    if (from === "All") allows = () => true;
    else if (from === "Same") allows = (routeNs, gwNs) => routeNs === gwNs;
    else if (from === "Selector") {
      const selector = recordOf(ns.selector);
      allows = (routeNs) => selectorMatches(selector, namespaceLabels(routeNs, namespaces));
    } else {
      report.warning(
        s,
        "UnsupportedValue",
        `${at}.allowedRoutes.namespaces.from`,
        `listener ${name}: ${show(ns.from)} is not one of All, Same, Selector; the listener admits no routes`,
      );
      allows = () => false;
    }
    const kinds = arrayOf(allowed.kinds);
    const allowsHttpRoute =
      kinds.length === 0 ||
      kinds.some((k) => recordOf(k).kind === "HTTPRoute" && (recordOf(k).group ?? GROUP) === GROUP);
    listeners.push({ name, hostname, port, https: protocol === "HTTPS", allows, allowsHttpRoute });
  });
  return { key: `${o.meta.namespace}/${o.meta.name}`, cluster: o.subject.source.cluster, listeners };
}

/** Labels of a namespace: its Namespace object's, plus `kubernetes.io/metadata.name`, which the API server sets. */
function namespaceLabels(name: string, namespaces: GatewayInputs["namespaces"]): Record<string, string> {
  return { ...(namespaces.get(name) ?? {}), "kubernetes.io/metadata.name": name };
}

/** A Kubernetes label selector (matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist). */
function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(recordOf(selector.matchLabels))) if (labels[key] !== value) return false;
  for (const exprValue of arrayOf(selector.matchExpressions)) {
    const expr = recordOf(exprValue);
    const key = stringOf(expr.key) ?? "";
    const values = arrayOf(expr.values).filter((v): v is string => typeof v === "string");
    const has = Object.hasOwn(labels, key);
    switch (expr.operator) {
      case "In":
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** `null` for a Gateway API hostname (a DNS name, or `*.` and one), else what is wrong. */
function hostnameProblem(hostname: string): string | null {
  const name = hostname.startsWith("*.") ? hostname.slice(2) : hostname;
  const problem = dnsSubdomainProblem(name);
  return problem === null
    ? null
    : `${show(hostname)} ${problem}; it must be ${DNS_SUBDOMAIN_RULE}, optionally after "*."`;
}

/**
 * The hostnames a route serves on a listener: the spec's intersection of the route's hostnames with the
 * listener's (https://gateway-api.sigs.k8s.io/reference/spec/#httproutespec). A wildcard `*.S` covers any name
 * below S, however many labels deeper; two wildcards intersect to the more specific one. Neither naming a
 * hostname serves every host: the catch-all host, asked after every named and wildcard host.
 */
export function intersectHostnames(listener: string | undefined, route: readonly string[]): string[] {
  if (listener === undefined) return route.length === 0 ? [CATCH_ALL_HOST] : [...route];
  if (route.length === 0) return [listener];
  const out: string[] = [];
  const covers = (wildcard: string, name: string): boolean => name.endsWith(wildcard.slice(1));
  for (const host of route) {
    let hit: string | undefined;
    if (host === listener) hit = host;
    else if (listener.startsWith("*.") && host.startsWith("*.")) {
      if (covers(listener, host)) hit = host;
      else if (covers(host, listener)) hit = listener;
    } else if (listener.startsWith("*.")) {
      if (covers(listener, host)) hit = host;
    } else if (host.startsWith("*.")) {
      if (covers(host, listener)) hit = listener;
    }
    if (hit !== undefined && !out.includes(hit)) out.push(hit);
  }
  return out;
}

function compileHttpRoute(
  o: GatewayObject,
  gateways: ReadonlyMap<string, Gateway>,
  grants: readonly GatewayObject[],
  services: ReadonlyMap<string, ServiceInfo>,
  options: CompileOptions,
  clusters: readonly string[],
  cache: ResolveCache,
  report: Report,
  out: GatewayOutput,
): void {
  const s = o.subject;
  const spec = recordOf(o.object.spec);
  const routeNs = o.meta.namespace;
  const hostnames: string[] = [];
  arrayOf(spec.hostnames).forEach((h, i) => {
    const problem = typeof h === "string" ? hostnameProblem(h) : `${show(h)} is not a string`;
    if (problem !== null) report.error(s, "InvalidHost", `spec.hostnames[${i}]`, `hostname ${problem}`);
    else if (!hostnames.includes(h as string)) hostnames.push(h as string);
  });

  // Parents first: a route that attaches nowhere we serve needs no further checks.
  /** Host → the sides (plain HTTP, HTTPS) it is served on. */
  const served = new Map<string, { http: boolean; https: boolean }>();
  const statuses: RouteParentStatus[] = [];
  arrayOf(spec.parentRefs).forEach((value, p) => {
    const ref = recordOf(value);
    const at = `spec.parentRefs[${p}]`;
    if ((ref.group ?? GROUP) !== GROUP || (ref.kind ?? "Gateway") !== "Gateway") return;
    const key = `${stringOf(ref.namespace) ?? routeNs}/${stringOf(ref.name) ?? ""}`;
    // A Gateway of the HTTPRoute's own cluster only (Gateways are objects of one cluster).
    const gateway = gateways.get(clusterKey(s.source.cluster, key));
    const section = stringOf(ref.sectionName);
    const port = typeof ref.port === "number" ? ref.port : undefined;
    const parent = `${key}${section === undefined ? "" : `/${section}`}${port === undefined ? "" : `:${port}`}`;
    const accepted = (status: "True" | "False", reason: string, message: string): void => {
      statuses.push({ route: s.object, parent, conditions: [{ type: "Accepted", status, reason, message }] });
      if (status === "False")
        report.warning(s, reason as "NoMatchingParent", at, `not accepted by Gateway ${parent}: ${message}`);
    };
    if (gateway === undefined) {
      // A Gateway of another class belongs to another controller; said once, as a notice, in case of a typo.
      const ours = [...gateways.values()].filter((g) => g.cluster === s.source.cluster).map((g) => g.key);
      const input = s.source.cluster === undefined ? "the input" : `cluster ${s.source.cluster}'s input`;
      report.notice(
        s,
        "NoMatchingParent",
        `${at}.name`,
        `Gateway ${key} is not in ${input} or not of a class edgeroute serves (${ours.length === 0 ? `no Gateway of ours is in ${input}` : `ours: ${ours.join(", ")}`}); this parentRef is ignored`,
      );
      return;
    }
    const selected = gateway.listeners.filter(
      (l) => (section === undefined || l.name === section) && (port === undefined || l.port === port),
    );
    if (selected.length === 0) {
      accepted(
        "False",
        "NoMatchingParent",
        `no listener of Gateway ${key} has${section === undefined ? "" : ` name ${section}`}${section !== undefined && port !== undefined ? " and" : ""}${port === undefined ? "" : ` port ${port}`}; its listeners are ${gateway.listeners.map((l) => `${l.name} (${l.port})`).join(", ") || "none"}`,
      );
      return;
    }
    const gatewayNs = key.slice(0, key.indexOf("/"));
    const allowed = selected.filter((l) => l.allowsHttpRoute && l.allows(routeNs, gatewayNs));
    if (allowed.length === 0) {
      accepted(
        "False",
        "NotAllowedByListeners",
        `listener allowedRoutes do not admit an HTTPRoute from namespace ${routeNs} (default: only routes in the Gateway's namespace ${gatewayNs}; set allowedRoutes.namespaces.from All or a Selector)`,
      );
      return;
    }
    const attached: string[] = [];
    for (const l of allowed) {
      for (const host of intersectHostnames(l.hostname, hostnames)) {
        if (!attached.includes(l.name)) attached.push(l.name);
        const sides = served.get(host) ?? { http: false, https: false };
        if (l.https) sides.https = true;
        else sides.http = true;
        served.set(host, sides);
      }
    }
    if (attached.length === 0) {
      if (hostnames.length > 0) {
        accepted(
          "False",
          "NoMatchingListenerHostname",
          `none of the route's hostnames (${hostnames.join(", ")}) matches a listener hostname (${allowed.map((l) => l.hostname ?? "any").join(", ")})`,
        );
      }
      return;
    }
    accepted("True", "Accepted", `attached to listener ${attached.join(", ")}`);
  });

  const ruleErrors: string[] = [];
  const rules: Rule[] = [];
  arrayOf(spec.rules).forEach((value, r) => {
    const rule = readRule(recordOf(value), `spec.rules[${r}]`, o, grants, s, report, ruleErrors);
    if (rule !== undefined) rules.push(rule);
  });
  if (arrayOf(spec.rules).length === 0) {
    // The API defaults a route without rules to one rule matching every path with no backend.
    rules.push({
      matches: [defaultMatch()],
      refs: [],
      requestHeaders: [],
      responseHeaders: [],
      mirrors: [],
      timeoutMs: undefined,
    });
  }
  // Every reference is resolved before the status is written: ResolvedRefs covers missing Services too.
  const scheme = "http" as const;
  const unresolved: { field: string; reason: string; message: string }[] = [];
  const resolveRef = (ref: RuleRef): Backend => {
    const id = backendId(ref.label);
    if (ref.invalid !== undefined || ref.service === undefined) {
      const message = ref.invalid?.message ?? "unusable";
      unresolved.push({ field: ref.field, reason: ref.invalid?.reason ?? "BackendNotFound", message });
      return { service: ref.label, weight: ref.weight, id, endpoints: [], invalid: message };
    }
    const port = { port: ref.port === undefined ? undefined : { number: ref.port }, portSource: "ingress" as const };
    // A Service is found in the HTTPRoute's own cluster (NAME=PATH input), its endpoints tagged with it.
    const cluster = s.source.cluster;
    const inCluster = inClusterOnly(ref.service, services.get(clusterKey(cluster, ref.service)));
    if (inCluster !== undefined) {
      unresolved.push({ field: `${ref.field}.name`, reason: "BackendNotFound", message: inCluster });
      return { service: ref.service, weight: ref.weight, id, endpoints: [], invalid: inCluster };
    }
    const service = addressedService(ref.service, cluster, services);
    const found = "problem" in service ? service : serviceEndpoints(service, cluster, port, scheme, options, cache);
    if ("problem" in found) {
      const message = `Service ${ref.service}${found.details.join("; and")}`;
      // A forbidden address is never published; a missing or unusable Service answers 500 for its share.
      if (found.problem === "ForbiddenEndpoint")
        report.error(s, found.problem, `${ref.field}.name`, `${s.object} refers to ${message}`);
      else unresolved.push({ field: `${ref.field}.name`, reason: "BackendNotFound", message });
      return { service: ref.service, weight: ref.weight, id, endpoints: [], invalid: message };
    }
    return { service: ref.service, weight: ref.weight, id, endpoints: found.endpoints };
  };
  const resolved = rules.map((rule) => {
    const backends = rule.refs.map(resolveRef);
    const mirrored = rule.mirrors.map((m) => ({
      field: m.ref.field,
      fraction: m.fraction,
      backend: resolveRef(m.ref),
    }));
    const valid = mirrored.filter((m) => m.backend.invalid === undefined);
    return {
      backends,
      mirrors: valid.map(({ backend, fraction }): GatewayMirror => ({ backend, fraction })),
      /** Every backend the rule sends requests to, with the field that names it. */
      targets: [...backends.map((backend, i) => ({ field: rule.refs[i]?.field ?? "spec.rules", backend })), ...valid],
    };
  });
  if (served.size > 0) {
    for (const u of unresolved)
      report.warning(s, u.reason as "BackendNotFound", u.field, `${u.message}; requests for this backend answer 500`);
  }

  for (const st of statuses) {
    if (ruleErrors.length > 0 && st.conditions[0]?.status === "True") {
      st.conditions[0] = {
        type: "Accepted",
        status: "False",
        reason: "UnsupportedValue",
        message: ruleErrors.join("; "),
      };
    }
    const first = unresolved[0];
    st.conditions.push(
      first === undefined
        ? { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "all references resolved" }
        : {
            type: "ResolvedRefs",
            status: "False",
            reason: first.reason,
            message: unresolved.map((u) => `${u.field}: ${u.message}`).join("; "),
          },
    );
  }
  out.status.push(...statuses);
  if (ruleErrors.length > 0 || served.size === 0) return;

  const hosts = [...served.keys()].sort();
  const clusterOrder = readClusterOrder(s, o.meta.annotations, clusters, report);
  if (
    options.target === "remote" &&
    !reachable(
      s,
      hosts,
      resolved.flatMap((r) => r.targets),
      options,
      report,
    )
  )
    return;
  rules.forEach((rule, r) => {
    const { backends, mirrors } = resolved[r] as (typeof resolved)[number];
    rule.matches.forEach((match, m) => {
      for (const host of hosts) {
        const sides = served.get(host) as { http: boolean; https: boolean };
        const gateway: GatewayRule = {};
        if (match.method !== undefined) gateway.method = match.method;
        if (match.headers !== undefined) gateway.headers = match.headers;
        if (match.query !== undefined) gateway.query = match.query;
        if (rule.redirect !== undefined) gateway.redirect = rule.redirect;
        if (rule.rewrite !== undefined) gateway.rewrite = rule.rewrite;
        if (mirrors.length > 0) gateway.mirrors = mirrors;
        const route: CompiledRoute = {
          id: `${routeNs}/${o.meta.name}#${r}.${m}`,
          kind: "HTTPRoute",
          host,
          path: match.path,
          match: match.match,
          tls: sides.https ? { termination: "edge", insecure: sides.http ? "Allow" : "None" } : null,
          backends,
          balance: defaultBalance(backends),
          cookie: null,
          timeoutMs: rule.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          // The gateway's own defaults (no annotations on an HTTPRoute): retries and health as for any route.
          retryOn: DEFAULT_RETRY_ON,
          retries: DEFAULT_RETRIES,
          healthIntervalMs: DEFAULT_HEALTH_INTERVAL_MS,
          healthPath: DEFAULT_HEALTH_PATH,
          healthExpect: DEFAULT_HEALTH_EXPECT,
          forwarded: "append",
          rewriteTarget: null,
          requestHeaders: rule.requestHeaders,
          responseHeaders: rule.responseHeaders,
          hsts: null,
          ipAllowlist: null,
          rateLimit: null,
          jwt: null,
          tokenCheck: null,
          clientCert: null,
          gateway,
        };
        out.candidates.push({
          subject: s,
          namespace: routeNs,
          name: o.meta.name,
          created: o.meta.created,
          wildcard: host.startsWith("*.") ? "ingress" : null,
          hostField: "spec.hostnames",
          pathField: `spec.rules[${r}].matches[${m}].path`,
          clusterOrder,
          clusters: s.source.cluster === undefined ? [] : [s.source.cluster],
          route,
        });
      }
    });
  });
}

/**
 * Why a backendRef's Service cannot be reached from the edge because it exists only inside its cluster (ClusterIP,
 * headless, NodePort), or `undefined`. Routes and Ingresses to such Services are handed to the cluster's router
 * (./router.ts); HTTPRoutes are not: the OpenShift router serves Routes and Ingresses only (OpenShift's Gateway
 * API implementation is a separate Istio/Envoy gateway, https://docs.openshift.com/container-platform/latest/networking/gateway_api/about-gateway-api.html),
 * and handing the request to a cluster gateway serving the same HTTPRoute would apply its filters (header
 * modifiers, URL rewrites) a second time. The spec leaves an unreachable backend to the implementation but
 * requires its share of requests to fail (https://gateway-api.sigs.k8s.io/reference/spec/#httpbackendref), so it
 * is refused like a missing one: 500 for its share, ResolvedRefs False.
 */
function inClusterOnly(key: string, service: ServiceInfo | undefined): string | undefined {
  if (service === undefined || service.type === "LoadBalancer" || service.type === "ExternalName") return undefined;
  return (
    `Service ${key} is of type ${service.type}, which has no address outside its cluster, and edgeroute does not hand HTTPRoutes to the cluster's router (it serves Routes and Ingresses only); ` +
    `make the Service type LoadBalancer, name its load balancer with an ExternalName Service, or serve the host with an OpenShift Route, which is handed to the router (docs/gateway-api.md)`
  );
}

/**
 * For a remote table, as for Routes and Ingresses (./resolve.ts): every endpoint must be reachable by a deployed
 * Worker through each host the HTTPRoute serves (../reach.ts, the same rule and messages). An HTTPRoute with an
 * unreachable endpoint is an error and is not served.
 */
function reachable(
  s: Subject,
  hosts: readonly string[],
  targets: readonly { field: string; backend: Backend }[],
  options: CompileOptions,
  report: Report,
): boolean {
  const errorsBefore = report.errorCount();
  for (const { field, backend } of targets) {
    for (const endpoint of backend.endpoints) {
      for (const host of hosts) {
        const reasons = unreachableReasons(endpoint, host, options.zones ?? []);
        if (reasons.length === 0) continue;
        report.error(
          s,
          "UnreachableEndpoint",
          `${field}.name`,
          `${s.object} refers to Service ${backend.service}, whose endpoint ${endpoint.scheme}://${endpoint.host}:${endpoint.port} a deployed Worker cannot reach for host ${host}: ${reasons.join("; ")}`,
        );
      }
    }
  }
  return report.errorCount() === errorsBefore;
}

function defaultMatch(): Match {
  return { path: "/", match: "prefix" };
}

/** Gateway API Duration (`1h`, `10s`, `500ms`, `1m30s`; GEP-2257) in ms; `0s` disables the timeout. */
function parseDuration(text: string): number | undefined {
  if (!/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/([0-9]+)(ms|h|m|s)/g)) {
    const value = Number(n);
    ms += unit === "h" ? value * 3_600_000 : unit === "m" ? value * 60_000 : unit === "s" ? value * 1000 : value;
  }
  return ms;
}

/** The longest timer a Worker can set; `0s` ("no timeout") uses it. */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

function readRule(
  rule: Json,
  at: string,
  o: GatewayObject,
  grants: readonly GatewayObject[],
  s: Subject,
  report: Report,
  errors: string[],
): Rule | undefined {
  const fail = (field: string, message: string): undefined => {
    errors.push(`${field}: ${message}`);
    report.warning(s, "UnsupportedValue", field, `${message}; the HTTPRoute is not accepted and serves nothing`);
    return undefined;
  };
  const matches: Match[] = [];
  const matchValues = arrayOf(rule.matches);
  if (matchValues.length === 0) matches.push(defaultMatch());
  for (const [i, value] of matchValues.entries()) {
    const match = readMatch(recordOf(value), `${at}.matches[${i}]`, fail);
    if (match === undefined) return undefined;
    matches.push(match);
  }

  const result: Rule = {
    matches,
    refs: [],
    requestHeaders: [],
    responseHeaders: [],
    mirrors: [],
    timeoutMs: undefined,
  };
  const timeouts = recordOf(rule.timeouts);
  for (const key of ["request", "backendRequest"] as const) {
    const value = timeouts[key];
    if (value === undefined) continue;
    const ms = typeof value === "string" ? parseDuration(value) : undefined;
    if (ms === undefined)
      return fail(`${at}.timeouts.${key}`, `${show(value)} is not a duration such as 10s, 500ms or 1m30s`);
    const effective = ms === 0 ? NO_TIMEOUT_MS : ms;
    result.timeoutMs = Math.min(result.timeoutMs ?? NO_TIMEOUT_MS, effective);
  }

  const filterTypes = new Set<string>();
  for (const [i, value] of arrayOf(rule.filters).entries()) {
    const filter = recordOf(value);
    const field = `${at}.filters[${i}]`;
    const type = stringOf(filter.type) ?? "";
    if (type !== "RequestMirror" && filterTypes.has(type))
      return fail(`${field}.type`, `${type} may appear only once per rule`);
    filterTypes.add(type);
    switch (type) {
      case "RequestHeaderModifier": {
        const actions = readHeaderModifier(
          recordOf(filter.requestHeaderModifier),
          `${field}.requestHeaderModifier`,
          fail,
        );
        if (actions === undefined) return undefined;
        result.requestHeaders = actions;
        break;
      }
      case "ResponseHeaderModifier": {
        const actions = readHeaderModifier(
          recordOf(filter.responseHeaderModifier),
          `${field}.responseHeaderModifier`,
          fail,
        );
        if (actions === undefined) return undefined;
        result.responseHeaders = actions;
        break;
      }
      case "RequestRedirect": {
        const redirect = readRedirect(recordOf(filter.requestRedirect), `${field}.requestRedirect`, matches, fail);
        if (redirect === undefined) return undefined;
        result.redirect = redirect;
        break;
      }
      case "URLRewrite": {
        const rw = recordOf(filter.urlRewrite);
        const rewrite: Rule["rewrite"] = {};
        if (rw.hostname !== undefined) {
          const problem = typeof rw.hostname === "string" ? dnsSubdomainProblem(rw.hostname) : "is not a string";
          if (problem !== null) return fail(`${field}.urlRewrite.hostname`, `hostname ${show(rw.hostname)} ${problem}`);
          rewrite.hostname = rw.hostname as string;
        }
        if (rw.path !== undefined) {
          const path = readPathModifier(recordOf(rw.path), `${field}.urlRewrite.path`, matches, fail);
          if (path === undefined) return undefined;
          rewrite.path = path;
        }
        result.rewrite = rewrite;
        break;
      }
      case "RequestMirror": {
        const mirror = recordOf(filter.requestMirror);
        const ref = readBackendRef(recordOf(mirror.backendRef), `${field}.requestMirror.backendRef`, o, grants, true);
        let fraction = 1;
        if (mirror.percent !== undefined) {
          if (typeof mirror.percent !== "number" || mirror.percent < 0 || mirror.percent > 100)
            return fail(`${field}.requestMirror.percent`, `${show(mirror.percent)} is not a percentage from 0 to 100`);
          fraction = mirror.percent / 100;
        } else if (mirror.fraction !== undefined) {
          const f = recordOf(mirror.fraction);
          const numerator = f.numerator;
          const denominator = f.denominator ?? 100;
          if (
            typeof numerator !== "number" ||
            typeof denominator !== "number" ||
            denominator <= 0 ||
            numerator < 0 ||
            numerator > denominator
          )
            return fail(
              `${field}.requestMirror.fraction`,
              `${show(mirror.fraction)} must have 0 ≤ numerator ≤ denominator and denominator > 0`,
            );
          fraction = numerator / denominator;
        }
        result.mirrors.push({ ref, fraction });
        break;
      }
      default:
        return fail(
          `${field}.type`,
          `filter type ${show(filter.type)} is not supported; edgeroute supports RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite and RequestMirror`,
        );
    }
  }
  if (result.redirect !== undefined && result.rewrite !== undefined)
    return fail(`${at}.filters`, "RequestRedirect and URLRewrite cannot be used in the same rule");

  for (const [i, value] of arrayOf(rule.backendRefs).entries()) {
    const ref = recordOf(value);
    const field = `${at}.backendRefs[${i}]`;
    if (arrayOf(ref.filters).length > 0)
      return fail(`${field}.filters`, "backendRef-level filters are not supported; put the filter on the rule");
    result.refs.push(readBackendRef(ref, field, o, grants, false));
  }
  if (result.redirect !== undefined && result.refs.length > 0)
    return fail(
      `${at}.backendRefs`,
      "a rule with a RequestRedirect filter answers the redirect itself and may not have backendRefs",
    );
  return result;
}

function readMatch(match: Json, at: string, fail: (field: string, message: string) => undefined): Match | undefined {
  const path = recordOf(match.path);
  const type = stringOf(path.type) ?? "PathPrefix";
  const value = path.value ?? "/";
  if (typeof value !== "string" || !value.startsWith("/"))
    return fail(`${at}.path.value`, `path ${show(value)} must be a string starting with "/"`);
  if (type === "RegularExpression")
    return fail(
      `${at}.path.type`,
      "RegularExpression path matches are not supported (implementation-specific in the Gateway API, and a regex per request would break the one-probe-per-segment lookup); use Exact or PathPrefix",
    );
  if (type !== "Exact" && type !== "PathPrefix")
    return fail(`${at}.path.type`, `${show(path.type)} is not one of Exact, PathPrefix`);
  if (/\/\/|\/\.\.?(\/|$)|[?#%]/.test(value) && type === "PathPrefix" && value !== "/")
    return fail(`${at}.path.value`, `path ${show(value)} must not contain "//", "/./", "/../", "%", "?" or "#"`);
  // PathPrefix ignores a trailing slash (HTTPPathMatch docs: `/abc/` matches `/abc`).
  const out: Match =
    type === "Exact" ? { path: value, match: "exact" } : { path: value.replace(/\/+$/, "") || "/", match: "prefix" };
  if (match.method !== undefined) {
    const methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
    if (typeof match.method !== "string" || !methods.includes(match.method))
      return fail(`${at}.method`, `${show(match.method)} is not one of ${methods.join(", ")}`);
    out.method = match.method;
  }
  const headers: { name: string; value: string }[] = [];
  for (const [i, h] of arrayOf(match.headers).entries()) {
    const header = recordOf(h);
    const field = `${at}.headers[${i}]`;
    if ((header.type ?? "Exact") !== "Exact")
      return fail(
        `${field}.type`,
        `${show(header.type)} header matches are not supported; use Exact (RegularExpression is implementation-specific and refused)`,
      );
    if (typeof header.name !== "string" || !HEADER_NAME_PATTERN.test(header.name))
      return fail(`${field}.name`, `header name ${show(header.name)} is not an HTTP token`);
    if (typeof header.value !== "string") return fail(`${field}.value`, `${show(header.value)} is not a string`);
    const name = header.name.toLowerCase();
    // The spec: entries with an equivalent name after the first are ignored.
    if (!headers.some((x) => x.name === name)) headers.push({ name, value: header.value });
  }
  if (headers.length > 0) out.headers = headers;
  const query: { name: string; value: string }[] = [];
  for (const [i, q] of arrayOf(match.queryParams).entries()) {
    const param = recordOf(q);
    const field = `${at}.queryParams[${i}]`;
    if ((param.type ?? "Exact") !== "Exact")
      return fail(
        `${field}.type`,
        `${show(param.type)} query matches are not supported; use Exact (RegularExpression is implementation-specific and refused)`,
      );
    if (typeof param.name !== "string" || param.name === "")
      return fail(`${field}.name`, `query parameter name ${show(param.name)} must be a non-empty string`);
    if (typeof param.value !== "string") return fail(`${field}.value`, `${show(param.value)} is not a string`);
    if (!query.some((x) => x.name === param.name)) query.push({ name: param.name, value: param.value });
  }
  if (query.length > 0) out.query = query;
  return out;
}

function readHeaderModifier(
  modifier: Json,
  at: string,
  fail: (field: string, message: string) => undefined,
): HeaderAction[] | undefined {
  const actions: HeaderAction[] = [];
  for (const list of ["set", "add"] as const) {
    for (const [i, value] of arrayOf(modifier[list]).entries()) {
      const entry = recordOf(value);
      const field = `${at}.${list}[${i}]`;
      if (typeof entry.name !== "string" || !HEADER_NAME_PATTERN.test(entry.name))
        return fail(`${field}.name`, `header name ${show(entry.name)} is not an HTTP token`);
      if (entry.name.toLowerCase() === "host")
        return fail(`${field}.name`, "the Host header cannot be set by a filter at the edge; use URLRewrite hostname");
      if (typeof entry.value !== "string") return fail(`${field}.value`, `${show(entry.value)} is not a string`);
      actions.push({ name: entry.name, action: list === "set" ? "Set" : "Add", value: entry.value });
    }
  }
  for (const [i, name] of arrayOf(modifier.remove).entries()) {
    if (typeof name !== "string" || !HEADER_NAME_PATTERN.test(name))
      return fail(`${at}.remove[${i}]`, `header name ${show(name)} is not an HTTP token`);
    actions.push({ name, action: "Delete" });
  }
  return actions;
}

function readPathModifier(
  path: Json,
  at: string,
  matches: readonly Match[],
  fail: (field: string, message: string) => undefined,
): PathModifier | undefined {
  if (path.type === "ReplaceFullPath") {
    const value = path.replaceFullPath;
    if (typeof value !== "string" || !value.startsWith("/"))
      return fail(`${at}.replaceFullPath`, `${show(value)} must be a path starting with "/"`);
    return { type: "full", value };
  }
  if (path.type === "ReplacePrefixMatch") {
    const value = path.replacePrefixMatch;
    if (typeof value !== "string" || !value.startsWith("/"))
      return fail(`${at}.replacePrefixMatch`, `${show(value)} must be a path starting with "/"`);
    if (matches.some((m) => m.match !== "prefix"))
      return fail(`${at}.type`, "ReplacePrefixMatch needs every match of the rule to be a PathPrefix match");
    return { type: "prefix", value };
  }
  return fail(`${at}.type`, `${show(path.type)} is not one of ReplaceFullPath, ReplacePrefixMatch`);
}

function readRedirect(
  r: Json,
  at: string,
  matches: readonly Match[],
  fail: (field: string, message: string) => undefined,
): GatewayRedirect | undefined {
  const statusCode = r.statusCode ?? 302;
  if (statusCode !== 301 && statusCode !== 302 && statusCode !== 303 && statusCode !== 307 && statusCode !== 308)
    return fail(`${at}.statusCode`, `${show(statusCode)} is not one of 301, 302, 303, 307, 308`);
  const redirect: GatewayRedirect = { statusCode };
  if (r.scheme !== undefined) {
    if (r.scheme !== "http" && r.scheme !== "https")
      return fail(`${at}.scheme`, `${show(r.scheme)} is not one of http, https`);
    redirect.scheme = r.scheme;
  }
  if (r.hostname !== undefined) {
    const problem = typeof r.hostname === "string" ? dnsSubdomainProblem(r.hostname) : "is not a string";
    if (problem !== null) return fail(`${at}.hostname`, `hostname ${show(r.hostname)} ${problem}`);
    redirect.hostname = r.hostname as string;
  }
  if (r.port !== undefined) {
    if (typeof r.port !== "number" || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535)
      return fail(`${at}.port`, `${show(r.port)} is not a port number from 1 to 65535`);
    redirect.port = r.port;
  }
  if (r.path !== undefined) {
    const path = readPathModifier(recordOf(r.path), `${at}.path`, matches, fail);
    if (path === undefined) return undefined;
    redirect.path = path;
  }
  return redirect;
}

/**
 * One backendRef. A Service in another namespace needs a ReferenceGrant in that namespace from HTTPRoutes of the
 * route's namespace (https://gateway-api.sigs.k8s.io/api-types/referencegrant/).
 */
function readBackendRef(
  ref: Json,
  field: string,
  o: GatewayObject,
  grants: readonly GatewayObject[],
  mirror: boolean,
): RuleRef {
  const group = stringOf(ref.group) ?? "";
  const kind = stringOf(ref.kind) ?? "Service";
  const name = stringOf(ref.name) ?? "";
  const namespace = stringOf(ref.namespace) ?? o.meta.namespace;
  const weight = mirror ? 1 : typeof ref.weight === "number" && ref.weight >= 0 ? Math.min(ref.weight, 1_000_000) : 1;
  const port = typeof ref.port === "number" ? ref.port : undefined;
  const out: RuleRef = { field, service: undefined, label: `${namespace}/${name}`, port, weight };
  if ((group !== "" && group !== "core") || kind !== "Service") {
    out.invalid = {
      reason: "InvalidKind",
      message: `${group === "" ? "" : `${group}/`}${kind} ${name} is not a Service; backendRefs must name core Services`,
    };
    return out;
  }
  if (port === undefined) {
    out.invalid = {
      reason: "BackendNotFound",
      message: `Service ${namespace}/${name} is referenced without a port; a Service backendRef needs port`,
    };
    return out;
  }
  if (namespace !== o.meta.namespace && !granted(grants, o.meta.namespace, namespace, name)) {
    out.invalid = {
      reason: "RefNotPermitted",
      message: `Service ${namespace}/${name} is in another namespace and no ReferenceGrant in ${namespace} allows HTTPRoutes from ${o.meta.namespace} to reach it`,
    };
    return out;
  }
  out.service = `${namespace}/${name}`;
  return out;
}

function granted(grants: readonly GatewayObject[], fromNs: string, toNs: string, name: string): boolean {
  return grants.some((g) => {
    if (g.meta.namespace !== toNs) return false;
    const spec = recordOf(g.object.spec);
    const from = arrayOf(spec.from).some((f) => {
      const x = recordOf(f);
      return x.group === GROUP && x.kind === "HTTPRoute" && x.namespace === fromNs;
    });
    const to = arrayOf(spec.to).some((t) => {
      const x = recordOf(t);
      return (
        (x.group ?? "") === "" && x.kind === "Service" && (x.name === undefined || x.name === "" || x.name === name)
      );
    });
    return from && to;
  });
}

export function isGatewayKind(apiVersion: string, kind: string): GatewayObject["kind"] | undefined {
  if (apiVersion !== `${GROUP}/v1` && apiVersion !== `${GROUP}/v1beta1`) return undefined;
  return kind === "Gateway" || kind === "GatewayClass" || kind === "HTTPRoute" || kind === "ReferenceGrant"
    ? kind
    : undefined;
}
