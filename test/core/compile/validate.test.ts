import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../worker/core/compile/types.ts";
import { only, problems, route, run, service } from "./fixtures.ts";

const web = service("web");
const api = service("api");

/** The single diagnostic of compiling one Route (plus its Services); the route must have been dropped on error. */
function diagnose(r: Record<string, unknown>, options = {}): Diagnostic {
  const result = run([r, web, api], options);
  const d = only(problems(result));
  if (d.severity === "error") expect(result.admitted).toEqual([]);
  return d;
}

describe("validate hosts", () => {
  it.each([
    ["Shop.example.com", "upper-case"],
    ["shop_1.example.com", "invalid label"],
    ["-shop.example.com", "invalid label"],
    [`${"a".repeat(64)}.example.com`, "more than 63"],
    [`${"abcdefghi.".repeat(26)}com`, "more than 253"],
    ["*.example.com", "wildcardPolicy: Subdomain"],
  ])("refuses host %s", (host, fragment) => {
    const d = diagnose(route("web", { host }));
    expect(d).toMatchObject({ severity: "error", code: "InvalidHost", object: "Route shop/web", field: "spec.host" });
    expect(d.message).toContain(fragment);
    expect(d.message).toContain("lowercase DNS subdomain");
  });

  it("needs a host or a subdomain (no generated hosts)", () => {
    const r = route("web");
    delete (r.spec as Record<string, unknown>).host;
    const d = diagnose(r);
    expect(d).toMatchObject({ code: "NoHostValue", field: "spec.host" });
    expect(d.message).toContain("does not generate host names");
  });

  it("resolves spec.subdomain against the router domain, and says which option sets it", () => {
    const r = route("web", { spec: { subdomain: "shop" } });
    delete (r.spec as Record<string, unknown>).host;
    const d = diagnose(r);
    expect(d).toMatchObject({ code: "MissingField", field: "spec.subdomain" });
    expect(d.message).toContain("--router-domain");
    expect(only(run([r, web], { routerDomain: "apps.example.com" }).admitted).host).toBe("shop.apps.example.com");
  });

  it("stores a Subdomain wildcard route as *.<suffix>", () => {
    const result = run([route("web", { host: "www.acme.test", spec: { wildcardPolicy: "Subdomain" } }), web], {
      allowWildcards: true,
    });
    expect(only(result.admitted).host).toBe("*.acme.test");
    const d = diagnose(route("web", { spec: { wildcardPolicy: "Sometimes" } }));
    expect(d).toMatchObject({ code: "InvalidField", field: "spec.wildcardPolicy" });
  });
});

describe("validate paths", () => {
  it.each([
    ["api", 'must begin with "/"'],
    ["/a#b", "cannot contain # or spaces"],
    ["/a b", "cannot contain # or spaces"],
  ])("refuses path %s", (path, fragment) => {
    const d = diagnose(route("web", { path }));
    expect(d).toMatchObject({ code: "InvalidField", field: "spec.path" });
    expect(d.message).toContain(fragment);
  });
});

describe("validate backends", () => {
  it("checks weights 0..256 and defaults to 100", () => {
    const r = route("web", {
      spec: {
        to: { kind: "Service", name: "web" },
        alternateBackends: [
          { kind: "Service", name: "api", weight: 0 },
          { kind: "Service", name: "x", weight: 257 },
        ],
      },
    });
    const d = diagnose(r);
    expect(d).toMatchObject({ code: "WeightOutOfRange", field: "spec.alternateBackends[1].weight" });
    expect(d.message).toContain("between 0 and 256");
    const ok = route("web", {
      spec: { to: { kind: "Service", name: "web" }, alternateBackends: [{ kind: "Service", name: "api", weight: 0 }] },
    });
    expect(only(run([ok, web, api]).admitted).backends.map((b) => b.weight)).toEqual([100, 0]);
  });

  it("allows at most 3 alternate backends", () => {
    const alternateBackends = ["a", "b", "c", "d"].map((name) => ({ kind: "Service", name, weight: 1 }));
    const result = run([route("web", { spec: { alternateBackends } })]);
    expect(problems(result)[0]).toMatchObject({ code: "TooManyBackends", field: "spec.alternateBackends" });
  });

  it("needs to.kind Service and a name", () => {
    const d = diagnose(route("web", { spec: { to: { kind: "Deployment", name: "web" } } }));
    expect(d).toMatchObject({ code: "InvalidField", field: "spec.to.kind" });
    expect(d.message).toContain("must reference a Service");
    expect(diagnose(route("web", { spec: { to: { kind: "Service" } } }))).toMatchObject({
      code: "MissingField",
      field: "spec.to.name",
    });
  });

  it("refuses an invalid targetPort", () => {
    expect(diagnose(route("web", { spec: { port: { targetPort: 0 } } }))).toMatchObject({
      code: "InvalidField",
      field: "spec.port.targetPort",
    });
    expect(diagnose(route("web", { spec: { port: {} } }))).toMatchObject({
      code: "MissingField",
      field: "spec.port.targetPort",
    });
  });
});

