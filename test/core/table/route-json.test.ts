import { describe, expect, it } from "vitest";
import { compactRoute, restoreRoute } from "../../../worker/core/table/route-json.ts";
import type { Backend, CompiledRoute } from "../../../worker/core/table/types.ts";
import { ingress, only, route, rule, run, service } from "../compile/fixtures.ts";

/** Round trip through the compact form with an in-memory backend dictionary. */
function roundTrip(r: CompiledRoute): { compact: Record<string, unknown>; restored: CompiledRoute } {
  const lists: Backend[][] = [];
  const compact = compactRoute(r, (backends) => lists.push([...backends]) - 1);
  const wildcard = r.host.startsWith("*.");
  const restored = restoreRoute(
    JSON.parse(JSON.stringify(compact)),
    wildcard ? r.host.slice(2) : r.host,
    wildcard,
    (ref) => lists[ref] ?? [],
  );
  return { compact, restored };
}

describe("compact route form", () => {
  it("writes only id and backends for a route that holds every default", () => {
    const r = only(run([route("web"), service("web")]).admitted);
    const { compact, restored } = roundTrip(r);
    expect(compact).toEqual({ id: "shop/web", backends: 0 });
    expect(restored).toEqual(r);
  });

  it("keeps every non-default field", () => {
    const annotations = {
      "haproxy.router.openshift.io/timeout": "2s",
      "haproxy.router.openshift.io/balance": "leastconn",
      "haproxy.router.openshift.io/ip_allowlist": "10.0.0.0/8",
      "haproxy.router.openshift.io/hsts_header": "max-age=100",
      "haproxy.router.openshift.io/rewrite-target": "/v2",
      "haproxy.router.openshift.io/set-forwarded-headers": "replace",
      "router.openshift.io/cookie_name": "sticky",
      "haproxy.router.openshift.io/rate-limit-connections": "true",
      "haproxy.router.openshift.io/rate-limit-connections.rate-http": "50",
      "auth.edgeroute.dev/jwt-jwks-url": "https://issuer.example.com/jwks",
      "auth.edgeroute.dev/jwt-audience": "shop",
      "auth.edgeroute.dev/jwt-issuer": "https://issuer.example.com/",
      "auth.edgeroute.dev/client-cert": "required",
    };
    const spec = {
      httpHeaders: {
        actions: {
          request: [{ name: "X-A", action: { type: "Set", set: { value: "1" } } }],
          response: [{ name: "Server", action: { type: "Delete" } }],
        },
      },
      alternateBackends: [{ kind: "Service", name: "api", weight: 0 }],
    };
    const result = run([
      route("web", {
        path: "/shop",
        annotations,
        spec,
        tls: { termination: "reencrypt", insecureEdgeTerminationPolicy: "Redirect" },
      }),
      service("web"),
      service("api"),
    ]);
    const r = only(result.admitted);
    const { compact, restored } = roundTrip(r);
    expect(restored).toEqual(r);
    expect(Object.keys(compact).sort()).toEqual([
      "backends",
      "balance",
      "clientCert",
      "cookie",
      "forwarded",
      "hsts",
      "id",
      "ipAllowlist",
      "jwt",
      "path",
      "rateLimit",
      "requestHeaders",
      "responseHeaders",
      "rewriteTarget",
      "timeoutMs",
      "tls",
    ]);
  });

  it("restores Ingress routes, exact matches and wildcard hosts", () => {
    const result = run([
      ingress("ing", {
        rules: [rule("*.apps.example.com"), rule("a.example.com", [{ path: "/x", pathType: "Exact" }])],
      }),
      service("web"),
    ]);
    for (const r of result.admitted) expect(roundTrip(r).restored).toEqual(r);
    expect(result.admitted.map((r) => r.host).sort()).toEqual(["*.apps.example.com", "a.example.com"]);
  });
});
