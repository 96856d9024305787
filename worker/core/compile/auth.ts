/**
 * @module edgeroute's own authentication annotations (`auth.edgeroute.dev/*`). They are security controls, so
 * unlike router annotations an invalid or unknown one is an ERROR that drops the route: a typo must never
 * publish a route without the protection its author asked for (fail closed).
 */
import { normalizeHost } from "../host.ts";
import { classifyTarget, isIpLiteral } from "../ip.ts";
import type { ClientCertAuth, JwtAuth, TokenCheck } from "../table/types.ts";
import type { CompileOptions } from "./types.ts";
import { endpointRefusal } from "./endpoint-safety.ts";
import { FORBIDDEN_HEADER_NAMES, HEADER_NAME_PATTERN } from "./header-actions.ts";
import { annotationField, type Report, type Subject } from "./report.ts";
import { readTokenCheck, TOKEN_CHECK_ANNOTATIONS } from "./token-check.ts";
import { show } from "./values.ts";

export const AUTH_PREFIX = "auth.edgeroute.dev/";
const AUTH = {
  jwksUrl: "auth.edgeroute.dev/jwt-jwks-url",
  issuer: "auth.edgeroute.dev/jwt-issuer",
  audience: "auth.edgeroute.dev/jwt-audience",
  algorithms: "auth.edgeroute.dev/jwt-algorithms",
  clockTolerance: "auth.edgeroute.dev/jwt-clock-tolerance",
  forwardClaims: "auth.edgeroute.dev/jwt-forward-claims",
  anyIssuer: "auth.edgeroute.dev/jwt-any-issuer",
  anyAudience: "auth.edgeroute.dev/jwt-any-audience",
  type: "auth.edgeroute.dev/jwt-type",
  clientCert: "auth.edgeroute.dev/client-cert",
  clientCertSubject: "auth.edgeroute.dev/client-cert-subject",
  clientCertSha256: "auth.edgeroute.dev/client-cert-sha256",
} as const;

/**
 * Allowed JWS algorithms by key type. All algorithms of a route must use one key type, so a key can never be
 * used with an algorithm of another family (RS256 and PS256 share RSA keys; ES* EC keys; EdDSA OKP keys).
 * `none` and the HS* (shared secret) algorithms are never allowed: a public JWKS must not verify MACs.
 */
const ALGORITHM_FAMILIES: Record<string, string> = {
  RS256: "RSA",
  RS384: "RSA",
  RS512: "RSA",
  PS256: "RSA",
  PS384: "RSA",
  PS512: "RSA",
  ES256: "EC",
  ES384: "EC",
  ES512: "EC",
  EdDSA: "OKP",
};
const DEFAULT_ALGORITHMS = ["RS256"];
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;
/** Headers a claim may not be copied into: routing, framing and identity headers the gateway itself owns. */
const FORBIDDEN_CLAIM_HEADERS: readonly string[] = [
  ...FORBIDDEN_HEADER_NAMES,
  "authorization",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
  "proxy-authorization",
  "proxy-authenticate",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
];

/** What a header that carries an identity to the backend may be named. */
export const IDENTITY_HEADER_RULE =
  "use an HTTP token name of your own such as X-User (not Host, Cookie, Authorization, Forwarded, X-Forwarded-* or hop-by-hop headers)";

/** True when `header` may carry an identity (a claim, a user name, groups) to the backend. */
export function isIdentityHeaderName(header: string): boolean {
  // Compared with `_` read as `-`: many servers (CGI, WSGI, PHP) treat X_Forwarded_For as X-Forwarded-For.
  return (
    HEADER_NAME_PATTERN.test(header) && !FORBIDDEN_CLAIM_HEADERS.includes(header.toLowerCase().replaceAll("_", "-"))
  );
}

export interface AuthSettings {
  jwt: JwtAuth | null;
  tokenCheck: TokenCheck | null;
  clientCert: ClientCertAuth | null;
}

