import { afterEach, describe, expect, it, vi } from "vitest";
import { enforcePolicies } from "../../../worker/policy/index.ts";
import { request, route } from "./fixtures.ts";

// The counting itself is tested against the real Miniflare rate-limiting binding in test/e2e/policy-rate-limit.test.ts;
// these cases cover what the policy does when the binding is not there or fails.
const limited = route({ rateLimit: { requested: 10, binding: "RATE_LIMIT_10", limit: 10, periodSeconds: 10 } });

afterEach(() => vi.restoreAllMocks());

async function decide(env: Record<string, unknown>) {
  return enforcePolicies({ request: request(), route: limited, clientIp: "192.0.2.1", env });
}

describe("rate limit: binding faults fail closed", () => {
  it.each([
    ["missing", {}],
    ["not a rate limiter", { RATE_LIMIT_10: "10" }],
  ])("answers 503 and logs the binding name when the binding is %s", async (_, env) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const decision = await decide(env);
    if (decision.allow) throw new Error("a route that asked for a limit must not be served unlimited");
    expect(decision.response.status).toBe(503);
    expect(decision.response.headers.get("Cache-Control")).toBe("no-store");
    expect(await decision.response.text()).not.toContain("RATE_LIMIT_10");
    expect(log).toHaveBeenCalledOnce();
    expect(String(log.mock.calls[0]?.[0])).toContain("rate-limiting binding RATE_LIMIT_10 is not configured");
  });

  it("answers 503 when the binding throws", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const failing = { limit: async () => Promise.reject(new Error("internal error")) };
    const decision = await decide({ RATE_LIMIT_10: failing });
    expect(decision.allow ? 200 : decision.response.status).toBe(503);
    expect(log).toHaveBeenCalledOnce();
  });

  it("does not look at any binding for a route without a limit", async () => {
    expect((await enforcePolicies({ request: request(), route: route(), clientIp: "192.0.2.1", env: {} })).allow).toBe(
      true,
    );
  });
});
