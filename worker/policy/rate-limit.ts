/**
 * @module `haproxy.router.openshift.io/rate-limit-connections.rate-http`: requests per client IP per 10 s.
 *
 * OpenShift parity: the router tracks `http_req_rate(10s)` per source address in a stick table and rejects
 * the connection when it reaches the limit (haproxy-config.template). Here each limit tier is a Workers
 * rate-limiting binding (`RATE_LIMIT_<n>`, `[[ratelimits]]` in wrangler.toml) and the counter key is the
 * client address plus the route id, so two routes never share a budget. Refusal is `429` with `Retry-After`
 * (an HTTP edge cannot drop the connection). Counters are per Cloudflare location and eventually consistent:
 * see docs/security.md for how exact that is.
 */
import type { CompiledRoute } from "../core/table/types.ts";
import { logPolicyFault, POLICY_UNAVAILABLE, type Refusal } from "./refuse.ts";

/** The part of the Workers `RateLimit` binding this module uses. */
interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * Count this request against the route's tier. A missing binding or a failing limiter answers 503 (fail
 * closed: a route that asked for a limit is never served unlimited) and logs which binding is wrong.
 */
export async function checkRateLimit(
  route: CompiledRoute,
  clientIp: string,
  env: Record<string, unknown>,
): Promise<Refusal | null> {
  const rateLimit = route.rateLimit;
  if (rateLimit === null) return null;
  const limiter = env[rateLimit.binding];
  if (!isRateLimiter(limiter)) {
    logPolicyFault(
      route.id,
      "rate-limit",
      `rate-limiting binding ${rateLimit.binding} is not configured (add it under [[ratelimits]] in wrangler.toml); answering 503`,
    );
    return POLICY_UNAVAILABLE;
  }
  let outcome: { success: boolean };
  try {
    outcome = await limiter.limit({ key: `${clientIp} ${route.id}` });
  } catch (error) {
    logPolicyFault(route.id, "rate-limit", `rate-limiting binding ${rateLimit.binding} failed: ${String(error)}`);
    return POLICY_UNAVAILABLE;
  }
  if (outcome.success) return null;
  return {
    code: "RateLimited",
    message: `Too many requests: this site allows ${rateLimit.limit} requests per ${rateLimit.periodSeconds} seconds. Try again later.`,
    // The binding does not say when its window ends; one whole period is the longest a client can have to wait.
    headers: [["Retry-After", String(rateLimit.periodSeconds)]],
  };
}

function isRateLimiter(value: unknown): value is RateLimiter {
  return typeof value === "object" && value !== null && typeof (value as { limit?: unknown }).limit === "function";
}
