/**
 * @module Stage 2, validate: OpenShift's Route rules (LIBGO `pkg/route/validation`, ROUTER `unique_host.go`,
 * docs/design-notes.md#route-fields) applied to every route draft, and its annotations compiled. A draft with any error is dropped.
 */
import { readCanary } from "./canary.ts";
import { CATCH_ALL_HOST, wildcardSuffix } from "../host.ts";
import { canonicalHost, isCanonicalIp } from "../ip.ts";
import { normalizePath } from "../path.ts";
import type { InsecurePolicy, Termination } from "../table/types.ts";
import type { CompileOptions, Rejection } from "./types.ts";
import { ANNOTATIONS, readRouterAnnotations } from "./annotations.ts";
import { DEFAULT_WEIGHT } from "../table/defaults.ts";
import { readClusterOrder } from "./clusters.ts";
import { readAuth } from "./auth.ts";
import { DNS_SUBDOMAIN_RULE, dnsSubdomainProblem } from "./dns.ts";
import { readHeaderActions } from "./header-actions.ts";
import { describeHstsPolicy, requiredHstsProblem } from "./hsts.ts";
import type { BackendDraft, BackendRef, Field, PortRef, RouteDraft, ValidRoute } from "./model.ts";
import { annotationField, type Report, type Subject } from "./report.ts";
import { isRecord, show } from "./values.ts";

const MAX_ALTERNATE_BACKENDS = 3;
const MAX_WEIGHT = 256;

/** `clusters`: the cluster names of the input (empty when unlabelled), for `edgeroute.dev/cluster-order`. */
/** The valid routes, and the valid routes edgeroute cannot serve (passthrough), listed as rejections. */
export interface Validated {
  routes: ValidRoute[];
  notServed: Rejection[];
}

export function validate(
  drafts: readonly RouteDraft[],
  options: CompileOptions,
  clusters: readonly string[],
  report: Report,
): Validated {
  const out: Validated = { routes: [], notServed: [] };
  // A host usually has several routes (one per path): its name is checked once.
  const hostChecks: HostChecks = new Map();
  for (const draft of drafts) {
    const route = validateRoute(draft, options, clusters, hostChecks, report);
    if (route === undefined) continue;
    if ("reason" in route) out.notServed.push(route);
    else out.routes.push(route);
  }
  return out;
}

function validateRoute(
  draft: RouteDraft,
  options: CompileOptions,
  clusters: readonly string[],
  hostChecks: HostChecks,
  report: Report,
): ValidRoute | Rejection | undefined {
  const errorsBefore = report.errorCount();
  const s = draft.subject;
  const host = resolveHost(draft, options, hostChecks, report);
  const path = checkPath(draft, report);
  const checkedTls = checkTls(draft, report);
  if (checkedTls === PASSTHROUGH_NOT_SERVED) {
    if (report.errorCount() > errorsBefore || host === undefined || path === undefined) return undefined;
    return {
      object: s.object,
      host: host.host,
      path,
      reason: "UnsupportedTermination",
      message: "termination passthrough: an HTTP edge terminates TLS",
    };
  }
  const tls = checkedTls;
  const backendRefs = checkBackends(draft, report);
  const headers = readHeaderActions(draft.headerActions, s, report);
  const termination = tls?.termination ?? null;
  const settings = readRouterAnnotations(
    { subject: s, annotations: draft.annotations, id: draft.id, termination, backends: backendRefs },
    report,
  );
  const auth = readAuth(s, draft.annotations, options, report);
  const canary = readCanary(draft, backendRefs, report);
  const clusterOrder = readClusterOrder(s, draft.annotations, clusters, report);
  const bearer = auth.jwt !== null || auth.tokenCheck !== null;
  if (bearer || auth.clientCert !== null) warnAuthOverHttp(s, tls, bearer, report);
  if (host !== undefined && termination !== null) checkRequiredHsts(s, host.host, draft.annotations, options, report);
  if (report.errorCount() > errorsBefore || host === undefined || path === undefined) return undefined;
  return {
    subject: s,
    namespace: draft.namespace,
    name: draft.name,
    created: draft.created,
    uid: draft.uid,
    wildcard: host.wildcard,
    hostField: host.field,
    pathField: draft.path.field,
    clusterOrder,
    clusters: s.source.cluster === undefined ? [] : [s.source.cluster],
    backendRefs,
    termination,
    routerStatus: draft.routerStatus,
    route: {
      id: draft.id,
      kind: draft.kind,
      host: host.host,
      path,
      match: draft.match,
      tls: tls === undefined ? null : { termination: tls.termination, insecure: tls.insecure },
      ...settings,
      requestHeaders: headers.request,
      responseHeaders: headers.response,
      jwt: auth.jwt,
      tokenCheck: auth.tokenCheck,
      clientCert: auth.clientCert,
      ...(canary === undefined ? {} : { canary }),
    },
  };
}

