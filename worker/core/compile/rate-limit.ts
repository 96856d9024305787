/**
 * @module `haproxy.router.openshift.io/rate-limit-connections.rate-http` (requests per 10 s per client IP, ROUTER
 * template `src_http_req_rate ge N`) mapped onto Workers rate-limiting bindings. A binding's limit is fixed in
 * wrangler.toml, so there is one binding per tier of the 1-2-5 series and a route uses the largest tier that is
 * not looser than what it asked for.
 */
import type { RateLimit } from "../table/types.ts";

/** The period of the router's `http_req_rate(10s)` and of every binding. */
export const RATE_LIMIT_PERIOD_SECONDS = 10;

/** Limits of the `RATE_LIMIT_<n>` bindings: 1, 2, 5, 10, 20, 50, …, 10000. */
export const RATE_LIMIT_TIERS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/** The binding name of a tier. @example rateLimitBinding(50) === "RATE_LIMIT_50" */
export function rateLimitBinding(tier: number): string {
  return `RATE_LIMIT_${tier}`;
}

/**
 * The largest tier ≤ `requested` (stricter, never looser). `requested` must be ≥ 1.
 * @example rateLimitFor(30).limit === 20; rateLimitFor(100).limit === 100; rateLimitFor(50000).limit === 10000
 */
export function rateLimitFor(requested: number): RateLimit {
  let tier = RATE_LIMIT_TIERS[0] ?? 1;
  for (const candidate of RATE_LIMIT_TIERS) if (candidate <= requested) tier = candidate;
  return { requested, binding: rateLimitBinding(tier), limit: tier, periodSeconds: RATE_LIMIT_PERIOD_SECONDS };
}
