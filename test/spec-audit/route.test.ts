/**
 * OpenShift Route semantics, from the router's own sources and the Route API documentation: path and host matching
 * (ROUTER `pkg/router/template/util/util.go` GenerateRouteRegexp, map ordering in `template_helper.go`), admission
 * (`unique_host.go`, `host_admitter.go`), the TLS insecure policies and redirect (TEMPLATE), and the annotation
 * formats the TEMPLATE accepts. Abbreviations: docs/design-notes.md. Divergences are in divergences.test.ts.
 */
import { describe, expect, it } from "vitest";
import { insecureRedirectLocation } from "../../worker/core/index.ts";
import type { CompiledRoute } from "../../worker/core/index.ts";
import { stickyCookie } from "../../worker/pipeline/cookies.ts";
import { applyForwarded } from "../../worker/pipeline/headers.ts";
import { route as builtRoute } from "../support/route-builder.ts";
import { route, service } from "../core/compile/fixtures.ts";
import { compiled, errors } from "./support.ts";

describe("Route paths: `^host(:[0-9]+)?` + path + `(/.*)?` (or `(.*)?` after a trailing /, ROUTER GenerateRouteRegexp)", () => {
  const host = "paths.example.com";
  const t = compiled([
    service("web"),
    route("root", { host }),
    route("test", { host, path: "/test" }),
    route("slash", { host, path: "/dir/" }),
    route("deep", { host, path: "/test/deep" }),
    route("dots", { host, path: "/a.b" }),
  ]);

  it("compiles without errors", () => {
    expect(errors(t.result)).toEqual([]);
  });

  it.each([
    ["/test", "shop/test prefix /test"],
    ["/test/", "shop/test prefix /test"],
    ["/test/x", "shop/test prefix /test"],
    ["/testing", "shop/root prefix (root)"],
    ["/test/deep/er", "shop/deep prefix /test/deep"],
    ["/test/deeper", "shop/test prefix /test"],
    ["/dir/x", "shop/slash prefix /dir/"],
    ["/dir/", "shop/slash prefix /dir/"],
    // `/dir/` + `(.*)?`: `/dir` itself is not served by it.
    ["/dir", "shop/root prefix (root)"],
    // The path is regexp.QuoteMeta'd: "." is literal.
    ["/a.b/c", "shop/dots prefix /a.b"],
    ["/axb", "shop/root prefix (root)"],
    // HAProxy `base` is host + path without the query string.
    ["/other?next=/test", "shop/root prefix (root)"],
    ["/TEST", "shop/root prefix (root)"],
  ])("%s → %s", (path, expected) => {
    expect(t.serve(`http://${host}${path}`)).toBe(expected);
  });

  it("hosts are matched lowercased (TEMPLATE: `http-request set-header Host %[req.hdr(Host),lower]`), any port", () => {
    expect(t.serve("http://PATHS.Example.COM:8080/test")).toBe("shop/test prefix /test");
  });

  it('path "/" serves the root too (GenerateRouteRegexp special-cases paths of only "/")', () => {
    const r = compiled([service("web"), route("s", { host: "s.example.com", path: "/" })]);
    expect(r.serve("http://s.example.com/")).toBe("shop/s prefix /");
    expect(r.serve("http://s.example.com/x/y")).toBe("shop/s prefix /");
  });
});

describe("Route validation (LIBGO validation.go)", () => {
  it.each([
    ["spec.host", { host: "Shop.Example.com" }],
    ["spec.host", { host: `${"a".repeat(64)}.example.com` }],
    ["spec.path", { path: "no-slash" }],
    ["spec.to.weight", { weight: 257 }],
    ["spec.to.kind", { spec: { to: { kind: "Deployment", name: "web" } } }],
    [
      "spec.tls.insecureEdgeTerminationPolicy",
      { tls: { termination: "edge", insecureEdgeTerminationPolicy: "redirect" } },
    ],
  ])("%s: %j is an error naming the field", (field, options) => {
    const t = compiled([service("web"), route("web", options)]);
    expect(errors(t.result).some((e) => e.startsWith(`${field}:`))).toBe(true);
    expect(t.result.admitted).toEqual([]);
  });

  it("at most 3 alternateBackends", () => {
    const alt = (name: string) => ({ kind: "Service", name, weight: 1 });
    const t = compiled([
      service("web"),
      ...["a", "b", "c", "d"].map((n) => service(n)),
      route("web", { spec: { alternateBackends: [alt("a"), alt("b"), alt("c"), alt("d")] } }),
    ]);
    expect(errors(t.result).join("\n")).toMatch(/^spec\.alternateBackends: .*at most 3/m);
  });
});

