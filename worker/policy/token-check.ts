/**
 * @module `auth.edgeroute.dev/openshift-api-url` / `introspection-url`: accept only requests whose opaque bearer
 * token the issuing server vouches for (docs/security.md §6), then apply the route's requirements (users, groups,
 * scopes, audience) and hand the user and groups to the backend in the route's headers.
 *
 * The servers:
 * - OpenShift user API, `GET /apis/user.openshift.io/v1/users/~` with the client's token: 200 gives the User
 *   (`metadata.name`, `groups`), 401 means the token is not valid
 *   (https://docs.redhat.com/en/documentation/openshift_container_platform/4.17/html/user_and_group_apis/user-user-openshift-io-v1);
 * - Kubernetes TokenReview, `POST /apis/authentication.k8s.io/v1/tokenreviews` with the reviewer's own token:
 *   `status.authenticated`, `status.user.username`, `status.user.groups`
 *   (https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/);
 * - RFC 7662 token introspection, `POST` of `token=…` with the gateway's client credentials (HTTP Basic, RFC 6749
 *   §2.3.1): `active`, `exp`, `nbf`, `aud`, `scope`, `username`, `sub` (https://www.rfc-editor.org/rfc/rfc7662).
 *
 * Fails closed: a server that cannot be reached, is slow, or answers something unexpected gives 503 (logged with
 * the server's URL); it is never taken as a yes. The token never appears in a log line or a cache key.
 */
import type { CompiledRoute, TokenCheck } from "../core/index.ts";
import { forbiddenTarget } from "../core/index.ts";
import { identityHeaderValue, insufficientScope, invalidToken, readBearer } from "./bearer.ts";
import { logPolicyFault, POLICY_UNAVAILABLE, type Refusal } from "./refuse.ts";
import { type CachedVerdict, recall, remember, type Verdict, verdictKey } from "./token-cache.ts";

export type TokenCheckOutcome =
  | { ok: true; setHeaders: [string, string][]; removeHeaders: string[] }
  | { ok: false; refusal: Refusal };