export function readAuth(
  subject: Subject,
  annotations: Record<string, string>,
  options: CompileOptions,
  report: Report,
): AuthSettings {
  const fail = (
    name: string,
    message: string,
    code: "InvalidAnnotation" | "MissingField" = "InvalidAnnotation",
  ): void =>
    report.error(
      subject,
      code,
      annotationField(name),
      `${message} (an authentication annotation is never ignored: the route is not published until it is fixed)`,
    );
  for (const name of Object.keys(annotations)) {
    if (name.startsWith(AUTH_PREFIX) && !knownAuthAnnotations().includes(name)) {
      fail(name, `unknown authentication annotation; known: ${knownAuthAnnotations().join(", ")}`);
    }
  }
  const warn: Warn = (name, message) => report.warning(subject, "InvalidAnnotation", annotationField(name), message);
  const jwt = readJwt(annotations, options, fail, warn);
  const tokenCheck = readTokenCheck(annotations, options, fail);
  if (jwt !== null && tokenCheck !== null) {
    fail(
      tokenCheck.kind === "introspection"
        ? TOKEN_CHECK_ANNOTATIONS.introspectionUrl
        : TOKEN_CHECK_ANNOTATIONS.openshiftApiUrl,
      `a route checks its bearer token one way: remove either the ${AUTH_PREFIX}jwt-* annotations or this one`,
    );
    return { jwt: null, tokenCheck: null, clientCert: readClientCert(annotations, fail) };
  }
  return { jwt, tokenCheck, clientCert: readClientCert(annotations, fail) };
}

let known: readonly string[] | undefined;

/**
 * Every authentication annotation edgeroute reads. Built on first use, not at module scope: token-check.ts imports
 * this module's helpers (an import cycle), so its names may not be defined yet when this module is evaluated.
 */
function knownAuthAnnotations(): readonly string[] {
  known ??= [...Object.values(AUTH), ...Object.values(TOKEN_CHECK_ANNOTATIONS)];
  return known;
}

/** Report a problem with one authentication annotation (the route is then not published). */
export type Fail = (name: string, message: string, code?: "InvalidAnnotation" | "MissingField") => void;
type Warn = (name: string, message: string) => void;

function readJwt(a: Record<string, string>, options: CompileOptions, fail: Fail, warn: Warn): JwtAuth | null {
  const jwtNames = [
    AUTH.jwksUrl,
    AUTH.issuer,
    AUTH.audience,
    AUTH.algorithms,
    AUTH.clockTolerance,
    AUTH.forwardClaims,
    AUTH.anyIssuer,
    AUTH.anyAudience,
    AUTH.type,
  ];
  const given = jwtNames.filter((n) => a[n] !== undefined);
  if (given.length === 0) return null;
  const url = a[AUTH.jwksUrl];
  if (url === undefined) {
    fail(
      AUTH.jwksUrl,
      `${given.join(", ")} ${given.length === 1 ? "is" : "are"} set but the JWKS URL is missing; set ${AUTH.jwksUrl} to the issuer's https JWKS URL`,
      "MissingField",
    );
    return null;
  }
  const jwksUrl = readFetchUrl(AUTH.jwksUrl, url, "JWKS", "signing keys", options, fail);
  const issuer = readOptionalText(a, AUTH.issuer, fail);
  const audience = a[AUTH.audience] === undefined ? undefined : readList(a, AUTH.audience, "audience", fail);
  const algorithms = readAlgorithms(a, fail);
  const clockToleranceSeconds = readClockTolerance(a, fail);
  const forwardClaims = readForwardClaims(a, fail);
  const issuerRequired = readRequired(a, AUTH.issuer, issuer, AUTH.anyIssuer, "issuer", fail, warn);
  const audienceRequired = readRequired(a, AUTH.audience, audience, AUTH.anyAudience, "audience", fail, warn);
  const type = readOptionalText(a, AUTH.type, fail);
  if (type !== undefined && type !== null && !/^[\x21-\x7e]+$/.test(type)) {
    fail(AUTH.type, `${show(type)} is not a media type; give the typ the tokens carry, e.g. at+jwt (RFC 9068)`);
    return null;
  }
  if (
    !issuerRequired ||
    !audienceRequired ||
    type === null ||
    jwksUrl === undefined ||
    issuer === null ||
    audience === null ||
    algorithms === undefined ||
    clockToleranceSeconds === undefined ||
    forwardClaims === undefined
  )
    return null;
  const jwt: JwtAuth = { jwksUrl, algorithms, clockToleranceSeconds, forwardClaims };
  if (issuer !== undefined) jwt.issuer = issuer;
  if (audience !== undefined) jwt.audience = audience;
  if (type !== undefined) jwt.type = type;
  return jwt;
}

