/**
 * @module Stage 4, merge clusters: the same Route, Ingress or HTTPRoute (kind and namespace/name) exported from several
 * clusters is one route at the edge, whose backends have endpoints in each cluster (each tagged with its
 * cluster). The copies must agree on host, path and TLS, what decides which requests the route serves: otherwise
 * the newer copy is an error naming both. Every other setting is taken from the oldest copy (the router's "oldest
 * wins", creationTimestamp then cluster name), with a warning when the copies differ. Then each endpoint gets its
 * `priority` from `edgeroute.dev/cluster-order` (./clusters.ts). Unlabelled input passes through unchanged.
 */
import type { Backend, Endpoint } from "../table/types.ts";
import { CLUSTER_ORDER_ANNOTATION } from "./clusters.ts";
import type { CandidateRoute } from "./model.ts";
import { annotationField, type Report } from "./report.ts";
import { canonicalJson } from "../table/codec.ts";

export function mergeClusters(candidates: readonly CandidateRoute[], report: Report): CandidateRoute[] {
  const groups = new Map<string, CandidateRoute[]>();
  for (const candidate of candidates) {
    const route = candidate.route;
    // An Ingress's `#default` route and an HTTPRoute match repeat their id on every host they serve: id plus host
    // is the route.
    const perHost = route.id.endsWith("#default") || route.kind === "HTTPRoute";
    const key = `${route.kind}\n${route.id}${perHost ? `\n${route.host}` : ""}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [candidate]);
    else group.push(candidate);
  }
  const out: CandidateRoute[] = [];
  for (const copies of groups.values()) {
    const merged = copies.length === 1 ? copies[0] : mergeCopies(copies, report);
    if (merged !== undefined) out.push(prioritise(merged));
  }
  return out;
}

/** Oldest first: creationTimestamp (absent = newest), then cluster name. */
function compareCopies(a: CandidateRoute, b: CandidateRoute): number {
  if (a.created !== b.created) {
    if (a.created === "") return 1;
    if (b.created === "") return -1;
    return a.created < b.created ? -1 : 1;
  }
  const ac = a.clusters[0] ?? "";
  const bc = b.clusters[0] ?? "";
  return ac < bc ? -1 : ac > bc ? 1 : 0;
}

function where(c: CandidateRoute): string {
  const source = c.subject.source;
  return `${c.subject.object} (${source.file}${source.line === undefined ? "" : `:${source.line}`})`;
}

function mergeCopies(copies: CandidateRoute[], report: Report): CandidateRoute | undefined {
  const [oldest, ...others] = [...copies].sort(compareCopies);
  if (oldest === undefined) return undefined;
  const backends: Backend[] = oldest.route.backends.map((b) => ({ ...b, endpoints: [...b.endpoints] }));
  // HTTPRoute RequestMirror backends: their endpoints are merged like the route's own backends.
  const mirrors = oldest.route.gateway?.mirrors?.map((m) => ({
    ...m,
    backend: { ...m.backend, endpoints: [...m.backend.endpoints] },
  }));
  const clusters = [...oldest.clusters];
  const rule =
    "the copies of one route in several clusters are served as one route and must agree on host, path and TLS";
  for (const copy of others) {
    const a = oldest.route;
    const b = copy.route;
    const conflict =
      a.host !== b.host
        ? { field: copy.hostField, what: `host ${b.host}`, theirs: `host ${a.host}` }
        : a.path !== b.path || a.match !== b.match
          ? { field: copy.pathField, what: describePath(b), theirs: describePath(a) }
          : canonicalJson(a.tls) !== canonicalJson(b.tls)
            ? { field: "spec.tls", what: describeTls(b.tls), theirs: describeTls(a.tls) }
            : null;
    if (conflict !== null) {
      report.error(
        copy.subject,
        "ClusterCopiesDisagree",
        conflict.field,
        `${copy.subject.object} has ${conflict.what}, but its copy ${where(oldest)} has ${conflict.theirs}; ${rule}`,
      );
      continue;
    }
    const differs = differingSettings(oldest, copy);
    for (const backend of b.backends) {
      const known = backends.find((each) => each.service === backend.service);
      if (known === undefined) backends.push({ ...backend, endpoints: [...backend.endpoints] });
      else {
        if (known.weight !== backend.weight) differs.push(`the weight of Service ${backend.service}`);
        known.endpoints.push(...backend.endpoints);
      }
    }
    for (const mirror of b.gateway?.mirrors ?? []) {
      const known = mirrors?.find((each) => each.backend.service === mirror.backend.service);
      known?.backend.endpoints.push(...mirror.backend.endpoints);
    }
    if (differs.length > 0) {
      report.warning(
        copy.subject,
        "ClusterCopiesDisagree",
        "",
        `${copy.subject.object} differs from its older copy ${where(oldest)} in ${differs.join(", ")}; the route is served once, with the settings of the oldest copy (cluster ${oldest.clusters[0] ?? "-"})`,
      );
    }
    clusters.push(...copy.clusters);
  }
  const kind = oldest.route.kind;
  const object = `${kind} ${oldest.namespace}/${oldest.name} (clusters ${clusters.join(", ")})`;
  const route = { ...oldest.route, backends };
  if (route.gateway !== undefined && mirrors !== undefined) route.gateway = { ...route.gateway, mirrors };
  return { ...oldest, subject: { ...oldest.subject, object }, clusters, route };
}

/** Route settings (everything but where it serves and its backends) that differ between two copies, by name. */
function differingSettings(a: CandidateRoute, b: CandidateRoute): string[] {
  const out: string[] = [];
  const skip = new Set(["id", "kind", "host", "path", "match", "tls", "backends"]);
  for (const key of Object.keys(a.route) as (keyof typeof a.route)[]) {
    const differs =
      key === "gateway"
        ? canonicalJson(comparableGateway(a)) !== canonicalJson(comparableGateway(b))
        : canonicalJson(a.route[key]) !== canonicalJson(b.route[key]);
    if (!skip.has(key) && differs) out.push(key);
  }
  if (canonicalJson(a.clusterOrder) !== canonicalJson(b.clusterOrder))
    out.push(annotationField(CLUSTER_ORDER_ANNOTATION));
  const services = (c: CandidateRoute): string =>
    c.route.backends
      .map((backend) => backend.service)
      .sort()
      .join(",");
  if (services(a) !== services(b)) out.push("its backend Services (all are served)");
  return out;
}

/** An HTTPRoute match's conditions and filters without the mirrors' endpoints, which each cluster has its own of. */
function comparableGateway(c: CandidateRoute): unknown {
  const g = c.route.gateway;
  if (g?.mirrors === undefined) return g;
  return { ...g, mirrors: g.mirrors.map((m) => ({ service: m.backend.service, fraction: m.fraction })) };
}

/**
 * Endpoint priorities from the cluster order: the position of the endpoint's cluster in the list, clusters not
 * listed after every listed one. Priority 0 is left out (the contract's default), so an active-active table is
 * byte for byte what it was before priorities existed.
 */
function prioritise(candidate: CandidateRoute): CandidateRoute {
  const order = candidate.clusterOrder;
  if (order === null) return candidate;
  const priorityOf = (endpoint: Endpoint): number => {
    const at = endpoint.cluster === undefined ? -1 : order.indexOf(endpoint.cluster);
    return at < 0 ? order.length : at;
  };
  const backends = candidate.route.backends.map((backend) => ({
    ...backend,
    endpoints: backend.endpoints.map((endpoint): Endpoint => {
      const priority = priorityOf(endpoint);
      return priority === 0 ? endpoint : { ...endpoint, priority };
    }),
  }));
  return { ...candidate, route: { ...candidate.route, backends } };
}

function describePath(route: { path: string; match: string }): string {
  return route.path === "" ? "no path" : `${route.match} path ${route.path}`;
}

function describeTls(tls: CandidateRoute["route"]["tls"]): string {
  return tls === null ? "no TLS" : `TLS ${tls.termination}/${tls.insecure}`;
}
