/**
 * @module Read a `networking.k8s.io/v1` Ingress into route drafts: one per (rule host, path), as the OpenShift
 * route controller does (RCM `pkg/route/ingress/ingress.go`), plus `spec.defaultBackend` for the rules' hosts.
 * A rule without a host and the default backend also serve the catch-all host ({@link CATCH_ALL_HOST}): "If no
 * host is specified, the rule applies to all inbound HTTP traffic", and "if none of the hosts or paths match the
 * HTTP request in the Ingress objects, the traffic is routed to your default backend"
 * (https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules, #default-backend). The
 * matcher asks the catch-all below every named and wildcard host (worker/core/match.ts).
 */
import { CATCH_ALL_HOST } from "../host.ts";
import type { PathMatch } from "../table/types.ts";
import type { CompileOptions } from "./types.ts";
import type { BackendDraft, RouteDraft, RouterStatus, TlsDraft } from "./model.ts";
import type { ObjectMeta } from "./read.ts";
import { annotationField, type Report, type Subject } from "./report.ts";
import { arrayOf, isRecord, recordOf, show, stringOf, type Json } from "./values.ts";

const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const TERMINATION_ANNOTATION = "route.openshift.io/termination";
const DESTINATION_CA_ANNOTATION = "route.openshift.io/destination-ca-certificate-secret";

export function readIngress(
  object: Json,
  subject: Subject,
  meta: ObjectMeta,
  options: CompileOptions,
  report: Report,
): RouteDraft[] {
  const spec = recordOf(object.spec);
  if (!managedByUs(spec, meta, subject, options, report)) return [];

  const tlsFor = ingressTls(spec, meta, subject, report);
  // The ingress controller's load balancer, as the controller publishes it (for OpenShift, the router's canonical
  // host name): https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressStatus
  const routerStatus: RouterStatus = {
    kind: "ingress",
    addresses: arrayOf(recordOf(recordOf(object.status).loadBalancer).ingress).map((value, i) => {
      const entry = recordOf(value);
      return { value: entry.ip ?? entry.hostname, field: `status.loadBalancer.ingress[${i}]` };
    }),
  };
  const drafts: RouteDraft[] = [];
  const base = (id: string, host: unknown, hostField: string): Omit<RouteDraft, "path" | "match" | "backends"> => ({
    subject,
    kind: "Ingress",
    id: `${meta.namespace}/${meta.name}#${id}`,
    namespace: meta.namespace,
    name: meta.name,
    created: meta.created,
    uid: meta.uid,
    host: host === undefined || host === null || host === "" ? undefined : { value: host, field: hostField },
    hostField,
    subdomain: undefined,
    wildcardPolicy: undefined,
    tls: typeof host === "string" ? tlsFor(host) : undefined,
    alternateBackendsField: undefined,
    headerActions: undefined,
    annotations: meta.annotations,
    routerStatus,
  });

  /** Hosts of the rules, first rule naming each, and whether the rules already serve every path of it. */
  const hosts = new Map<string, { field: string; catchAll: boolean }>();
  arrayOf(spec.rules).forEach((ruleValue, r) => {
    const rule = recordOf(ruleValue);
    const hostField = `spec.rules[${r}].host`;
    if (rule.host === CATCH_ALL_HOST) {
      // The API server refuses a bare "*" (a wildcard is "*." and a DNS name); "no host" is how to write it.
      report.error(
        subject,
        "InvalidHost",
        hostField,
        `host "*" is not a host name; leave the host out for a rule that serves every host no other rule names, or write a wildcard such as *.example.com`,
      );
      return;
    }
    const host = rule.host === undefined || rule.host === null || rule.host === "" ? CATCH_ALL_HOST : rule.host;
    if (typeof host === "string" && !hosts.has(host)) hosts.set(host, { field: hostField, catchAll: false });
    const paths = arrayOf(recordOf(rule.http).paths);
    if (paths.length === 0) {
      report.warning(
        subject,
        "MissingField",
        `spec.rules[${r}].http.paths`,
        `the rule has no http.paths, so nothing is routed for it; add paths with a backend`,
      );
      return;
    }
    paths.forEach((pathValue, p) => {
      const field = `spec.rules[${r}].http.paths[${p}]`;
      const entry = recordOf(pathValue);
      const match = readPathType(entry.pathType, `${field}.pathType`, subject, report);
      const backend = readBackend(entry.backend, `${field}.backend`, subject, report);
      if (match === undefined || backend === undefined) return;
      const rawPath = entry.path ?? "";
      if (rawPath === "" && entry.pathType !== "ImplementationSpecific") {
        report.error(
          subject,
          "MissingField",
          `${field}.path`,
          `pathType ${entry.pathType} needs a path starting with "/"`,
        );
        return;
      }
      const refused = entry.pathType === "ImplementationSpecific" ? undefined : apiRefusedPath(rawPath);
      if (refused !== undefined) {
        report.error(
          subject,
          "InvalidField",
          `${field}.path`,
          `path ${show(rawPath)} ${refused}, as the API server refuses it for pathType ${entry.pathType}; write the path without it`,
        );
        return;
      }
      // Kubernetes Prefix: `/foo/` serves `/foo`, so trailing slashes go (the route prefix then keeps the segment boundary).
      const path =
        match === "prefix" && typeof rawPath === "string" && rawPath.startsWith("/")
          ? rawPath.replace(/\/+$/, "")
          : rawPath;
      if (typeof host === "string" && path === "" && match === "prefix") {
        const known = hosts.get(host);
        if (known !== undefined) known.catchAll = true;
      }
      drafts.push({
        ...base(`${r}.${p}`, host, hostField),
        path: { value: path, field: `${field}.path` },
        match,
        backends: [backend],
      });
    });
  });

  if (spec.defaultBackend !== undefined && spec.defaultBackend !== null) {
    const backend = readBackend(spec.defaultBackend, "spec.defaultBackend", subject, report);
    if (backend !== undefined) {
      // Lowest precedence on each host of the rules, and on the catch-all host for hosts no route names: path ""
      // prefix, unless a rule already serves every path there.
      if (!hosts.has(CATCH_ALL_HOST)) hosts.set(CATCH_ALL_HOST, { field: "spec.defaultBackend", catchAll: false });
      for (const [host, { field, catchAll }] of hosts) {
        if (catchAll) continue;
        drafts.push({
          ...base("default", host, field),
          path: { value: "", field: "spec.defaultBackend" },
          match: "prefix",
          backends: [backend],
        });
      }
    }
  }
  return drafts;
}

