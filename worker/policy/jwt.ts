/**
 * @module `auth.edgeroute.dev/jwt-*`: accept only requests with a valid OAuth 2.0 bearer token (RFC 6750).
 *
 * The token is verified with jose against the route's key set, issuer, audiences and pinned algorithms
 * (asymmetric only: an HMAC algorithm would let anyone who knows the public key sign tokens, and `none` is
 * never accepted), following RFC 8725 (JWT best current practice, https://www.rfc-editor.org/rfc/rfc8725):
 * algorithms pinned per route (§3.1), issuer and audience required by the compiler unless explicitly waived
 * (§3.8, §3.9), `exp` required, and the `typ` header checked when the route names one (§3.11). Configured claims are copied into request headers for the backend; every configured header
 * is removed from the client's request first, even when the claim is absent, so a client can never supply it.
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { forbiddenTarget } from "../core/ip.ts";
import type { JwtAuth } from "../core/types.ts";
import { logPolicyFault, POLICY_UNAVAILABLE, type Refusal } from "./refuse.ts";

/** Gives the key resolver for a JWKS URL: `remoteKeySet` in production, a local key set in tests. */
export type KeyResolver = (jwksUrl: string) => JWTVerifyGetKey;

export type JwtOutcome =
  | { ok: true; setHeaders: [string, string][]; removeHeaders: string[] }
  | { ok: false; refusal: Refusal };

/** Algorithms a route may pin: public-key signatures only. */
const ASYMMETRIC_ALGORITHMS = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
]);

/** RFC 6750 §2.1: `Bearer` (case-insensitive scheme) followed by a b64token. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Verify the request's bearer token for the route. A missing token, a token that fails verification, and a
 * misconfigured or unreachable key set all end in a refusal; nothing a client sends makes this throw.
 */
export async function checkJwt(
  request: Request,
  routeId: string,
  auth: JwtAuth,
  keysFor: KeyResolver,
  allowLoopback: boolean,
): Promise<JwtOutcome> {
  const realm = `Bearer realm="${new URL(request.url).hostname}"`;
  const header = request.headers.get("Authorization");
  if (header === null || !/^bearer(\s|$)/i.test(header)) {
    // RFC 6750 §3.1: no error code when the request carries no bearer credentials at all.
    return refused("TokenRequired", "This site requires a bearer token.", realm);
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) return invalidToken(realm, "The access token is malformed");

  const algorithms = auth.algorithms.filter((alg) => ASYMMETRIC_ALGORITHMS.has(alg));
  if (algorithms.length === 0) {
    logPolicyFault(routeId, "jwt", `no usable algorithm in ${JSON.stringify(auth.algorithms)}; answering 503`);
    return { ok: false, refusal: POLICY_UNAVAILABLE };
  }

  const forbidden = forbiddenKeySet(auth.jwksUrl, allowLoopback);
  if (forbidden !== null) {
    logPolicyFault(routeId, "jwt", `key set ${auth.jwksUrl}: ${forbidden}; answering 502`);
    return { ok: false, refusal: FORBIDDEN_KEY_SET };
  }
  let keys: JWTVerifyGetKey;
  try {
    keys = guardKeySource(keysFor(auth.jwksUrl));
  } catch (error) {
    // Only a URL that does not parse can get here: the table's fault, not the client's.
    logPolicyFault(routeId, "jwt", `key set ${auth.jwksUrl} cannot be used: ${String(error)}; answering 503`);
    return { ok: false, refusal: POLICY_UNAVAILABLE };
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms,
      issuer: auth.issuer,
      audience: auth.audience,
      clockTolerance: auth.clockToleranceSeconds,
      // RFC 8725 §3.10 and RFC 9068 §4: a token without an expiry would be valid forever.
      requiredClaims: ["exp"],
      ...(auth.type === undefined ? {} : { typ: auth.type }),
    }));
  } catch (error) {
    if (error instanceof KeySourceUnavailable) {
      logPolicyFault(routeId, "jwt", `key set ${auth.jwksUrl} unavailable: ${error.message}; answering 503`);
      return { ok: false, refusal: POLICY_UNAVAILABLE };
    }
    return invalidToken(realm, describe(error));
  }

  const removeHeaders = auth.forwardClaims.map((f) => f.header);
  const setHeaders: [string, string][] = [];
  for (const { claim, header: name } of auth.forwardClaims) {
    const value = claimHeaderValue(payload[claim]);
    if (value !== null) setHeaders.push([name, value]);
  }
  return { ok: true, setHeaders, removeHeaders };
}