interface HostResult {
  /** Admitted host key: exact host, or `*.<suffix>` for a wildcard route. */
  host: string;
  wildcard: ValidRoute["wildcard"];
  field: string;
}

/** What is wrong with a host name, by name: `dns` ({@link dnsSubdomainProblem}), then `ip` ({@link ipHostProblem}). */
type HostChecks = Map<string, { dns: string | null; ip: string | null }>;

/** The problems of `name` as a host, each name checked once per run; `ip` is only checked for a valid DNS name. */
function checkHostName(name: string, checks: HostChecks): { dns: string | null; ip: string | null } {
  let found = checks.get(name);
  if (found === undefined) {
    const dns = dnsSubdomainProblem(name);
    found = { dns, ip: dns === null ? ipHostProblem(name) : null };
    checks.set(name, found);
  }
  return found;
}

function resolveHost(
  draft: RouteDraft,
  options: CompileOptions,
  hostChecks: HostChecks,
  report: Report,
): HostResult | undefined {
  const s = draft.subject;
  const policy = readWildcardPolicy(draft, report);
  if (policy === undefined) return undefined;
  if (draft.host === undefined && draft.subdomain === undefined) {
    report.error(
      s,
      "NoHostValue",
      draft.hostField,
      "no host value was defined for the route; set spec.host, or spec.subdomain together with the router domain (--router-domain): edgeroute does not generate host names",
    );
    return undefined;
  }
  // An Ingress rule without a host, or its default backend: read-ingress.ts gives them the catch-all host.
  if (draft.kind === "Ingress" && draft.host?.value === CATCH_ALL_HOST)
    return { host: CATCH_ALL_HOST, wildcard: null, field: draft.host.field };
  let host: Field<string>;
  if (draft.host !== undefined) {
    if (typeof draft.host.value !== "string") {
      report.error(
        s,
        "InvalidHost",
        draft.host.field,
        `host ${show(draft.host.value)} is not a string; it must be ${DNS_SUBDOMAIN_RULE}`,
      );
      return undefined;
    }
    host = { value: draft.host.value, field: draft.host.field };
  } else {
    const sub = draft.subdomain as Field<unknown>;
    if (options.routerDomain === undefined || options.routerDomain === "") {
      report.error(
        s,
        "MissingField",
        sub.field,
        `spec.subdomain needs the router domain to make a host (subdomain.<router domain>); set it with the CLI option --router-domain (the IngressController's status.domain), or set spec.host instead`,
      );
      return undefined;
    }
    const problem = typeof sub.value === "string" ? dnsSubdomainProblem(sub.value) : "is not a string";
    if (problem !== null) {
      report.error(
        s,
        "InvalidHost",
        sub.field,
        `subdomain ${show(sub.value)} ${problem}; it must be ${DNS_SUBDOMAIN_RULE}`,
      );
      return undefined;
    }
    host = { value: `${sub.value as string}.${options.routerDomain.toLowerCase()}`, field: sub.field };
  }

  // Ingress wildcard hosts are native Kubernetes (`*.example.com`, exactly one label).
  if (draft.kind === "Ingress" && host.value.startsWith("*.")) {
    const suffix = host.value.slice(2);
    const problem = dnsSubdomainProblem(suffix);
    if (problem !== null) {
      report.error(
        s,
        "InvalidHost",
        host.field,
        `host ${show(host.value)}: the part after "*." ${problem}; a wildcard host is "*." followed by ${DNS_SUBDOMAIN_RULE}`,
      );
      return undefined;
    }
    const ipProblem = ipHostProblem(suffix);
    if (ipProblem !== null) {
      report.error(s, "InvalidHost", host.field, `host ${show(host.value)}: the part after "*." ${ipProblem}`);
      return undefined;
    }
    return { host: host.value, wildcard: "ingress", field: host.field };
  }
  const { dns: problem, ip: ipProblem } = checkHostName(host.value, hostChecks);
  if (problem !== null) {
    report.error(
      s,
      "InvalidHost",
      host.field,
      `host ${show(host.value)} ${problem}; it must be ${DNS_SUBDOMAIN_RULE}${wildcardHint(draft, host.value)}`,
    );
    return undefined;
  }
  if (ipProblem !== null) {
    report.error(s, "InvalidHost", host.field, `host ${show(host.value)} ${ipProblem}`);
    return undefined;
  }
  if (policy === "Subdomain") {
    // `www.acme.test` with Subdomain serves `*.acme.test` (API `WildcardPolicySubdomain`).
    const suffix = wildcardSuffix(host.value);
    if (suffix === null) {
      report.error(
        s,
        "InvalidHost",
        host.field,
        `wildcard route host ${show(host.value)} has a single label; with wildcardPolicy Subdomain give a host such as www.example.com, which serves *.example.com`,
      );
      return undefined;
    }
    return { host: `*.${suffix}`, wildcard: "route", field: host.field };
  }
  return { host: host.value, wildcard: null, field: host.field };
}

