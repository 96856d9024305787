/**
 * @module Canary annotations. Routes: the `edgeroute.dev/canary-*` set below picks out requests for one of the
 * Route's own backends. Ingresses: ingress-nginx's canary annotations on a second Ingress for the same host and
 * path (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary); its backend
 * joins the primary Ingress's route with weight 0, reached only through the canary rules.
 */
import { backendId } from "../table/defaults.ts";
import { HEADER_NAME_PATTERN } from "./header-actions.ts";
import type { BackendRef, CandidateRoute, RouteDraft } from "./model.ts";
import { annotationField, type Report } from "./report.ts";
import { parseGoInt } from "./values.ts";
import type { Canary } from "../table/types.ts";

/** Route annotations (documented in docs/canary.md). */
export const ROUTE_CANARY = {
  backend: "edgeroute.dev/canary-backend",
  header: "edgeroute.dev/canary-by-header",
  headerValue: "edgeroute.dev/canary-by-header-value",
  headerPattern: "edgeroute.dev/canary-by-header-pattern",
  cookie: "edgeroute.dev/canary-by-cookie",
  query: "edgeroute.dev/canary-by-query",
  queryValue: "edgeroute.dev/canary-by-query-value",
} as const;

const NGINX = "nginx.ingress.kubernetes.io/";
export const NGINX_CANARY = {
  canary: `${NGINX}canary`,
  header: `${NGINX}canary-by-header`,
  headerValue: `${NGINX}canary-by-header-value`,
  headerPattern: `${NGINX}canary-by-header-pattern`,
  cookie: `${NGINX}canary-by-cookie`,
  weight: `${NGINX}canary-weight`,
  weightTotal: `${NGINX}canary-weight-total`,
} as const;

/**
 * The canary of a draft: for a Route, from `edgeroute.dev/canary-*` (backend resolved to its id); for an Ingress
 * with `nginx.ingress.kubernetes.io/canary: "true"`, its rules with `backend` still empty (filled when it is
 * merged into its primary). `undefined`: no canary, or an error was reported.
 */
export function readCanary(draft: RouteDraft, backendRefs: readonly BackendRef[], report: Report): Canary | undefined {
  const a = draft.annotations;
  const s = draft.subject;
  const error = (name: string, message: string): undefined => {
    report.error(s, "InvalidAnnotation", annotationField(name), message);
    return undefined;
  };
  const names = draft.kind === "Ingress" ? NGINX_CANARY : ROUTE_CANARY;
  if (draft.kind === "Ingress" && a[NGINX_CANARY.canary] !== "true") return undefined;
  if (draft.kind === "Route" && !Object.values(ROUTE_CANARY).some((name) => a[name] !== undefined)) return undefined;
  const canary: Canary = { backend: "" };

  const header = a[names.header];
  if (header !== undefined) {
    if (!HEADER_NAME_PATTERN.test(header))
      return error(names.header, `${JSON.stringify(header)} is not an HTTP header name`);
    canary.header = { name: header.toLowerCase() };
    const value = a[names.headerValue];
    const pattern = a[names.headerPattern];
    if (value !== undefined) canary.header.value = value;
    else if (pattern !== undefined) {
      try {
        new RegExp(pattern);
      } catch (e) {
        return error(
          names.headerPattern,
          `${JSON.stringify(pattern)} is not a regular expression (${(e as Error).message})`,
        );
      }
      canary.header.pattern = pattern;
    }
  }
  const cookie = a[names.cookie];
  if (cookie !== undefined) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookie))
      return error(names.cookie, `${JSON.stringify(cookie)} is not a cookie name`);
    canary.cookie = cookie;
  }
  if (draft.kind === "Route") {
    const query = a[ROUTE_CANARY.query];
    if (query !== undefined) {
      if (query === "") return error(ROUTE_CANARY.query, "the query parameter name is empty");
      canary.query = { name: query };
      const value = a[ROUTE_CANARY.queryValue];
      if (value !== undefined) canary.query.value = value;
    }
    const service = a[ROUTE_CANARY.backend];
    const services = backendRefs.map((b) => b.service);
    if (service === undefined || !services.includes(service)) {
      return error(
        ROUTE_CANARY.backend,
        `${service === undefined ? "is missing" : `${JSON.stringify(service)} is not a backend of the Route`}: canary annotations need the Service that receives canary requests, one of ${services.join(", ")} (spec.to or spec.alternateBackends)`,
      );
    }
    if (canary.header === undefined && canary.cookie === undefined && canary.query === undefined)
      return error(
        ROUTE_CANARY.backend,
        `needs ${ROUTE_CANARY.header}, ${ROUTE_CANARY.cookie} or ${ROUTE_CANARY.query}`,
      );
    canary.backend = backendId(`${draft.namespace}/${service}`);
    return canary;
  }
  const weight = a[NGINX_CANARY.weight];
  if (weight !== undefined) {
    const total = a[NGINX_CANARY.weightTotal] === undefined ? 100 : parseGoInt(a[NGINX_CANARY.weightTotal] as string);
    if (total === undefined || total <= 0)
      return error(NGINX_CANARY.weightTotal, "must be a positive integer (default 100)");
    const w = parseGoInt(weight);
    if (w === undefined || w < 0 || w > total)
      return error(NGINX_CANARY.weight, `must be an integer from 0 to ${total}`);
    canary.weight = { weight: w, total };
  }
  return canary;
}

/**
 * Each canary Ingress route joins the primary Ingress route of the same host, path and path type: its backend is
 * added with weight 0 and named as the canary. A canary without a primary is reported and dropped (ingress-nginx
 * needs the primary too); only one canary per primary, as in ingress-nginx.
 */
export function mergeIngressCanaries(candidates: readonly CandidateRoute[], report: Report): CandidateRoute[] {
  const key = (c: CandidateRoute): string => `${c.route.host}\n${c.route.path}\n${c.route.match}`;
  const isCanary = (c: CandidateRoute): boolean => c.route.kind === "Ingress" && c.route.canary !== undefined;
  const primaries = new Map<string, CandidateRoute>();
  for (const c of candidates)
    if (c.route.kind === "Ingress" && !isCanary(c) && !primaries.has(key(c))) primaries.set(key(c), c);
  const out: CandidateRoute[] = [];
  for (const c of candidates) {
    if (!isCanary(c)) {
      out.push(c);
      continue;
    }
    const primary = primaries.get(key(c));
    const backend = c.route.backends[0];
    const where = `${c.route.host}${c.route.path === "" ? "" : ` path ${c.route.path}`}`;
    if (primary === undefined || backend === undefined) {
      report.warning(
        c.subject,
        "RouteNotAdmitted",
        annotationField(NGINX_CANARY.canary),
        `no primary Ingress serves ${where}; a canary Ingress needs one for the same host and path, so this one is not served`,
      );
      continue;
    }
    if (primary.route.canary !== undefined) {
      report.warning(
        c.subject,
        "RouteNotAdmitted",
        annotationField(NGINX_CANARY.canary),
        `${primary.subject.object} already has a canary for ${where}; only one canary per host and path is served`,
      );
      continue;
    }
    const canary: Canary = { ...(c.route.canary as Canary), backend: backend.id };
    if (!primary.route.backends.some((b) => b.id === backend.id)) {
      primary.route = { ...primary.route, backends: [...primary.route.backends, { ...backend, weight: 0 }] };
    }
    primary.route = { ...primary.route, canary };
  }
  return out;
}
