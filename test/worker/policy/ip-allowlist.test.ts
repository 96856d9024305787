import { describe, expect, it } from "vitest";
import { enforcePolicies } from "../../../worker/policy/index.ts";
import { request, route } from "./fixtures.ts";

const allowlisted = route({ ipAllowlist: ["192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"] });

async function decide(clientIp: string, r = allowlisted, headers: Record<string, string> = {}) {
  return enforcePolicies({ request: request({ headers }), route: r, clientIp, env: {} });
}

describe("ip allowlist", () => {
  it.each([
    ["IPv4 inside a /24", "192.0.2.200"],
    ["IPv4 host entry", "198.51.100.7"],
    ["IPv6 inside a /32", "2001:db8:1::5"],
    ["IPv4-mapped IPv6 spelling of an allowed IPv4", "::ffff:192.0.2.9"],
  ])("lets %s through", async (_, ip) => {
    expect(await decide(ip)).toEqual({ allow: true, setHeaders: [], removeHeaders: [] });
  });

  it.each([
    ["IPv4 outside every network", "203.0.113.1"],
    ["the neighbour of a host entry", "198.51.100.8"],
    ["IPv6 outside the /32", "2001:db9::1"],
    ["an empty client address", ""],
    ["a garbage client address", "not-an-ip, 192.0.2.1"],
  ])("refuses %s with 403 and an uncacheable page", async (_, ip) => {
    const decision = await decide(ip);
    if (decision.allow) throw new Error("expected a refusal");
    expect(decision.response.status).toBe(403);
    expect(decision.response.headers.get("Cache-Control")).toBe("no-store");
    expect(decision.response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const page = await decision.response.text();
    expect(page).toContain("403 Forbidden");
    expect(page).toContain("would close the connection");
    expect(page).not.toContain("192.0.2.0");
  });

  it("answers JSON to API clients", async () => {
    const decision = await decide("203.0.113.1", allowlisted, { Accept: "application/json" });
    if (decision.allow) throw new Error("expected a refusal");
    expect(decision.response.headers.get("Content-Type")).toBe("application/json");
    expect(await decision.response.json()).toEqual({ error: "AddressNotAllowed", message: expect.any(String) });
  });

  it("lets everyone through a route without an allowlist", async () => {
    expect((await decide("203.0.113.1", route())).allow).toBe(true);
  });

  it("refuses everyone when no entry of a list parses (fail closed, never open)", async () => {
    const broken = route({ ipAllowlist: ["300.1.1.1/8", "junk"] });
    expect((await decide("300.1.1.1", broken)).allow).toBe(false);
    expect((await decide("192.0.2.1", broken)).allow).toBe(false);
  });

  it("gives the same answers when the parsed list is reused for later requests", async () => {
    const r = route({ ipAllowlist: ["10.1.0.0/16"] });
    for (let i = 0; i < 3; i++) {
      expect((await decide("10.1.2.3", r)).allow).toBe(true);
      expect((await decide("10.2.0.1", r)).allow).toBe(false);
    }
  });
});
