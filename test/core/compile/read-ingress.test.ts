import { describe, expect, it } from "vitest";
import { ingress, only, problems, rule, run, service } from "./fixtures.ts";

const web = service("web");
const api = service("api", {
  ports: [
    { name: "grpc", port: 9000 },
    { name: "http", port: 8080 },
  ],
});

describe("read Ingress", () => {
  it("makes one route per (host, path) with Kubernetes path types", () => {
    const result = run([
      ingress("shop", {
        rules: [
          rule("shop.example.com", [
            { path: "/api/", service: "api", port: { name: "http" } },
            { path: "/exact", pathType: "Exact" },
            { path: "/" },
          ]),
        ],
      }),
      web,
      api,
    ]);
    expect(problems(result)).toEqual([]);
    const routes = result.admitted.map((r) => [r.id, r.host, r.path, r.match, r.backends[0]?.endpoints[0]?.port]);
    expect(routes).toEqual(
      expect.arrayContaining([
        ["shop/shop#0.0", "shop.example.com", "/api", "prefix", 8080],
        ["shop/shop#0.1", "shop.example.com", "/exact", "exact", 80],
        ["shop/shop#0.2", "shop.example.com", "", "prefix", 80],
      ]),
    );
    expect(result.admitted).toHaveLength(3);
  });

  it("skips Ingresses of another class with a notice; the annotation takes precedence over ingressClassName", () => {
    const other = ingress("other", { ingressClassName: "nginx", rules: [rule("a.example.com")] });
    const annotated = ingress(
      "annotated",
      { ingressClassName: "edgeroute", rules: [rule("b.example.com")] },
      { annotations: { "kubernetes.io/ingress.class": "nginx" } },
    );
    const ours = ingress(
      "ours",
      { ingressClassName: "nginx", rules: [rule("c.example.com")] },
      { annotations: { "kubernetes.io/ingress.class": "edgeroute" } },
    );
    const unnamed = ingress("unnamed", { rules: [rule("d.example.com")] });
    const result = run([other, annotated, ours, unnamed, web]);
    expect(result.admitted.map((r) => r.host).sort()).toEqual(["c.example.com", "d.example.com"]);
    expect(
      result.diagnostics.filter((d) => d.code === "SkippedIngressClass").map((d) => [d.severity, d.object, d.field]),
    ).toEqual([
      ["notice", "Ingress shop/other", "spec.ingressClassName"],
      ["notice", "Ingress shop/annotated", 'metadata.annotations["kubernetes.io/ingress.class"]'],
    ]);
  });

  it("applies spec.defaultBackend to the rules' hosts at lowest precedence, not where a rule serves every path", () => {
    const result = run([
      ingress("shop", {
        defaultBackend: { service: { name: "api", port: { number: 8080 } } },
        rules: [rule("a.example.com", [{ path: "/x" }]), rule("b.example.com", [{ path: "/" }])],
      }),
      web,
      api,
    ]);
    expect(problems(result)).toEqual([]);
    const a = result.table.shards[0]?.hosts["a.example.com"] ?? [];
    expect(a.map((r) => [r.id, r.path, r.backends[0]?.service])).toEqual([
      ["shop/shop#0.0", "/x", "shop/web"],
      ["shop/shop#default", "", "shop/api"],
    ]);
    expect((result.table.shards[0]?.hosts["b.example.com"] ?? []).map((r) => r.id)).toEqual(["shop/shop#1.0"]);
  });

  it("serves spec.defaultBackend and rules without a host on the catch-all host, for hosts no route names", () => {
    const alone = run([ingress("shop", { defaultBackend: { service: { name: "web", port: { number: 80 } } } }), web]);
    expect(problems(alone)).toEqual([]);
    expect(alone.admitted.map((r) => [r.id, r.host, r.path])).toEqual([["shop/shop#default", "*", ""]]);
    expect(Object.keys(alone.table.shards[0]?.hosts ?? {})).toEqual(["*"]);
    // A rule without a host serves its paths on every host; the default backend takes what its paths leave.
    const hostless = run([
      ingress("shop", {
        defaultBackend: { service: { name: "api", port: { number: 8080 } } },
        rules: [
          {
            http: {
              paths: [{ path: "/x", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }],
            },
          },
        ],
      }),
      web,
      api,
    ]);
    expect(problems(hostless)).toEqual([]);
    expect((hostless.table.shards[0]?.hosts["*"] ?? []).map((r) => [r.id, r.path, r.backends[0]?.service])).toEqual([
      ["shop/shop#0.0", "/x", "shop/web"],
      ["shop/shop#default", "", "shop/api"],
    ]);
  });

  it('refuses a literal host "*" (a rule serves every host by leaving the host out)', () => {
    const result = run([ingress("shop", { rules: [rule("*")] }), web]);
    expect(result.admitted).toEqual([]);
    expect(only(problems(result))).toMatchObject({
      severity: "error",
      code: "InvalidHost",
      field: "spec.rules[0].host",
    });
    expect(only(problems(result)).message).toContain("leave the host out");
  });

  it("derives TLS from spec.tls hosts (edge + Redirect) and notes the unused secret", () => {
    const result = run([
      ingress("shop", {
        tls: [{ hosts: ["secure.example.com"], secretName: "cert" }],
        rules: [rule("secure.example.com"), rule("plain.example.com")],
      }),
      web,
    ]);
    const byHost = Object.fromEntries(result.admitted.map((r) => [r.host, r.tls]));
    expect(byHost).toEqual({
      "secure.example.com": { termination: "edge", insecure: "Redirect" },
      "plain.example.com": null,
    });
    expect(only(result.diagnostics)).toMatchObject({
      severity: "notice",
      code: "UnsupportedFeature",
      field: "spec.tls[0].secretName",
    });
  });

  it("turns TLS on for every host with a completely empty spec.tls entry", () => {
    const result = run([ingress("shop", { tls: [{}], rules: [rule("a.example.com"), rule("b.example.com")] }), web]);
    expect(result.admitted.map((r) => r.tls)).toEqual([
      { termination: "edge", insecure: "Redirect" },
      { termination: "edge", insecure: "Redirect" },
    ]);
    const withSecret = run([ingress("shop", { tls: [{ secretName: "cert" }], rules: [rule("a.example.com")] }), web]);
    expect(only(withSecret.admitted).tls).toBeNull();
  });

  it("uses the termination annotation: reencrypt gives https endpoints, passthrough is not served", () => {
    const re = run([
      ingress(
        "shop",
        { rules: [rule("a.example.com")] },
        { annotations: { "route.openshift.io/termination": "reencrypt" } },
      ),
      web,
    ]);
    expect(only(re.admitted).tls).toEqual({ termination: "reencrypt", insecure: "Redirect" });
    expect(only(re.admitted).backends[0]?.endpoints[0]?.scheme).toBe("https");
    const pt = run([
      ingress(
        "shop",
        { rules: [rule("a.example.com")] },
        { annotations: { "route.openshift.io/termination": "passthrough" } },
      ),
      web,
    ]);
    expect(pt.admitted).toEqual([]);
    const d = only(problems(pt));
    expect(pt.rejected).toMatchObject([{ reason: "UnsupportedTermination" }]);
    expect(d).toMatchObject({
      severity: "warning",
      code: "UnsupportedTermination",
      field: 'metadata.annotations["route.openshift.io/termination"]',
    });
    expect(d.message).toContain("Spectrum");
  });

  it("reports path and backend problems with their field paths", () => {
    const result = run([
      ingress("shop", {
        rules: [
          {
            host: "a.example.com",
            http: {
              paths: [
                { path: "/a", backend: { service: { name: "web", port: { number: 80 } } } },
                { path: "/b", pathType: "Fuzzy", backend: { service: { name: "web", port: { number: 80 } } } },
                { path: "/c", pathType: "Prefix", backend: { resource: { kind: "Bucket", name: "b" } } },
                { pathType: "Exact", backend: { service: { name: "web", port: { number: 80 } } } },
              ],
            },
          },
          { host: "b.example.com" },
          {
            http: {
              paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }],
            },
          },
        ],
      }),
      web,
    ]);
    expect(problems(result).map((d) => [d.severity, d.code, d.field])).toEqual([
      ["error", "MissingField", "spec.rules[0].http.paths[0].pathType"],
      ["error", "InvalidField", "spec.rules[0].http.paths[1].pathType"],
      ["error", "InvalidField", "spec.rules[0].http.paths[2].backend.resource"],
      ["error", "MissingField", "spec.rules[0].http.paths[3].path"],
      ["warning", "MissingField", "spec.rules[1].http.paths"],
    ]);
    // The rule without a host serves every host no route names (the catch-all).
    expect(result.admitted.map((r) => [r.id, r.host])).toEqual([["shop/shop#2.0", "*"]]);
  });

  it("accepts native wildcard hosts without allowWildcards, stored under their suffix", () => {
    const result = run([ingress("shop", { rules: [rule("*.apps.example.com")] }), web]);
    expect(problems(result)).toEqual([]);
    expect(Object.keys(result.table.shards[0]?.wildcards ?? {})).toEqual(["apps.example.com"]);
    expect(only(result.admitted).host).toBe("*.apps.example.com");
  });

  it("carries router annotations onto its routes", () => {
    const result = run([
      ingress(
        "shop",
        { rules: [rule("a.example.com")] },
        { annotations: { "haproxy.router.openshift.io/timeout": "5s" } },
      ),
      web,
    ]);
    expect(only(result.admitted).timeoutMs).toBe(5000);
  });

  it("reports a problem with its annotations once, however many paths it has, and drops every path on an error", () => {
    const paths = [{ path: "/a" }, { path: "/b" }, { path: "/c" }];
    const warned = run([
      ingress(
        "shop",
        { rules: [rule("a.example.com", paths)] },
        { annotations: { "haproxy.router.openshift.io/timeout": "soon" } },
      ),
      web,
    ]);
    expect(warned.admitted).toHaveLength(3);
    expect(only(problems(warned))).toMatchObject({ severity: "warning", object: "Ingress shop/shop" });
    const failed = run([
      ingress(
        "shop",
        { rules: [rule("a.example.com", paths)] },
        { annotations: { "auth.edgeroute.dev/client-cert": "maybe" } },
      ),
      web,
    ]);
    expect(failed.admitted).toEqual([]);
    expect(only(problems(failed))).toMatchObject({
      severity: "error",
      field: 'metadata.annotations["auth.edgeroute.dev/client-cert"]',
    });
  });
});
