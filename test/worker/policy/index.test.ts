import { describe, expect, it, vi } from "vitest";
import { enforcePolicies } from "../../../worker/policy/index.ts";
import { request, route } from "./fixtures.ts";

/** Every policy on one route; the test sees which one answers first. */
const guarded = route({
  ipAllowlist: ["192.0.2.0/24"],
  rateLimit: { requested: 5, binding: "RATE_LIMIT_5", limit: 5, periodSeconds: 10 },
  clientCert: {},
  jwt: { jwksUrl: "https://id.example.com/jwks", algorithms: ["ES256"], clockToleranceSeconds: 0, forwardClaims: [] },
});

/** A rate-limiting binding that records the keys it was asked about and answers `success`. */
function recordingLimiter(success: boolean) {
  const keys: string[] = [];
  return { keys, binding: { limit: async ({ key }: { key: string }) => (keys.push(key), { success }) } };
}

const verifiedCert = { tlsClientAuth: { certPresented: "1", certVerified: "SUCCESS", certRevoked: "0" } };

describe("policy order", () => {
  it("refuses a client outside the allowlist before counting it against the rate limit", async () => {
    const limiter = recordingLimiter(true);
    const decision = await enforcePolicies({
      request: request(),
      route: guarded,
      clientIp: "203.0.113.9",
      env: { RATE_LIMIT_5: limiter.binding },
    });
    expect(decision.allow ? 200 : decision.response.status).toBe(403);
    expect(limiter.keys).toEqual([]);
  });

  it("counts an allowed client under its address and the route id, and answers 429 with Retry-After when over", async () => {
    const limiter = recordingLimiter(false);
    const decision = await enforcePolicies({
      request: request({ cf: verifiedCert }),
      route: guarded,
      clientIp: "192.0.2.4",
      env: { RATE_LIMIT_5: limiter.binding },
    });
    if (decision.allow) throw new Error("expected 429");
    expect(decision.response.status).toBe(429);
    expect(decision.response.headers.get("Retry-After")).toBe("10");
    expect(decision.response.headers.get("Cache-Control")).toBe("no-store");
    expect(limiter.keys).toEqual(["192.0.2.4 shop/web"]);
  });

  it("checks the client certificate before the token, and the token last", async () => {
    const limiter = recordingLimiter(true);
    const env = { RATE_LIMIT_5: limiter.binding };
    const noCert = await enforcePolicies({ request: request(), route: guarded, clientIp: "192.0.2.4", env });
    expect(noCert.allow ? 200 : noCert.response.status).toBe(403);
    const noToken = await enforcePolicies({
      request: request({ cf: verifiedCert }),
      route: guarded,
      clientIp: "192.0.2.4",
      env,
    });
    if (noToken.allow) throw new Error("expected 401");
    expect(noToken.response.status).toBe(401);
    expect(noToken.response.headers.get("WWW-Authenticate")).toBe('Bearer realm="shop.example.com"');
    expect(limiter.keys).toHaveLength(2);
  });

  it("never throws for a request without a cf object or headers on a fully guarded route", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const decision = await enforcePolicies({
      request: new Request("http://shop.example.com/"),
      route: guarded,
      clientIp: "192.0.2.4",
      env: {},
    });
    expect(decision.allow ? 200 : decision.response.status).toBe(503);
    log.mockRestore();
  });
});