/** Ingress class: the annotation takes precedence over `spec.ingressClassName`; no class means managed (RCM `ingressManaged`). */
function managedByUs(spec: Json, meta: ObjectMeta, subject: Subject, options: CompileOptions, report: Report): boolean {
  const annotated = meta.annotations[CLASS_ANNOTATION];
  const className = annotated ?? stringOf(spec.ingressClassName);
  if (className === undefined || className === "" || className === options.ingressClass) return true;
  const field = annotated !== undefined ? annotationField(CLASS_ANNOTATION) : "spec.ingressClassName";
  report.notice(
    subject,
    "SkippedIngressClass",
    field,
    `the Ingress names class ${show(className)}, not ${show(options.ingressClass)} (the class this gateway serves), so it is skipped`,
  );
  return false;
}

function readPathType(value: unknown, field: string, subject: Subject, report: Report): PathMatch | undefined {
  if (value === "Exact") return "exact";
  if (value === "Prefix" || value === "ImplementationSpecific") return "prefix";
  if (value === undefined || value === null)
    report.error(subject, "MissingField", field, `pathType is required: Exact, Prefix or ImplementationSpecific`);
  else
    report.error(
      subject,
      "InvalidField",
      field,
      `pathType ${show(value)} is not supported; allowed: Exact, Prefix, ImplementationSpecific`,
    );
  return undefined;
}