describe("Wildcard Routes (wildcardPolicy: Subdomain; ROUTER `[^\\.]*\\.` + domain)", () => {
  const t = compiled(
    [
      service("web"),
      service("web", { namespace: "other" }),
      route("wild", { host: "www.example.com", spec: { wildcardPolicy: "Subdomain" } }),
      route("exact", { host: "exact.example.com", created: "2023-01-01T00:00:00Z" }),
    ],
    { allowWildcards: true },
  );
  it.each([
    ["http://www.example.com/", "shop/wild prefix (root)"],
    ["http://anything.example.com/a", "shop/wild prefix (root)"],
    ["http://exact.example.com/", "shop/exact prefix (root)"],
    ["http://a.b.example.com/", "none"],
    ["http://example.com/", "none"],
  ])("%s → %s", (url, expected) => {
    expect(t.serve(url)).toBe(expected);
  });

  it("are refused unless wildcards are allowed (IngressController routeAdmission.wildcardPolicy)", () => {
    const r = compiled([
      service("web"),
      route("wild", { host: "www.example.com", spec: { wildcardPolicy: "Subdomain" } }),
    ]);
    expect(r.serve("http://anything.example.com/")).toBe("none");
    expect(r.result.rejected.map((x) => x.reason)).toEqual(["RouteNotAdmitted"]);
  });
});

describe("Admission (ROUTER unique_host.go / host_admitter.go, API RouteAdmissionPolicy)", () => {
  const older = "2024-01-01T00:00:00Z";
  const newer = "2024-06-01T00:00:00Z";
  const both = [service("web"), service("web", { namespace: "b" })];

  it("the oldest route wins a host and path, whatever the input order", () => {
    const t = compiled([
      ...both,
      route("young", { host: "h.example.com", created: newer }),
      route("old", { host: "h.example.com", created: older }),
    ]);
    expect(t.serve("http://h.example.com/")).toBe("shop/old prefix (root)");
    expect(t.result.rejected.map((r) => [r.object, r.reason])).toEqual([["Route shop/young", "HostAlreadyClaimed"]]);
  });

  it("Strict: another namespace cannot add a path to a claimed host", () => {
    const t = compiled([
      ...both,
      route("a", { host: "h.example.com", path: "/a", created: older }),
      route("b", { namespace: "b", host: "h.example.com", path: "/b", created: newer }),
    ]);
    expect(t.serve("http://h.example.com/b")).toBe("none");
  });

  it("the same namespace can (path-based routes)", () => {
    const t = compiled([
      ...both,
      route("a", { host: "h.example.com", path: "/a", created: older }),
      route("b", { host: "h.example.com", path: "/b", created: newer }),
    ]);
    expect(t.serve("http://h.example.com/b/x")).toBe("shop/b prefix /b");
    expect(t.serve("http://h.example.com/a")).toBe("shop/a prefix /a");
  });

  it("InterNamespaceAllowed: another namespace can add a path", () => {
    const t = compiled(
      [
        ...both,
        route("a", { host: "h.example.com", path: "/a", created: older }),
        route("b", { namespace: "b", host: "h.example.com", path: "/b", created: newer }),
      ],
      { interNamespaceAllowed: true },
    );
    expect(t.serve("http://h.example.com/b")).toBe("b/b prefix /b");
  });
});