/**
 * A route host is a DNS name (Route API: "host is an alias/DNS that points to the service"; Kubernetes Ingress:
 * "host is the fully qualified domain name of a network host", https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/).
 * A name whose last label is a number or `0x…` is an IPv4 address to every URL parser (WHATWG "ends in a number",
 * https://url.spec.whatwg.org/#ends-in-a-number-checker), or no valid host at all, so it is refused too.
 */
function ipHostProblem(host: string): string | null {
  const canonical = canonicalHost(host);
  if (isCanonicalIp(canonical))
    return `is an IP address (${canonical} as a URL parser reads it); a route host is a DNS name, not an address`;
  if (canonical === null)
    return "ends in a number, so URL parsers read it as an IPv4 address and refuse it as one; a route host is a DNS name whose last label is not numeric";
  return null;
}

/** How to write the wildcard the user probably meant, when a host contains `*`. */
function wildcardHint(draft: RouteDraft, host: string): string {
  if (!host.includes("*")) return "";
  if (draft.kind === "Route")
    return " (for a wildcard route set a host such as www.example.com and spec.wildcardPolicy: Subdomain)";
  return ' (a wildcard is only allowed as the whole first label, "*.example.com")';
}

function readWildcardPolicy(draft: RouteDraft, report: Report): "None" | "Subdomain" | undefined {
  const policy = draft.wildcardPolicy;
  if (policy === undefined || policy.value === "None") return "None";
  if (policy.value === "Subdomain") {
    if (draft.host === undefined) {
      report.error(
        draft.subject,
        "MissingField",
        "spec.host",
        `host name not specified for wildcard policy: wildcardPolicy Subdomain needs spec.host (e.g. www.example.com serves *.example.com)`,
      );
      return undefined;
    }
    return "Subdomain";
  }
  report.error(
    draft.subject,
    "InvalidField",
    policy.field,
    `wildcardPolicy ${show(policy.value)} is not supported; allowed: None, Subdomain`,
  );
  return undefined;
}

