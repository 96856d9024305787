/**
 * What a tenant may not publish (issue 9): forbidden targets in every spelling URL parsers accept, IP-literal
 * route hosts, and route paths that could never match a canonical request.
 */
import { describe, expect, it } from "vitest";
import { ingress, only, problems, route, rule, run, service } from "./fixtures.ts";

const remote = { target: "remote" as const };

describe("endpoints are classified as fetch reads them", () => {
  it.each([
    ["0x.0x.0x.0x", "unspecified"],
    ["127.0x.0x.1", "loopback"],
    ["169.254.0x.1", "link-local"],
    ["2852039166", "link-local"],
    ["0251.0376.0251.0376", "link-local"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    ["2002:a9fe:a9fe::", "link-local"],
    ["192.0.0.192", "cloud metadata"],
    ["1.2.3.4.5", "not a host a URL can name"],
    ["lb.0x1", "not a host a URL can name"],
  ])("LoadBalancer hostname %s is refused (%s)", (hostname, why) => {
    const result = run([route("web"), service("web", { hostname })], remote);
    expect(result.admitted).toEqual([]);
    const d = only(problems(result));
    expect(d).toMatchObject({ severity: "error", code: "ForbiddenEndpoint", field: "spec.to.name" });
    expect(d.message).toContain(why);
  });

  it.each(["0x7f.1", "127.1"])("ExternalName %s is loopback: refused for a remote table", (externalName) => {
    const d = only(problems(run([route("web"), service("web", { externalName })], remote)));
    expect(d.message).toContain("is a loopback address");
  });

  it("checks key-set URLs the same way", () => {
    const result = run(
      [
        route("web", {
          annotations: {
            "auth.edgeroute.dev/jwt-jwks-url": "https://0xa9fea9fe/jwks",
            "auth.edgeroute.dev/jwt-issuer": "i",
            "auth.edgeroute.dev/jwt-audience": "a",
          },
          tls: { termination: "edge" },
        }),
        service("web"),
      ],
      remote,
    );
    expect(only(problems(result)).message).toMatch(/JWKS host 0xa9fea9fe is link-local/);
  });
});

describe("route hosts are DNS names", () => {
  it.each(["203.0.113.10", "0x7f.1", "10.0.0.010", "shop.1"])("refuses the route host %s", (host) => {
    const d = only(problems(run([route("web", { host }), service("web")])));
    expect(d).toMatchObject({ severity: "error", code: "InvalidHost", field: "spec.host" });
    expect(d.message).toMatch(/is an IP address|ends in a number/);
  });
  it("refuses an Ingress host that is an address", () => {
    const d = only(problems(run([ingress("ing", { rules: [rule("192.0.2.1")] }), service("web")])));
    expect(d).toMatchObject({ code: "InvalidHost", field: "spec.rules[0].host" });
  });
});

describe("IP allowlists are parsed as the router parses them", () => {
  it.each(["203.0.113.010", "10.1/16", "0x0a.0.0.1", "10.0.0.0/08"])(
    "drops %s with a warning naming the annotation",
    (entry) => {
      const name = "haproxy.router.openshift.io/ip_allowlist";
      const result = run([route("web", { annotations: { [name]: `${entry} 192.0.2.1` } }), service("web")]);
      expect(only(result.admitted).ipAllowlist).toEqual(["192.0.2.1/32"]);
      const d = only(problems(result));
      expect(d).toMatchObject({ severity: "warning", field: `metadata.annotations["${name}"]` });
      expect(d.message).toContain("never octal or short forms");
    },
  );
});

describe("route paths are canonical", () => {
  it.each([
    ["/%7eprivate", "/~private"],
    ["/a%2bb", "/a%2Bb"],
    ["/admin//x", "/admin/x"],
    ["/./admin", "/admin"],
    ["/public/../admin", "/admin"],
  ])("publishes %s as %s with a warning that shows both", (path, canonical) => {
    const result = run([route("web", { path }), service("web")]);
    expect(only(result.admitted).path).toBe(canonical);
    const d = only(problems(result));
    expect(d).toMatchObject({ severity: "warning", field: "spec.path" });
    expect(d.message).toContain(`path "${path}" is published as "${canonical}"`);
  });
  it.each([
    ["/a%2Fb", "encoded '/'"],
    ["/admin;x", 'remove ";…"'],
    ["/public/..;/admin", "dot segment with path parameters"],
  ])("refuses %s, which can never match", (path, why) => {
    const d = only(problems(run([route("web", { path }), service("web")])));
    expect(d).toMatchObject({ severity: "error", field: "spec.path" });
    expect(d.message).toContain("can never match");
    expect(d.message).toContain(why);
  });
  it("canonicalises Ingress paths too", () => {
    const result = run([
      ingress("ing", { rules: [rule("api.example.com", [{ path: "/v1/%7euser" }])] }),
      service("web"),
    ]);
    expect(only(result.admitted).path).toBe("/v1/~user");
    expect(only(problems(result)).field).toBe("spec.rules[0].http.paths[0].path");
  });
});