describe("TLS insecureEdgeTerminationPolicy (TEMPLATE maps: os_http_be, os_edge_reencrypt_be, os_route_http_redirect)", () => {
  const t = compiled([
    service("web"),
    route("none", { host: "none.example.com", tls: { termination: "edge", insecureEdgeTerminationPolicy: "None" } }),
    route("allow", { host: "allow.example.com", tls: { termination: "edge", insecureEdgeTerminationPolicy: "Allow" } }),
    route("redir", {
      host: "redir.example.com",
      tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
    }),
    route("reenc", {
      host: "reenc.example.com",
      tls: { termination: "reencrypt", insecureEdgeTerminationPolicy: "Redirect" },
    }),
    route("empty", { host: "empty.example.com", tls: { termination: "edge" } }),
    route("plain", { host: "plain.example.com" }),
    // A None route on a path of a Redirect host: its `0` in os_route_http_redirect.map wins for that path.
    route("redir-none", {
      host: "redir.example.com",
      path: "/api",
      tls: { termination: "edge", insecureEdgeTerminationPolicy: "None" },
    }),
  ]);
  it.each([
    ["http://none.example.com/", "none"],
    ["https://none.example.com/", "shop/none prefix (root)"],
    ["http://allow.example.com/", "shop/allow prefix (root)"],
    ["https://allow.example.com/", "shop/allow prefix (root)"],
    ["http://redir.example.com/x?y=1", "redirect:shop/redir"],
    ["https://redir.example.com/x", "shop/redir prefix (root)"],
    ["http://reenc.example.com/", "redirect:shop/reenc"],
    ["http://empty.example.com/", "none"],
    ["https://plain.example.com/", "none"],
    ["http://redir.example.com/api/x", "none"],
    ["https://redir.example.com/api/x", "shop/redir-none prefix /api"],
  ])("%s → %s", (url, expected) => {
    expect(t.serve(url)).toBe(expected);
  });

  it("the redirect Location is https://, the host without its port, then the URI as sent (TEMPLATE `redirect location`)", () => {
    expect(insecureRedirectLocation("redir.example.com", "/a%20b/c", "?q=1&r=%2F")).toBe(
      "https://redir.example.com/a%20b/c?q=1&r=%2F",
    );
  });
});

