import { describe, expect, it } from "vitest";
import type { CompileOptions } from "../../../worker/core/compile/types.ts";
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
    // A LoadBalancer still waiting for its address is reached through the router, like a ClusterIP Service.
    const pending = problems(run([route("web"), service("web", { noAddress: true })]));
    expect(pending.map((d) => d.code)).toEqual(["InvalidField", "RouteNotAdmitted"]);
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
    // A deployed Worker fetches names only (reach.test.ts), so the addresses carry a hostname annotation here.
    const named = (ip: string, options: Partial<CompileOptions>) =>
      run(
        [
          route("web"),
          service("web", { ip, annotations: { "external-dns.alpha.kubernetes.io/hostname": "lb.example.com" } }),
        ],
        options,
      );
    expect(only(problems(named("10.1.2.3", { target: "remote" }))).code).toBe("ForbiddenEndpoint");
    expect(named("10.1.2.3", { target: "remote", allowPrivateEndpoints: true }).admitted).toHaveLength(1);
    expect(named("203.0.113.7", { target: "remote" }).admitted).toHaveLength(1);
  });
});

describe("reachability from a deployed Worker (remote tables)", () => {
  const EXTERNAL_DNS = "external-dns.alpha.kubernetes.io/hostname";
  const remote = { target: "remote" } as const;

  it("refuses an IP-only load balancer remotely, naming the route, the Service and the fix; accepts it locally", () => {
    expect(run([route("web"), service("web")]).admitted).toHaveLength(1);
    const result = run([route("web"), service("web")], remote);
    expect(result.admitted).toEqual([]);
    const d = only(problems(result));
    expect(d).toMatchObject({
      severity: "error",
      code: "UnreachableEndpoint",
      object: "Route shop/web",
      field: "spec.to.name",
    });
    expect(d.message).toContain("Service shop/web, whose endpoint http://203.0.113.10:80");
    expect(d.message).toContain("203.0.113.10 is an IP address");
    expect(d.message).toContain(EXTERNAL_DNS);
  });

  it("uses the ExternalDNS hostname annotation's names as the endpoints instead of the addresses", () => {
    const svc = service("web", { annotations: { [EXTERNAL_DNS]: "LB-Blue.Example.com., lb-blue-2.example.com" } });
    for (const target of ["local", "remote"] as const) {
      const r = only(run([route("web"), svc], { target }).admitted);
      expect(r.backends[0]?.endpoints).toEqual([
        { scheme: "http", host: "lb-blue.example.com", port: 80 },
        { scheme: "http", host: "lb-blue-2.example.com", port: 80 },
      ]);
    }
  });

  it("accepts edgeroute.dev/hostname for the same purpose, and prefers it over ExternalDNS's", () => {
    const svc = service("web", {
      annotations: { "edgeroute.dev/hostname": "edge-lb.example.com", [EXTERNAL_DNS]: "other.example.com" },
    });
    const r = only(run([route("web"), svc], remote).admitted);
    expect(r.backends[0]?.endpoints.map((e) => e.host)).toEqual(["edge-lb.example.com"]);
  });

  it("names an ExternalName Service too (an in-zone name for an outside one)", () => {
    const svc = service("web", {
      externalName: "a1b2.elb.amazonaws.com",
      annotations: { [EXTERNAL_DNS]: "lb.example.com" },
    });
    const result = run([route("web"), svc], { ...remote, zones: ["example.com"] });
    expect(only(result.admitted).backends[0]?.endpoints.map((e) => e.host)).toEqual(["lb.example.com"]);
    expect(result.endpointNames).toEqual([
      {
        name: "lb.example.com",
        service: "shop/web",
        field: `metadata.annotations["${EXTERNAL_DNS}"]`,
        targets: ["a1b2.elb.amazonaws.com"],
      },
    ]);
  });

  it("still checks the addresses behind a name: private ones need allowPrivateEndpoints remotely", () => {
    const svc = service("web", { ip: "10.0.0.5", annotations: { [EXTERNAL_DNS]: "lb.example.com" } });
    expect(only(problems(run([route("web"), svc], remote))).code).toBe("ForbiddenEndpoint");
    expect(run([route("web"), svc], { ...remote, allowPrivateEndpoints: true }).admitted).toHaveLength(1);
  });

  it("refuses invalid names in the annotation on the Service, and routes to it say why", () => {
    const svc = service("web", { annotations: { [EXTERNAL_DNS]: "lb.example.com,bad_name!,203.0.113.9" } });
    const result = run([route("web"), svc]);
    expect(result.admitted).toEqual([]);
    const ds = problems(result).map((d) => [d.code, d.object, d.field]);
    expect(ds).toEqual([
      ["ServiceHasNoAddress", "Route shop/web", "spec.to.name"],
      ["InvalidAnnotation", "Service shop/web", `metadata.annotations["${EXTERNAL_DNS}"]`],
      ["InvalidAnnotation", "Service shop/web", `metadata.annotations["${EXTERNAL_DNS}"]`],
    ]);
    const messages = problems(result).map((d) => d.message);
    expect(messages[0]).toContain("invalid hostname annotation");
    expect(messages[1]).toContain('"bad_name!" has the invalid label');
    expect(messages[2]).toContain('"203.0.113.9" is an IP address');
  });

  it("skips wildcard names with a warning, falling back to the addresses when nothing else is named", () => {
    const svc = service("web", { annotations: { [EXTERNAL_DNS]: "*.example.com" } });
    const result = run([route("web"), svc]);
    expect(only(result.admitted).backends[0]?.endpoints.map((e) => e.host)).toEqual(["203.0.113.10"]);
    expect(only(problems(result))).toMatchObject({ severity: "warning", code: "InvalidAnnotation" });
  });

  it("accepts HTTPS on 8443 and refuses 9443 for a reencrypt route", () => {
    const reencrypt = (port: number) =>
      run(
        [
          route("web", { tls: { termination: "reencrypt" } }),
          service("web", {
            ports: [{ name: "https", port, targetPort: 8443 }],
            annotations: { [EXTERNAL_DNS]: "lb.example.com" },
          }),
        ],
        remote,
      );
    expect(only(reencrypt(8443).admitted).backends[0]?.endpoints).toEqual([
      { scheme: "https", host: "lb.example.com", port: 8443 },
    ]);
    const d = only(problems(reencrypt(9443)));
    expect(d.code).toBe("UnreachableEndpoint");
    expect(d.message).toContain("https://lb.example.com:9443");
    expect(d.message).toContain("port 9443 is not a port Cloudflare's proxy accepts for https");
  });

  it("with zones, refuses an endpoint name outside the route host's zone", () => {
    const svc = service("web", { hostname: "lb.example.net" });
    expect(run([route("web"), svc], remote).admitted).toHaveLength(1);
    const d = only(problems(run([route("web"), svc], { ...remote, zones: ["example.com"] })));
    expect(d.code).toBe("UnreachableEndpoint");
    expect(d.message).toContain("lb.example.net is not in zone example.com of the route host web.example.com");
  });

  it("checks alternate backends too, naming their field", () => {
    const result = run(
      [
        route("web", { spec: { alternateBackends: [{ kind: "Service", name: "green", weight: 10 }] } }),
        service("web", { annotations: { [EXTERNAL_DNS]: "lb.example.com" } }),
        service("green"),
      ],
      remote,
    );
    expect(only(problems(result))).toMatchObject({
      code: "UnreachableEndpoint",
      field: "spec.alternateBackends[0].name",
    });
  });

  it("lists the names the admitted routes use, with the records ExternalDNS would publish", () => {
    const result = run(
      [
        route("web", {
          spec: {
            alternateBackends: [
              { kind: "Service", name: "green", weight: 10 },
              { kind: "Service", name: "ext", weight: 1 },
            ],
          },
        }),
        service("web", { ip: "203.0.113.10", annotations: { [EXTERNAL_DNS]: "lb-blue.example.com" } }),
        service("green", { hostname: "lb-green.example.com" }),
        service("ext", {
          annotations: {
            "edgeroute.dev/hostname": "lb-ext.example.com",
            "external-dns.alpha.kubernetes.io/target": "198.51.100.1",
          },
        }),
      ],
      remote,
    );
    expect(result.endpointNames).toEqual([
      {
        name: "lb-blue.example.com",
        service: "shop/web",
        field: `metadata.annotations["${EXTERNAL_DNS}"]`,
        targets: ["203.0.113.10"],
      },
      {
        name: "lb-ext.example.com",
        service: "shop/ext",
        field: 'metadata.annotations["edgeroute.dev/hostname"]',
        targets: ["198.51.100.1"],
      },
      {
        name: "lb-green.example.com",
        service: "shop/green",
        field: "status.loadBalancer.ingress[].hostname",
        targets: [],
      },
    ]);
  });
});