/**
 * RFC 8725 §3.8 and §3.9 (https://www.rfc-editor.org/rfc/rfc8725#section-3.8): a token must be checked for the
 * issuer that is trusted with these keys and for the audience it was issued to, or a token minted for any other
 * relying party of the same identity provider is accepted. Both are required, unless an explicit opt-out
 * annotation (`"true"`) says that any issuer or audience is acceptable, which is warned about. `false` when invalid.
 */
function readRequired(
  a: Record<string, string>,
  name: string,
  value: unknown,
  optOut: string,
  what: "issuer" | "audience",
  fail: Fail,
  warn: Warn,
): boolean {
  const flag = a[optOut];
  if (flag !== undefined && flag !== "true") {
    fail(optOut, `${show(flag)} is not allowed; the only value is "true" (accept tokens of any ${what})`);
    return false;
  }
  if (flag === "true") {
    if (a[name] !== undefined) {
      fail(optOut, `contradicts ${name}, which is set; remove one of them`);
      return false;
    }
    warn(
      optOut,
      `tokens of any ${what} signed by the key set are accepted: any token the identity provider issues${what === "audience" ? " for any other application" : ""} gets through (RFC 8725 §3.${what === "issuer" ? 8 : 9}); set ${name} instead unless that is intended`,
    );
    return true;
  }
  if (value === undefined) {
    fail(
      name,
      `is required on a JWT route: without it any token signed by the key set is accepted (RFC 8725 §3.${what === "issuer" ? 8 : 9}); set it to the ${what === "issuer" ? "iss value your identity provider writes" : "aud value(s) of tokens meant for this route"}, or set ${optOut}: "true" to accept any ${what} explicitly`,
      "MissingField",
    );
    return false;
  }
  return true;
}

/**
 * A URL the Worker itself fetches (a JWKS, a token-check endpoint): https only; http only for a loopback host in a
 * local table (a test server on 127.0.0.1). Its host must be a permitted target like any endpoint (never link-local
 * or metadata). No credentials or fragment in the URL. `what` names the server, `carries` what crosses the wire.
 */