export interface TokenCheckContext {
  request: Request;
  route: CompiledRoute;
  check: TokenCheck;
  env: Record<string, unknown>;
  /** Local development only: a stand-in of the cluster on 127.0.0.1 may be reached. */
  allowLoopback: boolean;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** The server could not give an answer: the request gets 503 and `reason` goes to the log. */
class Unavailable extends Error {}

/** Check the request's bearer token with the route's server (or its remembered answer). Never throws. */
export async function checkToken(ctx: TokenCheckContext): Promise<TokenCheckOutcome> {
  const { request, route, check } = ctx;
  const bearer = readBearer(request);
  if ("refusal" in bearer) return { ok: false, refusal: bearer.refusal };

  const now = Date.now();
  const key = await verdictKey(check, bearer.token);
  let verdict = await recall(key, now);
  if (verdict === null) {
    try {
      const fresh = await askServer(ctx, bearer.token, now);
      verdict = fresh.verdict;
      remember(key, fresh, now, ctx.waitUntil);
    } catch (error) {
      const reason = error instanceof Unavailable ? error.message : `failed: ${String(error)}`;
      logPolicyFault(route.id, "token-check", `${describeServer(check)} ${reason}; answering 503`);
      return { ok: false, refusal: POLICY_UNAVAILABLE };
    }
  }
  if (!verdict.active) return { ok: false, refusal: invalidToken(request, verdict.reason) };
  if (verdict.expiresAt !== null && verdict.expiresAt <= now) {
    return { ok: false, refusal: invalidToken(request, "The access token expired") };
  }
  const refusal = requirementRefusal(request, check, verdict);
  if (refusal !== null) return { ok: false, refusal };

  const removeHeaders: string[] = [];
  const setHeaders: [string, string][] = [];
  const forward = (header: string | undefined, value: string): void => {
    if (header === undefined) return;
    removeHeaders.push(header);
    const text = identityHeaderValue(value);
    if (text !== null && text !== "") setHeaders.push([header, text]);
  };
  forward(check.userHeader, verdict.user);
  forward(check.groupsHeader, verdict.groups.join(","));
  return { ok: true, setHeaders, removeHeaders };
}

/** Every configured requirement must hold: audience (401), then users and groups (403), then scopes (403). */
function requirementRefusal(request: Request, check: TokenCheck, verdict: Verdict & { active: true }): Refusal | null {
  if (check.audience !== undefined && !check.audience.some((aud) => verdict.audience.includes(aud))) {
    return invalidToken(request, "The access token audience is not accepted");
  }
  const forbidden: Refusal = {
    code: "NotAllowed",
    message: "Your account is not allowed to use this site.",
  };
  if (check.allowedUsers !== undefined && !check.allowedUsers.includes(verdict.user)) return forbidden;
  if (check.allowedGroups !== undefined && !check.allowedGroups.some((g) => verdict.groups.includes(g))) {
    return forbidden;
  }
  if (check.requiredScopes !== undefined && !check.requiredScopes.every((s) => verdict.scopes.includes(s))) {
    return insufficientScope(request, check.requiredScopes);
  }
  return null;
}

/** Ask the route's server about the token; the answer comes with how long it may be remembered. */
async function askServer(ctx: TokenCheckContext, token: string, now: number): Promise<CachedVerdict> {
  const { check } = ctx;
  const url = new URL(check.url);
  const kind = forbiddenTarget(url.hostname, ctx.allowLoopback);
  // Defence in depth: the CLI refuses such a URL already; a table written by other means is checked again.
  if (kind !== null) {
    throw new Unavailable(
      kind === "loopback"
        ? "is a loopback address, allowed only in local development"
        : `is a ${kind} address, which is never a target`,
    );
  }
  const verdict =
    check.kind === "openshift-user"
      ? await askOpenShiftUser(check, token)
      : check.kind === "openshift-token-review"
        ? await askTokenReview(check, token, secretOf(ctx))
        : await askIntrospection(check, token, secretOf(ctx), now);
  if (!verdict.active) return { verdict, until: now + check.negativeCacheSeconds * 1000 };
  const until = Math.min(now + check.cacheSeconds * 1000, verdict.expiresAt ?? Number.POSITIVE_INFINITY);
  return { verdict, until };
}

/** The route's Worker secret; its absence is a configuration fault (503), never an open door. */
function secretOf(ctx: TokenCheckContext): string {
  const name = ctx.check.secret ?? "";
  const value = ctx.env[name];
  if (typeof value !== "string" || value === "") {
    throw new Unavailable(`needs the Worker secret ${name}, which is not set (wrangler secret put ${name})`);
  }
  return value;
}

async function askOpenShiftUser(check: TokenCheck, token: string): Promise<Verdict> {
  const response = await call(check, {
    method: "GET",
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
  });
  // 401: unknown, expired or revoked token. 403: a scoped token that may not read its own user (no user:info).
  if (response.status === 401) return rejected("The access token is invalid or expired");
  if (response.status === 403) return rejected("The access token may not read its user");
  if (response.status !== 200) throw new Unavailable(`answered HTTP ${response.status}`);
  const body = await jsonOf(response);
  const name = field(field(body, "metadata"), "name");
  if (typeof name !== "string" || name === "") throw new Unavailable("answered a User without metadata.name");
  return accepted(name, strings(field(body, "groups")), [], [], null);
}

async function askTokenReview(check: TokenCheck, token: string, reviewerToken: string): Promise<Verdict> {
  const response = await call(check, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${reviewerToken}`,
      Accept: "application/json",
      "Content-Type": "application/json",
    },
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } }),
  });
  if (response.status === 401 || response.status === 403) {
    throw new Unavailable(
      `refused the reviewer token in Worker secret ${check.secret} (HTTP ${response.status}); it must be valid and allowed to create tokenreviews (ClusterRole system:auth-delegator)`,
    );
  }
  if (response.status !== 200 && response.status !== 201) throw new Unavailable(`answered HTTP ${response.status}`);
  const status = field(await jsonOf(response), "status");
  if (field(status, "authenticated") !== true) return rejected("The access token is invalid or expired");
  const user = field(status, "user");
  const name = field(user, "username");
  if (typeof name !== "string" || name === "") throw new Unavailable("answered a TokenReview without a user name");
  return accepted(name, strings(field(user, "groups")), [], [], null);
}

async function askIntrospection(check: TokenCheck, token: string, credentials: string, now: number): Promise<Verdict> {
  const colon = credentials.indexOf(":");
  if (colon <= 0) {
    throw new Unavailable(`needs client_id:client_secret in Worker secret ${check.secret}, which holds no colon`);
  }
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined and base64-encoded.
  const basic = btoa(`${formEncode(credentials.slice(0, colon))}:${formEncode(credentials.slice(colon + 1))}`);
  const response = await call(check, {
    method: "POST",
    headers: {
      Authorization: `Basic ${basic}`,
      Accept: "application/json",
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: `token=${formEncode(token)}&token_type_hint=access_token`,
  });
  if (response.status === 401 || response.status === 403) {
    throw new Unavailable(`refused the client credentials in Worker secret ${check.secret} (HTTP ${response.status})`);
  }
  if (response.status !== 200) throw new Unavailable(`answered HTTP ${response.status}`);
  const body = await jsonOf(response);
  // RFC 7662 §2.2: `active` is REQUIRED; anything but true means the token must not be accepted.
  if (field(body, "active") !== true) return rejected("The access token is not active");
  const exp = field(body, "exp");
  const nbf = field(body, "nbf");
  if (typeof exp === "number" && exp * 1000 <= now) return rejected("The access token expired");
  if (typeof nbf === "number" && nbf * 1000 > now) return rejected("The access token is not valid yet");
  const username = field(body, "username");
  const sub = field(body, "sub");
  const user = typeof username === "string" ? username : typeof sub === "string" ? sub : "";
  const scope = field(body, "scope");
  const aud = field(body, "aud");
  return accepted(
    user,
    strings(field(body, "groups")),
    typeof scope === "string" ? scope.split(" ").filter((s) => s !== "") : [],
    typeof aud === "string" ? [aud] : strings(aud),
    typeof exp === "number" ? exp * 1000 : null,
  );
}

/** One call to the server, bounded by the route's timeout; a network failure or timeout is `Unavailable`. */
async function call(check: TokenCheck, init: RequestInit): Promise<Response> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, check.timeoutMs);
  try {
    // Never follow a redirect: the token must go to the configured server only.
    const response = await fetch(check.url, { ...init, redirect: "manual", signal: controller.signal });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new Unavailable(`answered a redirect (HTTP ${response.status}), which is never followed`);
    }
    return response;
  } catch (error) {
    if (error instanceof Unavailable) throw error;
    if (timedOut) throw new Unavailable(`did not answer within ${check.timeoutMs} ms`);
    throw new Unavailable(`could not be reached (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    clearTimeout(timer);
  }
}

async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new Unavailable(`answered HTTP ${response.status} with a body that is not JSON`);
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function accepted(
  user: string,
  groups: string[],
  scopes: string[],
  audience: string[],
  expiresAt: number | null,
): Verdict {
  return { active: true, user, groups, scopes, audience, expiresAt };
}

function rejected(reason: string): Verdict {
  return { active: false, reason };
}

/** `application/x-www-form-urlencoded` encoding of one value (space as `+`). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** How the log names the server: its kind and URL (never the token, never the credentials). */
function describeServer(check: TokenCheck): string {
  const what =
    check.kind === "introspection"
      ? "introspection endpoint"
      : check.kind === "openshift-user"
        ? "OpenShift user API"
        : "OpenShift TokenReview API";
  return `${what} ${check.url}`;
}
