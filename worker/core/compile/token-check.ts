/**
 * @module `auth.edgeroute.dev/openshift-*`, `introspection-*` and the requirements shared by both: check an opaque
 * bearer token with the server that issued it (docs/security.md §6). Read like every authentication annotation:
 * an invalid or unknown value is an error and the route is not published (fail closed).
 *
 * - OpenShift user API: `GET /apis/user.openshift.io/v1/users/~` with the client's token answers the token's user
 *   (https://docs.redhat.com/en/documentation/openshift_container_platform/4.17/html/user_and_group_apis/user-user-openshift-io-v1).
 * - TokenReview: `POST /apis/authentication.k8s.io/v1/tokenreviews` with a reviewer's token
 *   (https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/).
 * - RFC 7662 introspection: `POST <endpoint>` with `token=…` and the gateway's client credentials
 *   (https://www.rfc-editor.org/rfc/rfc7662).
 */
import type { TokenCheck } from "../table/types.ts";
import type { CompileOptions } from "./types.ts";
import { type Fail, IDENTITY_HEADER_RULE, isIdentityHeaderName, readFetchUrl, readList } from "./auth.ts";
import { show } from "./values.ts";

export const TOKEN_CHECK_ANNOTATIONS = {
  openshiftApiUrl: "auth.edgeroute.dev/openshift-api-url",
  openshiftTokenReviewSecret: "auth.edgeroute.dev/openshift-token-review-secret",
  introspectionUrl: "auth.edgeroute.dev/introspection-url",
  introspectionCredentialsSecret: "auth.edgeroute.dev/introspection-credentials-secret",
  introspectionAudience: "auth.edgeroute.dev/introspection-audience",
  requiredScopes: "auth.edgeroute.dev/required-scopes",
  allowedUsers: "auth.edgeroute.dev/allowed-users",
  allowedGroups: "auth.edgeroute.dev/allowed-groups",
  userHeader: "auth.edgeroute.dev/user-header",
  groupsHeader: "auth.edgeroute.dev/groups-header",
  cacheSeconds: "auth.edgeroute.dev/token-cache-seconds",
  negativeCacheSeconds: "auth.edgeroute.dev/token-negative-cache-seconds",
  timeoutMs: "auth.edgeroute.dev/token-check-timeout-ms",
} as const;
const A = TOKEN_CHECK_ANNOTATIONS;

/** The OpenShift user API's "the user this token belongs to". */
export const OPENSHIFT_USER_PATH = "/apis/user.openshift.io/v1/users/~";
export const TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

export const TOKEN_CHECK_DEFAULTS = { cacheSeconds: 60, negativeCacheSeconds: 5, timeoutMs: 5_000 } as const;
const MAX_CACHE_SECONDS = 3_600;
const TIMEOUT_RANGE_MS = [100, 30_000] as const;
/** Worker bindings and variables of edgeroute itself: a secret of the same name would shadow or expose them. */
const RESERVED_BINDINGS =
  /^(ROUTES|ROUTES_REFRESH_SECONDS|FORWARD_MODE|ACCESS_LOG|ALLOW_LOOPBACK_TARGETS|RATE_LIMIT_.*)$/;