/** Must start with `/` and contain no `#` or whitespace (LIBGO `validatePath`, OCPBUGS-47773); `""` is no path. */
function checkPath(draft: RouteDraft, report: Report): string | undefined {
  const { value, field } = draft.path;
  if (typeof value !== "string") {
    report.error(draft.subject, "InvalidField", field, `path ${show(value)} is not a string; it must begin with "/"`);
    return undefined;
  }
  if (value !== "" && !value.startsWith("/")) {
    report.error(draft.subject, "InvalidField", field, `path ${show(value)} must begin with "/"`);
    return undefined;
  }
  if (/[#\s]/.test(value)) {
    report.error(
      draft.subject,
      "InvalidField",
      field,
      `path ${show(value)} cannot contain # or spaces (or other whitespace); percent-encode them (%23, %20)`,
    );
    return undefined;
  }
  if (value === "") return value;
  return canonicalRoutePath(draft, value, field, report);
}

/**
 * Requests are matched on their canonical path (core path.ts: unreserved escapes decoded, other escapes upper-case,
 * dot segments resolved, `//` collapsed, `;parameters` dropped), so a route path in another spelling could never
 * match and its policies would silently never apply. It is published in canonical form with a warning showing both
 * spellings; a path no request can reach (an encoded `/`, a `..;` segment, a `;parameter`) is an error.
 */
function canonicalRoutePath(draft: RouteDraft, value: string, field: string, report: Report): string | undefined {
  const canonical = normalizePath(value);
  if (!canonical.ok) {
    report.error(
      draft.subject,
      "InvalidField",
      field,
      `path ${show(value)} can never match: requests spelled so are refused with 400 (${canonical.reason}); write the path as clients send it, without that spelling`,
    );
    return undefined;
  }
  if (canonical.path.includes(";")) {
    report.error(
      draft.subject,
      "InvalidField",
      field,
      `path ${show(value)} can never match: a ";parameter" is not part of a path segment when requests are matched (servlet containers serve /a;x/b as /a/b, and so does the gateway), so remove ";…" from the path`,
    );
    return undefined;
  }
  if (canonical.path !== value) {
    report.warning(
      draft.subject,
      "InvalidField",
      field,
      `path ${show(value)} is published as ${show(canonical.path)}, the canonical spelling requests are matched in (unreserved %-escapes decoded, other escapes upper-case, dot segments resolved, repeated "/" collapsed); write it so to silence this warning`,
    );
  }
  return canonical.path;
}

interface TlsResult {
  termination: Termination;
  insecure: InsecurePolicy;
}

/** Why a valid route is not served (a warning, the others are published): passthrough. */
const PASSTHROUGH_NOT_SERVED = "passthrough";

/** Termination (case-insensitive, empty = edge as API defaulting does) and the insecure policy table (docs/design-notes.md#redirect). */
function checkTls(draft: RouteDraft, report: Report): TlsResult | typeof PASSTHROUGH_NOT_SERVED | undefined {
  const tls = draft.tls;
  if (tls === undefined) return undefined;
  const s = draft.subject;
  const raw = tls.termination.value;
  let termination: Termination | undefined;
  const lower = typeof raw === "string" ? raw.toLowerCase() : undefined;
  if (lower === "" && tls.destinationCa === undefined) termination = "edge";
  else if (lower === "edge" || lower === "reencrypt") termination = lower;
  else if (lower === "passthrough") {
    // A warning, not an error: every OpenShift cluster has passthrough Routes (openshift-authentication's
    // oauth-openshift among them), and the router serves the others beside them, so an `oc get` export must
    // still publish. The route itself is listed as not served (validateRoute).
    report.warning(
      s,
      "UnsupportedTermination",
      tls.termination.field,
      `not served: termination passthrough needs the client's TLS to reach the backend, and an HTTP edge always terminates it; use edge (TLS ends at Cloudflare, plain HTTP to the backend) or reencrypt (Cloudflare opens a new TLS connection to the backend), or Cloudflare Spectrum outside edgeroute for raw TLS passthrough; other routes are served`,
    );
    return PASSTHROUGH_NOT_SERVED;
  } else {
    report.error(
      s,
      "InvalidField",
      tls.termination.field,
      `termination ${show(raw)} is not supported; allowed: edge, reencrypt${lower === "" ? " (a destinationCACertificate needs termination: reencrypt)" : ""}`,
    );
  }
  let insecure: InsecurePolicy = "None";
  if (tls.insecure !== undefined) {
    const value = tls.insecure.value;
    if (value === "None" || value === "Allow" || value === "Redirect") insecure = value;
    else
      report.error(
        s,
        "InvalidField",
        tls.insecure.field,
        `insecureEdgeTerminationPolicy ${show(value)} is not supported; allowed: None, Allow, Redirect`,
      );
  }
  if (tls.certificateFields.length > 0) {
    report.warning(
      s,
      "UnsupportedFeature",
      tls.certificateFields[0] as string,
      `${tls.certificateFields.join(", ")} ${tls.certificateFields.length === 1 ? "is" : "are"} not used: Cloudflare manages the edge certificate of the zone (Universal SSL, Advanced Certificate Manager or an uploaded custom certificate); upload this certificate to the zone if you need it, and remove it from the route to silence this warning`,
    );
  }
  if (tls.destinationCa !== undefined && termination === "edge") {
    report.error(
      s,
      "InvalidTLSCombination",
      tls.destinationCa,
      `edge termination does not support destination certificates; use termination: reencrypt, or remove the destination CA`,
    );
  } else if (tls.destinationCa !== undefined && termination === "reencrypt") {
    report.warning(
      s,
      "UnsupportedFeature",
      tls.destinationCa,
      `the destination CA is not used: a Worker validates origin certificates against public CAs; for a backend certificate from a private CA, add that CA to the zone's Custom Origin Trust Store and enable the cots_on_external_fetch compatibility flag`,
    );
  }
  return termination === undefined ? undefined : { termination, insecure };
}

function checkBackends(draft: RouteDraft, report: Report): BackendRef[] {
  const s = draft.subject;
  if (draft.alternateBackendsField !== undefined && draft.backends.length - 1 > MAX_ALTERNATE_BACKENDS) {
    report.error(
      s,
      "TooManyBackends",
      draft.alternateBackendsField,
      `${draft.backends.length - 1} alternate backends given; at most ${MAX_ALTERNATE_BACKENDS} are allowed (4 Services in all with spec.to)`,
    );
  }
  const refs: BackendRef[] = [];
  const alternates = new Set<string>();
  for (const backend of draft.backends) {
    const ref = checkBackend(backend, s, report);
    if (ref === undefined) continue;
    if (backend.field.startsWith("spec.alternateBackends")) {
      if (alternates.has(ref.service)) {
        report.error(
          s,
          "InvalidField",
          `${backend.field}.name`,
          `Service ${ref.service} is listed twice in alternateBackends; each Service may appear once`,
        );
        continue;
      }
      alternates.add(ref.service);
    }
    refs.push(ref);
  }
  return refs;
}

function checkBackend(backend: BackendDraft, s: Subject, report: Report): BackendRef | undefined {
  let ok = true;
  if (backend.kind !== undefined && backend.kind !== null && backend.kind !== "" && backend.kind !== "Service") {
    report.error(
      s,
      "InvalidField",
      `${backend.field}.kind`,
      `kind ${show(backend.kind)} is not supported: a route must reference a Service (kind: Service)`,
    );
    ok = false;
  }
  if (typeof backend.name !== "string" || backend.name === "") {
    report.error(s, "MissingField", `${backend.field}.name`, `the Service name is required`);
    ok = false;
  }
  let weight = DEFAULT_WEIGHT;
  if (backend.weight !== undefined && backend.weight !== null) {
    const w = backend.weight;
    if (typeof w !== "number" || !Number.isInteger(w) || w < 0 || w > MAX_WEIGHT) {
      report.error(
        s,
        "WeightOutOfRange",
        `${backend.field}.weight`,
        `weight ${show(w)} must be an integer between 0 and ${MAX_WEIGHT} (default ${DEFAULT_WEIGHT}; 0 sends no new traffic)`,
      );
      ok = false;
    } else weight = w;
  }
  const port = backend.port === undefined ? undefined : readPortRef(backend, s, report);
  if (port === null) ok = false;
  if (!ok) return undefined;
  return {
    field: backend.field,
    service: backend.name as string,
    weight,
    port: port ?? undefined,
    portSource: backend.portSource,
  };
}

/** Route `targetPort` (IntOrString, non-zero/non-empty) or Ingress `port` ({name} or {number}); `null` when invalid. */
function readPortRef(backend: BackendDraft, s: Subject, report: Report): PortRef | null {
  const { value, field } = backend.port as Field<unknown>;
  if (backend.portSource === "route") {
    if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535) return { number: value };
    // A quoted number is still a number for the router, which compares the string forms (`endpointsForAlias`).
    if (typeof value === "string" && /^[0-9]+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535)
      return { number: Number(value) };
    if (typeof value === "string" && value !== "" && !/^[0-9]+$/.test(value)) return { name: value };
    report.error(
      s,
      value === undefined || value === null || value === "" ? "MissingField" : "InvalidField",
      field,
      `targetPort ${show(value)} is not valid; give a Service port name (e.g. http) or a port number 1..65535, or remove spec.port to use the Service's first port`,
    );
    return null;
  }
  if (isRecord(value)) {
    const { name, number } = value;
    if (typeof name === "string" && name !== "" && number === undefined) return { name };
    if (typeof number === "number" && Number.isInteger(number) && number >= 1 && number <= 65535 && name === undefined)
      return { number };
  }
  report.error(
    s,
    "InvalidField",
    field,
    `port ${show(value)} is not valid; give exactly one of name (a Service port name) or number (1..65535)`,
  );
  return null;
}

