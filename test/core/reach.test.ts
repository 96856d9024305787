import { describe, expect, it } from "vitest";
import { PROXY_PORTS, unreachableReasons, zoneOf } from "../../worker/core/index.ts";
import type { Endpoint } from "../../worker/core/index.ts";

const at = (host: string, port: number, scheme: Endpoint["scheme"] = "http"): Endpoint => ({ scheme, host, port });

describe("unreachableReasons: what a deployed Worker cannot fetch", () => {
  it("accepts a DNS name on a proxy port of its scheme", () => {
    expect(unreachableReasons(at("lb.example.com", 80), "shop.example.com", [])).toEqual([]);
    expect(unreachableReasons(at("lb.example.com", 8443, "https"), "shop.example.com", [])).toEqual([]);
    expect(unreachableReasons(at("lb.example.com", 443, "https"), "shop.example.com", ["example.com"])).toEqual([]);
  });

  it("the catch-all host: its endpoint must be in one of the zones, whatever host reaches it", () => {
    expect(unreachableReasons(at("lb.example.com", 80), "*", ["example.com"])).toEqual([]);
    expect(unreachableReasons(at("lb.example.com", 80), "*", [])).toEqual([]);
    const [reason, ...rest] = unreachableReasons(at("lb.example.net", 80), "*", ["example.com"]);
    expect(rest).toEqual([]);
    expect(reason).toContain("lb.example.net is in none of the zones example.com: the catch-all");
    const [port] = unreachableReasons(at("lb.example.com", 9000), "*", []);
    expect(port).toContain("the Worker fetches http://<request host>:9000");
  });

  it("refuses IP addresses, v4 and v6, with the documented reason and the annotations that fix it", () => {
    for (const host of ["203.0.113.10", "2001:db8::1"]) {
      const [reason, ...rest] = unreachableReasons(at(host, 80), "shop.example.com", []);
      expect(rest).toEqual([]);
      expect(reason).toContain(`${host} is an IP address`);
      expect(reason).toContain(
        "https://developers.cloudflare.com/workers/platform/known-issues/#fetch-to-ip-addresses",
      );
      expect(reason).toContain("external-dns.alpha.kubernetes.io/hostname");
      expect(reason).toContain("edgeroute.dev/hostname");
    }
  });

  it("accepts exactly Cloudflare's proxy ports for each scheme", () => {
    expect(PROXY_PORTS).toEqual({
      http: [80, 8080, 8880, 2052, 2082, 2086, 2095],
      https: [443, 2053, 2083, 2087, 2096, 8443],
    });
    for (const scheme of ["http", "https"] as const) {
      for (let port = 1; port <= 65535; port++) {
        const refused = unreachableReasons(at("lb.example.com", port, scheme), "shop.example.com", []).length > 0;
        expect(refused).toBe(!PROXY_PORTS[scheme].includes(port));
      }
    }
  });

  it("names the port, the scheme, the allowed ports and the URL the Worker fetches", () => {
    const [reason] = unreachableReasons(at("lb.example.com", 9443, "https"), "shop.example.com", []);
    expect(reason).toContain(
      "port 9443 is not a port Cloudflare's proxy accepts for https (443, 2053, 2083, 2087, 2096, 8443)",
    );
    expect(reason).toContain("https://shop.example.com:9443");
    // An HTTPS port is not an HTTP one: plain HTTP to 443 is refused too.
    expect(unreachableReasons(at("lb.example.com", 443, "http"), "shop.example.com", [])).toHaveLength(1);
    expect(unreachableReasons(at("lb.example.com", 30080), "shop.example.com", [])).toHaveLength(1);
  });

  it("with zones: the endpoint name must be in the zone of the route host", () => {
    expect(unreachableReasons(at("lb.example.net", 80), "shop.example.com", [])).toEqual([]);
    const [outside] = unreachableReasons(at("lb.example.net", 80), "shop.example.com", ["example.com"]);
    expect(outside).toContain("lb.example.net is not in zone example.com of the route host shop.example.com");
    expect(outside).toContain("cf.resolveOverride");
    // Two zones: each route host pairs with its own.
    const zones = ["example.com", "example.net"];
    expect(unreachableReasons(at("lb.example.net", 80), "shop.example.net", zones)).toEqual([]);
    expect(unreachableReasons(at("lb.example.net", 80), "shop.example.com", zones)).toHaveLength(1);
    // A route host outside every zone given cannot be checked: refused, asking for its zone.
    const [unknown] = unreachableReasons(at("lb.example.org", 80), "shop.example.org", ["example.com"]);
    expect(unknown).toContain("the route host shop.example.org is in none of the zones example.com");
    // A wildcard route host belongs to the zone of its suffix.
    expect(unreachableReasons(at("lb.example.com", 80), "*.apps.example.com", ["example.com"])).toEqual([]);
  });

  it("refuses the route host itself as its own endpoint (the Worker would fetch itself)", () => {
    const [reason] = unreachableReasons(at("shop.example.com", 443, "https"), "shop.example.com", []);
    expect(reason).toContain("is the route host itself");
  });

  it("lists every reason at once", () => {
    expect(unreachableReasons(at("203.0.113.10", 30080), "shop.example.com", ["example.com"])).toHaveLength(2);
  });
});

describe("zoneOf", () => {
  it("finds the longest zone that is the host or a parent of it", () => {
    expect(zoneOf("shop.example.com", ["example.com"])).toBe("example.com");
    expect(zoneOf("example.com", ["example.com"])).toBe("example.com");
    expect(zoneOf("a.dev.example.com", ["example.com", "dev.example.com"])).toBe("dev.example.com");
    expect(zoneOf("notexample.com", ["example.com"])).toBeUndefined();
    expect(zoneOf("*.apps.example.com", ["example.com"])).toBe("example.com");
  });
});