describe("validate TLS", () => {
  it("accepts edge and reencrypt in any case, empty termination defaults to edge", () => {
    const edge = run([route("web", { tls: { termination: "Edge", insecureEdgeTerminationPolicy: "Redirect" } }), web]);
    expect(only(edge.admitted).tls).toEqual({ termination: "edge", insecure: "Redirect" });
    const empty = run([route("web", { tls: {} }), web]);
    expect(only(empty.admitted).tls).toEqual({ termination: "edge", insecure: "None" });
    const re = run([route("web", { tls: { termination: "reencrypt", insecureEdgeTerminationPolicy: "Allow" } }), web]);
    expect(only(re.admitted).tls).toEqual({ termination: "reencrypt", insecure: "Allow" });
    expect(only(re.admitted).backends[0]?.endpoints[0]?.scheme).toBe("https");
  });

  it("does not serve passthrough, explaining why and what to use instead, and serves the other routes", () => {
    const result = run([
      route("web", { tls: { termination: "passthrough" } }),
      route("api", { host: "api.example.com", service: "api" }),
      web,
      api,
    ]);
    const d = only(problems(result));
    expect(d).toMatchObject({ severity: "warning", code: "UnsupportedTermination", field: "spec.tls.termination" });
    expect(result.admitted.map((r) => r.id)).toEqual(["shop/api"]);
    expect(result.rejected).toMatchObject([{ object: "Route shop/web", reason: "UnsupportedTermination" }]);
    expect(d.message).toMatch(/always terminates.*TLS/);
    expect(d.message).toContain("use edge");
    expect(d.message).toContain("reencrypt");
    expect(d.message).toContain("Spectrum");
  });

  it("refuses unknown terminations and insecure policies", () => {
    expect(diagnose(route("web", { tls: { termination: "mtls" } }))).toMatchObject({
      code: "InvalidField",
      field: "spec.tls.termination",
    });
    const d = diagnose(route("web", { tls: { termination: "edge", insecureEdgeTerminationPolicy: "Disable" } }));
    expect(d).toMatchObject({ code: "InvalidField", field: "spec.tls.insecureEdgeTerminationPolicy" });
    expect(d.message).toContain("None, Allow, Redirect");
  });

  it("warns that certificates are not used", () => {
    const d = diagnose(
      route("web", {
        tls: { termination: "edge", certificate: "-----BEGIN CERTIFICATE-----", key: "-----BEGIN KEY-----" },
      }),
    );
    expect(d).toMatchObject({ severity: "warning", code: "UnsupportedFeature", field: "spec.tls.certificate" });
    expect(d.message).toContain("Cloudflare manages the edge certificate");
    expect(d.message).toContain("spec.tls.key");
  });

  it("refuses a destination CA on edge and warns about it on reencrypt (Custom Origin Trust Store)", () => {
    expect(diagnose(route("web", { tls: { termination: "edge", destinationCACertificate: "PEM" } }))).toMatchObject({
      code: "InvalidTLSCombination",
    });
    const d = diagnose(route("web", { tls: { termination: "reencrypt", destinationCACertificate: "PEM" } }));
    expect(d).toMatchObject({ severity: "warning", field: "spec.tls.destinationCACertificate" });
    expect(d.message).toContain("Custom Origin Trust Store");
    expect(d.message).toContain("cots_on_external_fetch");
  });
});

describe("validate required HSTS policies", () => {
  const requiredHsts = [
    { domainPatterns: ["*.example.com"], minAgeSeconds: 3600, includeSubDomains: "RequireIncludeSubDomains" as const },
  ];
  const hsts = (value?: string) =>
    route("web", {
      tls: { termination: "edge" },
      annotations: value === undefined ? {} : { "haproxy.router.openshift.io/hsts_header": value },
    });

  it("refuses TLS routes on matching hosts that do not satisfy the policy", () => {
    const missing = diagnose(hsts(), { requiredHsts });
    expect(missing).toMatchObject({
      code: "HSTSPolicyViolation",
      field: 'metadata.annotations["haproxy.router.openshift.io/hsts_header"]',
    });
    expect(missing.message).toContain("max-age must be set");
    expect(diagnose(hsts("max-age=60;includeSubDomains"), { requiredHsts }).message).toContain(
      "less than minimum age (3600)",
    );
    expect(diagnose(hsts("max-age=7200"), { requiredHsts }).message).toContain("includeSubDomains must be specified");
  });

  it("admits compliant routes, plain-HTTP routes and other domains", () => {
    expect(run([hsts("max-age=7200; includeSubDomains"), web], { requiredHsts }).admitted).toHaveLength(1);
    expect(run([route("web"), web], { requiredHsts }).admitted).toHaveLength(1);
    expect(
      run([route("web", { host: "web.other.org", tls: { termination: "edge" } }), web], { requiredHsts }).admitted,
    ).toHaveLength(1);
  });
});