export function readFetchUrl(
  name: string,
  url: string,
  what: string,
  carries: string,
  options: CompileOptions,
  fail: Fail,
): string | undefined {
  const match = /^(https?):\/\/([^/?#@\s]+)([/?][^#\s]*)?$/i.exec(url);
  const host = match === null ? null : normalizeHost(match[2] as string);
  if (match === null || host === null) {
    fail(name, `${show(url)} is not a valid URL; use https://host[:port]/path (no user:password@, no #fragment)`);
    return undefined;
  }
  const scheme = (match[1] as string).toLowerCase();
  const refusal = endpointRefusal(host, options);
  if (refusal !== null) {
    fail(name, `the ${what} host ${host} ${refusal}`);
    return undefined;
  }
  // A deployed Worker fetches URLs, never IP addresses ("Fetch to IP addresses",
  // https://developers.cloudflare.com/workers/platform/known-issues/), so a remote table names the server by DNS name.
  if (options.target === "remote" && isIpLiteral(host)) {
    fail(name, `the ${what} host ${host} is an IP address, which a deployed Worker cannot fetch; use its DNS name`);
    return undefined;
  }
  if (scheme === "http") {
    if (!(classifyTarget(host) === "loopback" && options.target === "local")) {
      fail(
        name,
        `${show(url)} uses http; ${carries} must be fetched over https (http is allowed only for a loopback host in a local table)`,
      );
      return undefined;
    }
  }
  return `${scheme}${url.slice(scheme.length)}`;
}

/** `undefined`: absent; `null`: invalid (reported). */
function readOptionalText(a: Record<string, string>, name: string, fail: Fail): string | undefined | null {
  const value = a[name];
  if (value === undefined) return undefined;
  if (value.trim() === "") {
    fail(name, `is empty; give the expected value or remove the annotation`);
    return null;
  }
  return value.trim();
}

/** A comma-separated list (trimmed, no empty items, no duplicates); `null` when it names nothing (reported). */
export function readList(a: Record<string, string>, name: string, what: string, fail: Fail): string[] | null {
  const items = (a[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) {
    fail(name, `names no ${what}; give a comma-separated list`);
    return null;
  }
  return [...new Set(items)];
}

function readAlgorithms(a: Record<string, string>, fail: Fail): string[] | undefined {
  if (a[AUTH.algorithms] === undefined) return DEFAULT_ALGORITHMS;
  const list = readList(a, AUTH.algorithms, "algorithm", fail);
  if (list === null) return undefined;
  const allowed = `allowed: ${Object.keys(ALGORITHM_FAMILIES).join(", ")}, all of one key type (RS*/PS*, ES* or EdDSA)`;
  for (const alg of list) {
    if (alg.toLowerCase() === "none" || /^HS/i.test(alg)) {
      fail(
        AUTH.algorithms,
        `${alg} is never allowed (${alg.toLowerCase() === "none" ? "unsigned tokens" : "shared-secret MACs cannot be verified with a public JWKS"}); ${allowed}`,
      );
      return undefined;
    }
    if (ALGORITHM_FAMILIES[alg] === undefined) {
      fail(AUTH.algorithms, `${show(alg)} is not a supported algorithm; ${allowed}`);
      return undefined;
    }
  }
  const families = new Set(list.map((alg) => ALGORITHM_FAMILIES[alg]));
  if (families.size > 1) {
    fail(
      AUTH.algorithms,
      `${list.join(", ")} mixes key types (${[...families].join(", ")}), which allows algorithm confusion; ${allowed}`,
    );
    return undefined;
  }
  return list;
}

function readClockTolerance(a: Record<string, string>, fail: Fail): number | undefined {
  const value = a[AUTH.clockTolerance];
  if (value === undefined) return DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const seconds = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= 0 && seconds <= MAX_CLOCK_TOLERANCE_SECONDS)) {
    fail(
      AUTH.clockTolerance,
      `${show(value)} is not valid; give whole seconds from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS} (default ${DEFAULT_CLOCK_TOLERANCE_SECONDS})`,
    );
    return undefined;
  }
  return seconds;
}

/** `claim=Header-Name,claim2=Header-2`. */
function readForwardClaims(a: Record<string, string>, fail: Fail): { claim: string; header: string }[] | undefined {
  const value = a[AUTH.forwardClaims];
  if (value === undefined) return [];
  const out: { claim: string; header: string }[] = [];
  const headers = new Set<string>();
  for (const pair of value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(pair);
    const claim = match?.[1];
    const header = match?.[2];
    if (claim === undefined || header === undefined) {
      fail(
        AUTH.forwardClaims,
        `${show(pair)} is not claim=Header-Name; give a comma-separated list such as "sub=X-User,email=X-Email"`,
      );
      return undefined;
    }
    if (!isIdentityHeaderName(header)) {
      fail(AUTH.forwardClaims, `${show(header)} cannot carry a claim; ${IDENTITY_HEADER_RULE}`);
      return undefined;
    }
    if (headers.has(header.toLowerCase())) {
      fail(AUTH.forwardClaims, `header ${header} is used twice; each header carries one claim`);
      return undefined;
    }
    headers.add(header.toLowerCase());
    out.push({ claim, header });
  }
  if (out.length === 0) {
    fail(AUTH.forwardClaims, `names no claim; give claim=Header-Name pairs or remove the annotation`);
    return undefined;
  }
  return out;
}

function readClientCert(a: Record<string, string>, fail: Fail): ClientCertAuth | null {
  const required = a[AUTH.clientCert];
  const subject = a[AUTH.clientCertSubject];
  const sha256 = a[AUTH.clientCertSha256];
  if (required === undefined) {
    for (const name of [AUTH.clientCertSubject, AUTH.clientCertSha256]) {
      if (a[name] !== undefined)
        fail(AUTH.clientCert, `${name} needs ${AUTH.clientCert}: "required" as well`, "MissingField");
    }
    return null;
  }
  if (required !== "required") {
    fail(AUTH.clientCert, `${show(required)} is not valid; the only value is "required"`);
    return null;
  }
  const auth: ClientCertAuth = {};
  let ok = true;
  if (subject !== undefined) {
    const problem = rfc2253Problem(subject);
    if (problem === null) auth.subjectDn = subject;
    else {
      ok = false;
      fail(
        AUTH.clientCertSubject,
        `${show(subject)} is not an RFC 2253 distinguished name (${problem}); e.g. "CN=client,O=Example,C=US"`,
      );
    }
  }
  if (sha256 !== undefined) {
    const prints = sha256
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const bad = prints.find((p) => !/^[0-9a-fA-F]{64}$/.test(p));
    if (prints.length === 0 || bad !== undefined) {
      ok = false;
      fail(
        AUTH.clientCertSha256,
        `${show(bad ?? sha256)} is not a SHA-256 fingerprint; give comma-separated 64-digit hex values (no colons)`,
      );
    } else auth.fingerprintsSha256 = [...new Set(prints.map((p) => p.toLowerCase()))];
  }
  return ok ? auth : null;
}

/**
 * `null` when `dn` is an RFC 2253 DN: RDNs separated by `,`, multi-valued with `+`, each `type=value` with a
 * keyword or dotted OID type; a value is `#hex` or a string where `,+"\<>;` and leading `#`/space are escaped.
 */
export function rfc2253Problem(dn: string): string | null {
  if (dn.trim() === "") return "empty";
  let i = 0;
  while (i < dn.length) {
    const type = /^([A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)=/.exec(dn.slice(i));
    if (type === null) return `expected attribute=value at position ${i + 1}`;
    i += type[0].length;
    if (dn[i] === "#") {
      const hex = /^#(?:[0-9a-fA-F]{2})+/.exec(dn.slice(i));
      if (hex === null) return `bad hex value at position ${i + 1}`;
      i += hex[0].length;
    } else {
      const start = i;
      while (i < dn.length && dn[i] !== "," && dn[i] !== "+") {
        const c = dn[i] as string;
        if (c === "\\") {
          const next = dn.slice(i + 1, i + 3);
          if (/^[0-9a-fA-F]{2}$/.test(next)) i += 3;
          else if (next !== "" && ',+"\\<>;= #'.includes(next[0] as string)) i += 2;
          else return `bad escape at position ${i + 1}`;
        } else if ('"<>;'.includes(c)) return `unescaped ${c} at position ${i + 1}`;
        else i++;
      }
      if (i === start) return `empty value at position ${i + 1}`;
    }
    if (i < dn.length) {
      if (dn[i] !== "," && dn[i] !== "+") return `expected , or + at position ${i + 1}`;
      i++;
      if (i === dn.length) return "trailing separator";
    }
  }
  return null;
}