/** The key set's host is not a permitted target: the table's fault, answered like a forbidden endpoint. */
const FORBIDDEN_KEY_SET: Refusal = {
  code: "KeySetNotAllowed",
  message: "This site is misconfigured and cannot verify access tokens.",
};

/**
 * The compiler refuses such key-set URLs already; a table written by other means is checked again on the host as
 * the URL parser reads it (the same classification as endpoints). A URL that does not parse is left to the key
 * resolver, which fails with 503.
 */
function forbiddenKeySet(jwksUrl: string, allowLoopback: boolean): string | null {
  let host: string;
  try {
    host = new URL(jwksUrl).hostname;
  } catch {
    return null;
  }
  const kind = forbiddenTarget(host, allowLoopback);
  if (kind === null) return null;
  return `its host ${host} is ${kind === "invalid" ? "not a valid host" : `a ${kind} address`}, which is not a permitted target`;
}

/** Thrown by the guarded resolver when the key set itself could not be loaded (not the client's fault). */
class KeySourceUnavailable extends Error {}

/** Errors a key resolver raises because of the token (its `kid`/`alg`), as opposed to a failing JWKS fetch. */
const TOKEN_CAUSED_KEY_ERRORS = new Set([
  "ERR_JWKS_NO_MATCHING_KEY",
  "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
  "ERR_JOSE_NOT_SUPPORTED",
]);

/** Tell a JWKS outage (503, logged) from a bad token (401): a timeout or a broken JWKS is the server's fault. */
function guardKeySource(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (protectedHeader, token) => {
    try {
      return await keys(protectedHeader, token);
    } catch (error) {
      if (TOKEN_CAUSED_KEY_ERRORS.has(codeOf(error))) throw error;
      throw new KeySourceUnavailable(error instanceof Error ? error.message : String(error));
    }
  };
}

/** RFC 6750 §3.1 `error_description`: fixed texts (no quotes or backslashes), never jose's internals. */
function describe(error: unknown): string {
  switch (codeOf(error)) {
    case "ERR_JWT_EXPIRED":
      return "The access token expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const claim = (error as { claim?: unknown }).claim;
      if (claim === "iss") return "The access token issuer is not accepted";
      if (claim === "aud") return "The access token audience is not accepted";
      if (claim === "nbf") return "The access token is not valid yet";
      if (claim === "exp") return "The access token has no expiry";
      if (claim === "typ") return "The access token type is not accepted";
      return "The access token claims are not valid";
    }
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return "The access token signing algorithm is not accepted";
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return "The access token signature could not be verified";
    default:
      return "The access token is invalid";
  }
}

/**
 * A claim as one header value: strings as they are, other JSON as JSON. Characters that cannot appear in a
 * header value (controls, non-ASCII) are percent-encoded (UTF-8), so a claim can never split or break a header.
 */
function claimHeaderValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replace(/[^\x20-\x7e]/gu, (c) => (isLoneSurrogate(c) ? "%EF%BF%BD" : encodeURIComponent(c)));
}

/** JSON may carry a lone UTF-16 surrogate, which `encodeURIComponent` rejects; it becomes U+FFFD instead. */
function isLoneSurrogate(c: string): boolean {
  const unit = c.charCodeAt(0);
  return c.length === 1 && unit >= 0xd800 && unit <= 0xdfff;
}

function codeOf(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "";
}

function invalidToken(realm: string, description: string): JwtOutcome {
  return refused(
    "InvalidToken",
    `${description}.`,
    `${realm}, error="invalid_token", error_description="${description}"`,
  );
}

function refused(code: "TokenRequired" | "InvalidToken", message: string, challenge: string): JwtOutcome {
  return { ok: false, refusal: { code, message, headers: [["WWW-Authenticate", challenge]] } };
}