describe("Route annotations as the TEMPLATE reads them (firstMatch: the whole value must match)", () => {
  const compileWith = (annotations: Record<string, string>, tls?: Record<string, string>): CompiledRoute => {
    const t = compiled([service("web"), route("web", { annotations, ...(tls ? { tls } : {}) })]);
    const admitted = t.result.table.shards.flatMap((s) => Object.values(s.hosts).flat());
    const only = admitted[0];
    if (only === undefined) throw new Error(`not admitted: ${errors(t.result).join("; ")}`);
    return only;
  };
  const TIMEOUT = "haproxy.router.openshift.io/timeout";

  it.each([
    ["5500ms", 5500],
    ["5s", 5000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["30", 30],
    // Invalid (`[1-9][0-9]*(us|ms|s|m|h|d)?`): ignored, the default 30 s applies.
    ["0s", 30_000],
    ["1.5s", 30_000],
    ["5 s", 30_000],
    ["5S", 30_000],
  ])("timeout %s → %i ms", (value, ms) => {
    expect(compileWith({ [TIMEOUT]: value }).timeoutMs).toBe(ms);
  });

  it.each([
    ["roundrobin", "roundrobin"],
    ["leastconn", "leastconn"],
    ["source", "source"],
    ["random", "random"],
    ["RoundRobin", "random"],
  ])("balance %s → %s (single Service: the router default random)", (value, expected) => {
    expect(compileWith({ "haproxy.router.openshift.io/balance": value }).balance).toBe(expected);
  });

  it.each([
    ["max-age=31536000", true],
    ["max-age=31536000;includeSubDomains;preload", true],
    ["max-age=31536000; includeSubDomains; preload", true],
    ["includeSubDomains;max-age=1", true],
    ['max-age="3600"', true],
    ["MAX-AGE=3600;INCLUDESUBDOMAINS", true],
    ["max-age=", false],
    ["includeSubDomains", false],
    ["max-age=1;foo", false],
  ])("hsts_header %s accepted: %s, sent verbatim", (value, accepted) => {
    const r = compileWith({ "haproxy.router.openshift.io/hsts_header": value }, { termination: "edge" });
    expect(r.hsts).toBe(accepted ? value : null);
  });

  it.each([
    ["Lax", "Lax"],
    ["Strict", "Strict"],
    ["None", "None"],
    ["lax", "None"],
  ])("cookie-same-site %s → SameSite=%s", (value, expected) => {
    expect(compileWith({ "router.openshift.io/cookie-same-site": value }).cookie?.sameSite).toBe(expected);
  });

  it("cookie_name must be [a-zA-Z0-9_-]+, else the default name", () => {
    expect(compileWith({ "router.openshift.io/cookie_name": "my_cookie" }).cookie?.name).toBe("my_cookie");
    expect(compileWith({ "router.openshift.io/cookie_name": "bad name" }).cookie?.name).not.toBe("bad name");
  });

  it("disable_cookies: true turns the cookie off", () => {
    expect(compileWith({ "haproxy.router.openshift.io/disable_cookies": "true" }).cookie).toBeNull();
  });

  it("ip_allowlist: addresses and CIDRs, invalid entries dropped (ROUTER parseIPList)", () => {
    const list = compileWith({ "haproxy.router.openshift.io/ip_allowlist": "192.168.1.10 10.0.0.0/8 nonsense" });
    expect(list.ipAllowlist?.length).toBe(2);
    const legacy = compileWith({ "haproxy.router.openshift.io/ip_whitelist": "192.168.1.10" });
    expect(legacy.ipAllowlist?.length).toBe(1);
  });
});

describe("The sticky cookie (TEMPLATE `cookie NAME insert indirect nocache httponly [secure attr SameSite=...]`)", () => {
  const cookie = { name: "c", sameSite: "None" as const };
  it("HttpOnly on a plain route, no Secure (RFC 6265 §4.1.2.5: Secure only for secure channels)", () => {
    expect(stickyCookie(builtRoute({ id: "a/b", host: "h", cookie }), "id1")).toBe("c=id1; Path=/; HttpOnly");
  });
  it("Secure and SameSite on edge/reencrypt routes whose policy is not Allow", () => {
    const edge = builtRoute({ id: "a/b", host: "h", cookie, tls: { termination: "edge", insecure: "Redirect" } });
    expect(stickyCookie(edge, "id1")).toBe("c=id1; Path=/; HttpOnly; Secure; SameSite=None");
    const allow = builtRoute({ id: "a/b", host: "h", cookie, tls: { termination: "edge", insecure: "Allow" } });
    expect(stickyCookie(allow, "id1")).toBe("c=id1; Path=/; HttpOnly");
  });
});

describe("Forwarded headers (TEMPLATE set-forwarded-headers; RFC 7239 §4 and §6)", () => {
  const facts = { clientIp: "2001:db8::1", host: "shop.example.com:8443", port: "8443", proto: "https" as const };
  it("append keeps the client's values first and quotes an IPv6 node and a host with a port", () => {
    const h = new Headers({ "x-forwarded-for": "10.9.9.9", forwarded: "for=10.9.9.9" });
    applyForwarded(h, "append", facts);
    expect(h.get("x-forwarded-for")).toBe("10.9.9.9, 2001:db8::1");
    expect(h.get("forwarded")).toBe('for=10.9.9.9, for="[2001:db8::1]";host="shop.example.com:8443";proto=https');
    expect(h.get("x-forwarded-proto")).toBe("https");
    expect(h.get("x-forwarded-port")).toBe("8443");
  });
  it("replace overwrites, if-none keeps the client's, never touches nothing", () => {
    const spoof = () => new Headers({ "x-forwarded-proto": "http" });
    const replaced = spoof();
    applyForwarded(replaced, "replace", facts);
    expect(replaced.get("x-forwarded-proto")).toBe("https");
    const kept = spoof();
    applyForwarded(kept, "if-none", facts);
    expect(kept.get("x-forwarded-proto")).toBe("http");
    expect(kept.get("x-forwarded-host")).toBe("shop.example.com:8443");
    const never = spoof();
    applyForwarded(never, "never", facts);
    expect([...never.keys()]).toEqual(["x-forwarded-proto"]);
  });
});
