import { describe, expect, it } from "vitest";
import { RATE_LIMIT_TIERS, rateLimitFor } from "../../../worker/core/compile/rate-limit.ts";

describe("rate-limit tiers", () => {
  it("is the 1-2-5 series from 1 to 10000", () => {
    expect(RATE_LIMIT_TIERS).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]);
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