function readBackend(value: unknown, field: string, subject: Subject, report: Report): BackendDraft | undefined {
  const backend = recordOf(value);
  if (backend.resource !== undefined) {
    report.error(
      subject,
      "InvalidField",
      `${field}.resource`,
      `resource backends are not supported; a backend must be a Service (backend.service.name and .port)`,
    );
    return undefined;
  }
  if (!isRecord(backend.service)) {
    report.error(
      subject,
      "MissingField",
      `${field}.service`,
      `the backend names no Service; set service.name and service.port (name or number)`,
    );
    return undefined;
  }
  const service = backend.service;
  return {
    field: `${field}.service`,
    kind: "Service",
    name: service.name,
    weight: undefined,
    port:
      service.port === undefined || service.port === null
        ? undefined
        : { value: service.port, field: `${field}.service.port` },
    portSource: "ingress",
  };
}

/**
 * TLS of an Ingress host, as the route controller derives it (`tlsConfigForIngress`, `terminationPolicyForIngress`):
 * the termination annotation, or the host listed in `spec.tls[].hosts` (or an entry with no hosts), gives edge —
 * reencrypt/passthrough only from the annotation — always with insecure policy Redirect.
 */
function ingressTls(
  spec: Json,
  meta: ObjectMeta,
  subject: Subject,
  report: Report,
): (host: string) => TlsDraft | undefined {
  const annotation = meta.annotations[TERMINATION_ANNOTATION];
  let annotated: string | undefined;
  if (annotation !== undefined) {
    if (["edge", "reencrypt", "passthrough"].includes(annotation)) annotated = annotation;
    else
      report.warning(
        subject,
        "InvalidAnnotation",
        annotationField(TERMINATION_ANNOTATION),
        `${show(annotation)} is ignored (as the route controller does); allowed: edge, reencrypt, passthrough`,
      );
  }
  const tlsHosts = new Map<string, string>();
  let everyHostField: string | undefined;
  arrayOf(spec.tls).forEach((entryValue, i) => {
    const entry = recordOf(entryValue);
    const hosts = arrayOf(entry.hosts);
    // A completely empty entry turns TLS on for every host (RCM `tlsConfigForIngress`).
    if (hosts.length === 0 && (entry.secretName === undefined || entry.secretName === ""))
      everyHostField ??= `spec.tls[${i}]`;
    hosts.forEach((h, j) => {
      if (typeof h === "string" && !tlsHosts.has(h)) tlsHosts.set(h, `spec.tls[${i}].hosts[${j}]`);
    });
    if (typeof entry.secretName === "string" && entry.secretName !== "") {
      report.notice(
        subject,
        "UnsupportedFeature",
        `spec.tls[${i}].secretName`,
        `the TLS secret is not used: Cloudflare serves the edge certificate for the zone (Universal SSL or an uploaded custom certificate); TLS is still terminated at the edge for these hosts`,
      );
    }
  });
  const destinationCa =
    meta.annotations[DESTINATION_CA_ANNOTATION] !== undefined ? annotationField(DESTINATION_CA_ANNOTATION) : undefined;
  return (host) => {
    const listed = tlsHosts.get(host) ?? everyHostField;
    if (annotated === undefined && listed === undefined) return undefined;
    const termination =
      annotated !== undefined
        ? { value: annotated, field: annotationField(TERMINATION_ANNOTATION) }
        : { value: "edge", field: listed ?? "spec.tls" };
    return {
      termination,
      insecure: { value: "Redirect", field: termination.field },
      certificateFields: [],
      destinationCa: termination.value === "reencrypt" ? destinationCa : undefined,
    };
  };
}

/**
 * Why the API server refuses an Exact or Prefix path, or undefined: Kubernetes
 * pkg/apis/networking/validation/validation.go (`invalidPathSequences`, `invalidPathSuffixes`,
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/networking/validation/validation.go), so a manifest
 * no cluster would hold is not published either.
 */
function apiRefusedPath(path: unknown): string | undefined {
  if (typeof path !== "string") return undefined;
  for (const sequence of ["//", "/./", "/../", "%2f", "%2F"])
    if (path.includes(sequence)) return `must not contain "${sequence}"`;
  for (const suffix of ["/..", "/."]) if (path.endsWith(suffix)) return `cannot end with "${suffix}"`;
  return undefined;
}