/** The route's token check, or `null` when it has none or a problem was reported. */
export function readTokenCheck(a: Record<string, string>, options: CompileOptions, fail: Fail): TokenCheck | null {
  const given = Object.values(A).filter((n) => a[n] !== undefined);
  if (given.length === 0) return null;
  const openshift = a[A.openshiftApiUrl];
  const introspection = a[A.introspectionUrl];
  if (openshift !== undefined && introspection !== undefined) {
    fail(A.introspectionUrl, `a route checks tokens with one server: set ${A.openshiftApiUrl} or this, not both`);
    return null;
  }
  if (openshift === undefined && introspection === undefined) {
    fail(
      A.openshiftApiUrl,
      `${given.join(", ")} ${given.length === 1 ? "needs" : "need"} a server to check tokens with; set ${A.openshiftApiUrl} (the cluster API, e.g. https://api.cluster.example.com:6443) or ${A.introspectionUrl} (an RFC 7662 endpoint)`,
      "MissingField",
    );
    return null;
  }
  let ok = true;
  const bad: Fail = (name, message, code) => {
    ok = false;
    fail(name, message, code);
  };

  let kind: TokenCheck["kind"];
  let url: string | undefined;
  let secret: string | undefined;
  if (openshift !== undefined) {
    for (const name of [A.introspectionCredentialsSecret, A.introspectionAudience, A.requiredScopes]) {
      if (a[name] !== undefined)
        bad(
          name,
          `applies to ${A.introspectionUrl} only; the OpenShift user API and TokenReview report no scopes or audiences`,
        );
    }
    const base = readFetchUrl(A.openshiftApiUrl, openshift, "cluster API", "tokens", options, bad);
    if (base !== undefined && /[?]/.test(base))
      bad(A.openshiftApiUrl, `${show(openshift)} has a query; give the API server's base URL`);
    kind = a[A.openshiftTokenReviewSecret] === undefined ? "openshift-user" : "openshift-token-review";
    if (kind === "openshift-token-review") secret = readSecretName(a, A.openshiftTokenReviewSecret, bad);
    if (base !== undefined)
      url = `${base.replace(/\/+$/, "")}${kind === "openshift-user" ? OPENSHIFT_USER_PATH : TOKEN_REVIEW_PATH}`;
  } else {
    kind = "introspection";
    if (a[A.openshiftTokenReviewSecret] !== undefined)
      bad(A.openshiftTokenReviewSecret, `applies to ${A.openshiftApiUrl} only`);
    url = readFetchUrl(A.introspectionUrl, introspection as string, "introspection endpoint", "tokens", options, bad);
    if (a[A.introspectionCredentialsSecret] === undefined) {
      // RFC 7662 §2.1: the endpoint MUST require authorization, so an endpoint without credentials is a mistake.
      bad(
        A.introspectionCredentialsSecret,
        `an introspection endpoint requires the gateway's own client credentials (RFC 7662 §2.1); name the Worker secret that holds them as client_id:client_secret (wrangler secret put NAME)`,
        "MissingField",
      );
    } else secret = readSecretName(a, A.introspectionCredentialsSecret, bad);
  }

  const check: TokenCheck = {
    kind,
    url: url ?? "",
    cacheSeconds: readSeconds(a, A.cacheSeconds, TOKEN_CHECK_DEFAULTS.cacheSeconds, 1, bad),
    negativeCacheSeconds: readSeconds(a, A.negativeCacheSeconds, TOKEN_CHECK_DEFAULTS.negativeCacheSeconds, 0, bad),
    timeoutMs: readTimeout(a, bad),
  };
  if (secret !== undefined) check.secret = secret;
  if (check.negativeCacheSeconds > check.cacheSeconds) {
    bad(
      A.negativeCacheSeconds,
      `${check.negativeCacheSeconds} is longer than ${A.cacheSeconds} (${check.cacheSeconds}); rejected tokens are remembered for a shorter time than accepted ones`,
    );
  }
  const lists = [
    ["audience", A.introspectionAudience, "audience"],
    ["allowedUsers", A.allowedUsers, "user"],
    ["allowedGroups", A.allowedGroups, "group"],
    ["requiredScopes", A.requiredScopes, "scope"],
  ] as const;
  for (const [field, name, what] of lists) {
    if (a[name] === undefined) continue;
    const list = readList(a, name, what, bad);
    // Scopes are space-separated in OAuth (RFC 6749 §3.3), so both spaces and commas separate them here.
    if (list !== null)
      check[field] = field === "requiredScopes" ? [...new Set(list.flatMap((s) => s.split(/\s+/)))] : list;
  }
  const headers = new Set<string>();
  for (const [field, name] of [
    ["userHeader", A.userHeader],
    ["groupsHeader", A.groupsHeader],
  ] as const) {
    const header = a[name]?.trim();
    if (header === undefined) continue;
    if (!isIdentityHeaderName(header)) bad(name, `${show(header)} cannot carry an identity; ${IDENTITY_HEADER_RULE}`);
    else if (headers.has(header.toLowerCase().replaceAll("_", "-")))
      bad(name, `${header} is already the user header; the user and the groups need a header each`);
    else {
      headers.add(header.toLowerCase().replaceAll("_", "-"));
      check[field] = header;
    }
  }
  return ok && url !== undefined ? check : null;
}

/** A Worker secret's name (an environment-variable name), never one of edgeroute's own bindings. */
function readSecretName(a: Record<string, string>, name: string, fail: Fail): string | undefined {
  const value = a[name]?.trim() ?? "";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || RESERVED_BINDINGS.test(value)) {
    fail(
      name,
      `${show(a[name])} is not a usable Worker secret name; give the NAME of a secret set with \`wrangler secret put NAME\` (letters, digits, _; not ROUTES, RATE_LIMIT_* or another edgeroute variable), never the credential itself`,
    );
    return undefined;
  }
  return value;
}

function readSeconds(a: Record<string, string>, name: string, fallback: number, min: number, fail: Fail): number {
  const value = a[name];
  if (value === undefined) return fallback;
  const seconds = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(seconds >= min && seconds <= MAX_CACHE_SECONDS)) {
    fail(
      name,
      `${show(value)} is not valid; give whole seconds from ${min} to ${MAX_CACHE_SECONDS} (default ${fallback})`,
    );
    return fallback;
  }
  return seconds;
}

function readTimeout(a: Record<string, string>, fail: Fail): number {
  const value = a[A.timeoutMs];
  if (value === undefined) return TOKEN_CHECK_DEFAULTS.timeoutMs;
  const ms = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  const [min, max] = TIMEOUT_RANGE_MS;
  if (!(ms >= min && ms <= max)) {
    fail(
      A.timeoutMs,
      `${show(value)} is not valid; give whole milliseconds from ${min} to ${max} (default ${TOKEN_CHECK_DEFAULTS.timeoutMs})`,
    );
    return TOKEN_CHECK_DEFAULTS.timeoutMs;
  }
  return ms;
}
