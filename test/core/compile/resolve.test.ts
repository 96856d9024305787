import { describe, expect, it } from "vitest";
import type { CompileOptions } from "../../../worker/core/types.ts";
import { ingress, only, problems, route, rule, run, service } from "./fixtures.ts";

const ports = [
  { name: "http", port: 80, targetPort: 8080 },
  { name: "admin", port: 9443, targetPort: "admin-port" },
];

describe("resolve services", () => {
  it("picks the port by targetPort name or number, else the first port", () => {
    const svc = service("web", { ports });
    const port = (spec: Record<string, unknown>) =>
      only(run([route("web", { spec }), svc]).admitted).backends[0]?.endpoints[0]?.port;
    expect(port({})).toBe(80);
    expect(port({ port: { targetPort: "admin" } })).toBe(9443);
    expect(port({ port: { targetPort: 8080 } })).toBe(80);
    expect(port({ port: { targetPort: 9443 } })).toBe(9443);
    expect(port({ port: { targetPort: "9443" } })).toBe(9443);
  });

  it("picks an Ingress backend's Service port by name or number", () => {
    const svc = service("web", { ports });
    const port = (p: Record<string, unknown>) =>
      only(run([ingress("i", { rules: [rule("a.example.com", [{ port: p }])] }), svc]).admitted).backends[0]
        ?.endpoints[0]?.port;
    expect(port({ name: "admin" })).toBe(9443);
    expect(port({ number: 80 })).toBe(80);
    const d = only(
      problems(run([ingress("i", { rules: [rule("a.example.com", [{ port: { number: 8080 } }])] }), svc])),
    );
    expect(d).toMatchObject({ code: "ServicePortNotFound", field: "spec.rules[0].http.paths[0].backend.service.port" });
  });

  it("names both objects when the Service is missing, has no address or lacks the port", () => {
    const missing = only(problems(run([route("web", { service: "gone" })])));
    expect(missing).toMatchObject({
      severity: "error",
      code: "ServiceNotFound",
      object: "Route shop/web",
      field: "spec.to.name",
    });
    expect(missing.message).toContain("Service shop/gone");
    const other = only(problems(run([route("web"), service("web", { namespace: "other" })])));
    expect(other.code).toBe("ServiceNotFound");
    const pending = only(problems(run([route("web"), service("web", { noAddress: true })])));
    expect(pending).toMatchObject({ code: "ServiceHasNoAddress", object: "Route shop/web" });
    expect(pending.message).toContain("Service shop/web");
    const port = only(problems(run([route("web", { spec: { port: { targetPort: "grpc" } } }), service("web")])));
    expect(port).toMatchObject({ code: "ServicePortNotFound", field: "spec.port.targetPort" });
    expect(port.message).toContain("http (80)");
  });

  it("uses a numeric port as is for an ExternalName Service without ports", () => {
    const svc = service("web", { externalName: "origin.example.com", ports: [] });
    expect(
      only(run([route("web", { spec: { port: { targetPort: 8443 } } }), svc]).admitted).backends[0]?.endpoints[0]?.port,
    ).toBe(8443);
    expect(only(problems(run([route("web"), svc]))).code).toBe("ServicePortNotFound");
  });
});

describe("endpoint safety", () => {
  const at = (address: { ip?: string; hostname?: string; externalName?: string }, options: Partial<CompileOptions>) =>
    run([route("web"), service("web", address)], options);

  it.each([
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["168.63.129.16", "metadata"],
  ])("always refuses %s", (ip, why) => {
    for (const target of ["local", "remote"] as const) {
      const result = at({ ip }, { target, allowPrivateEndpoints: true });
      expect(result.admitted).toEqual([]);
      const d = only(problems(result));
      expect(d).toMatchObject({ severity: "error", code: "ForbiddenEndpoint", object: "Route shop/web" });
      expect(d.message).toContain(why);
      expect(d.message).toContain("Service shop/web");
    }
  });

  it("refuses metadata host names", () => {
    expect(only(problems(at({ externalName: "metadata.google.internal" }, {}))).code).toBe("ForbiddenEndpoint");
  });

  it("allows loopback only for a local table", () => {
    expect(at({ ip: "127.0.0.1" }, { target: "local" }).admitted).toHaveLength(1);
    const d = only(problems(at({ ip: "127.0.0.1" }, { target: "remote", allowPrivateEndpoints: true })));
    expect(d.message).toContain("loopback");
    expect(only(problems(at({ hostname: "localhost" }, { target: "remote" }))).code).toBe("ForbiddenEndpoint");
  });

  it("allows private ranges remotely only with allowPrivateEndpoints", () => {
    expect(at({ ip: "10.1.2.3" }, { target: "local" }).admitted).toHaveLength(1);
    const d = only(problems(at({ ip: "10.1.2.3" }, { target: "remote" })));
    expect(d).toMatchObject({ code: "ForbiddenEndpoint" });
    expect(d.message).toContain("private range");
    expect(d.message).toContain("--allow-private-endpoints");
    expect(at({ ip: "10.1.2.3" }, { target: "remote", allowPrivateEndpoints: true }).admitted).toHaveLength(1);
    expect(at({ ip: "203.0.113.7" }, { target: "remote" }).admitted).toHaveLength(1);
  });
});
