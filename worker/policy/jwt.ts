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
import type { JwtAuth } from "../core/table/types.ts";
import { identityHeaderValue, invalidToken, readBearer } from "./bearer.ts";
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
  const bearer = readBearer(request);
  if ("refusal" in bearer) return { ok: false, refusal: bearer.refusal };
  const token = bearer.token;

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
    return { ok: false, refusal: invalidToken(request, describe(error)) };
  }

  const removeHeaders = auth.forwardClaims.map((f) => f.header);
  const setHeaders: [string, string][] = [];
  for (const { claim, header: name } of auth.forwardClaims) {
    const value = identityHeaderValue(payload[claim]);
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
 * resolver, which fails with 503. The verdict is kept per URL: a table names few key sets, and a warm request
 * then parses no URL and no address here (BENCHMARKS.md, the route with policies).
 */
function forbiddenKeySet(jwksUrl: string, allowLoopback: boolean): string | null {
  const key = `${allowLoopback ? "L" : "-"}${jwksUrl}`;
  let verdict = keySetVerdicts.get(key);
  if (verdict === undefined) {
    verdict = keySetVerdict(jwksUrl, allowLoopback);
    // Bounded like the key sets themselves (jwks.ts), in case a table names very many.
    if (keySetVerdicts.size >= MAX_KEY_SET_VERDICTS) keySetVerdicts.clear();
    keySetVerdicts.set(key, verdict);
  }
  return verdict;
}

const keySetVerdicts = new Map<string, string | null>();
const MAX_KEY_SET_VERDICTS = 256;

function keySetVerdict(jwksUrl: string, allowLoopback: boolean): string | null {
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

function codeOf(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "";
}
