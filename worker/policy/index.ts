/**
 * @module The per-route access policies the Worker enforces before forwarding: the one entry point the
 * request pipeline calls.
 *
 * Order (cheapest and least revealing first): IP allowlist (403), rate limit (429, counted for every request
 * that got past the allowlist, authenticated or not), client certificate (403), bearer token (401: a JWT, or an
 * opaque token checked with its server). The first refusal wins. An allowed request may come with headers to set
 * and remove on the upstream request (claims of a verified token, the user and groups of a checked one). Nothing a
 * client sends makes this throw; configuration faults and unreachable servers fail closed with 503.
 */
import type { CompiledRoute } from "../core/table/types.ts";
import { checkClientCert } from "./client-cert.ts";
import { checkIpAllowlist } from "./ip-allowlist.ts";
import { remoteKeySet } from "./jwks.ts";
import { checkJwt, type KeyResolver } from "./jwt.ts";
import { checkRateLimit } from "./rate-limit.ts";
import { answer, type PolicyCode } from "../answers.ts";
import type { Refusal } from "./refuse.ts";
import { checkToken } from "./token-check.ts";

export type { KeyResolver } from "./jwt.ts";

export interface PolicyInput {
  request: Request;
  route: CompiledRoute;
  /** `CF-Connecting-IP`: the address Cloudflare accepted the connection from. */
  clientIp: string;
  /** The Worker's bindings: the rate-limiting bindings named by `route.rateLimit.binding` are read from here. */
  env: Record<string, unknown>;
  /** Work that may finish after the response (the shared token-check cache write); omitted: not awaited. */
  waitUntil?: (promise: Promise<unknown>) => void;
}

export type PolicyDecision =
  /** Apply to the upstream request: first delete `removeHeaders`, then set `setHeaders`. */
  | { allow: true; setHeaders: [string, string][]; removeHeaders: string[] }
  /** Send to the client as is; `code` is the refusal's, for the log line. */
  | { allow: false; code: PolicyCode; response: Response };

/** Test seam only: the key resolver for JWKS URLs. Production callers pass nothing (remote key sets). */
export interface PolicyOptions {
  keysFor?: KeyResolver;
}

/**
 * Decide whether the request may go to the route's backends.
 * @example const d = await enforcePolicies({ request, route, clientIp, env });
 *          if (!d.allow) return d.response; // else delete d.removeHeaders, then set d.setHeaders upstream
 */
export async function enforcePolicies(input: PolicyInput, options: PolicyOptions = {}): Promise<PolicyDecision> {
  const { request, route, clientIp, env } = input;
  const refusal =
    checkIpAllowlist(route, clientIp) ??
    (await checkRateLimit(route, clientIp, env)) ??
    checkClientCert(route.clientCert, request);
  if (refusal !== null) return refused(request, refusal);
  if (route.tokenCheck !== null) {
    const outcome = await checkToken({
      request,
      route,
      check: route.tokenCheck,
      env,
      allowLoopback: env.ALLOW_LOOPBACK_TARGETS === "true",
      waitUntil: input.waitUntil ?? ((promise) => void promise),
    });
    if (!outcome.ok) return refused(request, outcome.refusal);
    return { allow: true, setHeaders: outcome.setHeaders, removeHeaders: outcome.removeHeaders };
  }
  if (route.jwt === null) return { allow: true, setHeaders: [], removeHeaders: [] };

  const allowLoopback = env.ALLOW_LOOPBACK_TARGETS === "true";
  const outcome = await checkJwt(request, route.id, route.jwt, options.keysFor ?? remoteKeySet, allowLoopback);
  if (!outcome.ok) return refused(request, outcome.refusal);
  return { allow: true, setHeaders: outcome.setHeaders, removeHeaders: outcome.removeHeaders };
}

function refused(request: Request, refusal: Refusal): PolicyDecision {
  const response = answer(refusal.code, refusal.message, request.headers.get("Accept"), { headers: refusal.headers });
  return { allow: false, code: refusal.code, response };
}
