import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_TIERS, rateLimitFor } from "../../../worker/core/compile/rate-limit.ts";

/** A `[[ratelimits]]` entry of wrangler.toml as wrangler reads it. */
interface RateLimitBinding {
  name: string;
  namespace_id: string;
  simple: { limit: number; period: number };
}

describe("rate-limit tiers", () => {
  it("has one binding in the real wrangler.toml per tier, with that limit per 10 s, and no other", () => {
    const { ratelimits } = unstable_readConfig({ config: "wrangler.toml" }) as { ratelimits: RateLimitBinding[] };
    const bound = ratelimits.map((r) => ({ name: r.name, limit: r.simple.limit, period: r.simple.period }));
    expect(bound).toEqual(
      RATE_LIMIT_TIERS.map((tier) => ({ name: rateLimitFor(tier).binding, limit: tier, period: 10 })),
    );
    expect(new Set(ratelimits.map((r) => r.namespace_id)).size).toBe(RATE_LIMIT_TIERS.length);
  });

  it.each([
    [1, 1],
    [4, 2],
    [5, 5],
    [30, 20],
    [999, 500],
    [10000, 10000],
    [50000, 10000],
  ])("%d requests per 10 s → tier %d (never looser)", (requested, tier) => {
    expect(rateLimitFor(requested)).toEqual({
      requested,
      binding: `RATE_LIMIT_${tier}`,
      limit: tier,
      periodSeconds: 10,
    });
  });
});
