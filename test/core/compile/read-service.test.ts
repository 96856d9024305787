import { describe, expect, it } from "vitest";
import { only, problems, route, run, service } from "./fixtures.ts";

describe("read Service", () => {
  it("uses every load-balancer ip and hostname as an endpoint, lowercased", () => {
    const s = service("web");
    (s.status as Record<string, unknown>) = {
      loadBalancer: { ingress: [{ ip: "203.0.113.10" }, { hostname: "LB.Example.NET" }, { ip: "2001:db8::1" }] },
    };
    const r = only(run([route("web"), s]).admitted);
    expect(r.backends[0]?.endpoints.map((e) => e.host)).toEqual(["203.0.113.10", "lb.example.net", "2001:db8::1"]);
  });

  it("reaches an ExternalName Service at spec.externalName", () => {
    const r = only(
      run([route("web"), service("web", { externalName: "Origin.Example.com" })], { target: "remote" }).admitted,
    );
    expect(r.backends[0]?.endpoints).toEqual([{ scheme: "http", host: "origin.example.com", port: 80 }]);
  });

  it("reads a ClusterIP Service as one only the cluster's router reaches (router.test.ts)", () => {
    const result = run([route("web"), service("web", { type: "ClusterIP" })]);
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.object])).toEqual([
      ["warning", "InvalidField", "Route shop/web"],
      ["warning", "RouteNotAdmitted", "Route shop/web"],
    ]);
    expect(result.diagnostics[1]?.message).toContain("admitted it but has no routerCanonicalHostname");
  });

  it("warns about unusable load-balancer entries and ports", () => {
    const s = service("web", {
      ports: [
        { name: "bad", port: 0 },
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "http", port: 80 },
      ],
    });
    (s.status as Record<string, unknown>) = {
      loadBalancer: { ingress: [{ ip: "203.0.113.10" }, { hostname: "not a host" }] },
    };
    const result = run([route("web"), s]);
    expect(problems(result).map((d) => [d.severity, d.field])).toEqual([
      ["warning", "spec.ports[0].port"],
      ["warning", "status.loadBalancer.ingress[1]"],
    ]);
    expect(only(result.admitted).backends[0]?.endpoints).toEqual([{ scheme: "http", host: "203.0.113.10", port: 80 }]);
  });

  it("refuses an ExternalName Service without a valid name", () => {
    const s = service("web", { externalName: "" });
    const result = run([route("web"), s]);
    expect(problems(result).map((d) => [d.code, d.object, d.field])).toEqual([
      ["ServiceNotFound", "Route shop/web", "spec.to.name"],
      ["InvalidField", "Service shop/web", "spec.externalName"],
    ]);
  });
});