/**
 * Authentication on a route that also answers plain HTTP: bearer tokens would cross the network in clear text, and a
 * client certificate can only be presented over TLS (such requests are refused). Allowed — local development runs
 * on plain HTTP — but worth a warning.
 */
function warnAuthOverHttp(s: Subject, tls: TlsResult | undefined, jwt: boolean, report: Report): void {
  if (tls !== undefined && tls.insecure !== "Allow") return;
  const what = jwt
    ? "bearer tokens would cross the network in clear text"
    : "a client certificate can only be presented over HTTPS, so plain-HTTP requests are refused";
  const field = tls === undefined ? "spec.tls" : "spec.tls.insecureEdgeTerminationPolicy";
  report.warning(
    s,
    "InvalidTLSCombination",
    field,
    `the route requires authentication but also serves plain HTTP: ${what}; use TLS (termination edge or reencrypt) with insecureEdgeTerminationPolicy Redirect or None`,
  );
}

/** Cluster required HSTS policies (OAS `requiredrouteannotations`), for edge/reencrypt routes whose host matches. */
function checkRequiredHsts(
  s: Subject,
  host: string,
  annotations: Record<string, string>,
  options: CompileOptions,
  report: Report,
): void {
  const problem = requiredHstsProblem(host, annotations[ANNOTATIONS.hsts], options.requiredHsts);
  if (problem === null) return;
  report.error(
    s,
    "HSTSPolicyViolation",
    annotationField(ANNOTATIONS.hsts),
    `HSTS header annotation does not satisfy the required HSTS policy for ${host} (${describeHstsPolicy(host, options.requiredHsts)}): ${problem}; set ${ANNOTATIONS.hsts} accordingly, e.g. "max-age=31536000;includeSubDomains;preload"`,
  );
}
