import { describe, expect, it } from "vitest";
import type { CompileOptions } from "../../../worker/core/compile/types.ts";
import { ingress, only, route, rule, run, service } from "./fixtures.ts";

const svc = (ns: string) => service("web", { namespace: ns });
const hostOf = "shop.example.com";
const at = (
  name: string,
  ns: string,
  created: string,
  extra: { path?: string; host?: string; spec?: Record<string, unknown> } = {},
) =>
  route(name, {
    namespace: ns,
    created,
    host: extra.host ?? hostOf,
    ...(extra.path !== undefined ? { path: extra.path } : {}),
    ...(extra.spec !== undefined ? { spec: extra.spec } : {}),
  });
const compileAll = (objects: unknown[], options: Partial<CompileOptions> = {}) =>
  run([...objects, svc("a"), svc("b")], options);

describe("admission", () => {
  it("the oldest route on a host and path wins; the other is rejected with the router's message", () => {
    const result = compileAll([at("new", "a", "2024-02-01T00:00:00Z"), at("old", "a", "2024-01-01T00:00:00Z")]);
    expect(result.admitted.map((r) => r.id)).toEqual(["a/old"]);
    expect(only(result.rejected)).toEqual({
      object: "Route a/new",
      host: hostOf,
      path: "",
      reason: "HostAlreadyClaimed",
      message: `route a/old already exposes ${hostOf} and is older`,
    });
    const d = only(result.diagnostics);
    expect(d).toMatchObject({
      severity: "warning",
      code: "HostAlreadyClaimed",
      object: "Route a/new",
      field: "spec.host",
    });
  });

  it("breaks timestamp ties by namespace/name", () => {
    const result = compileAll([at("b", "a", "2024-01-01T00:00:00Z"), at("a", "a", "2024-01-01T00:00:00Z")]);
    expect(result.admitted.map((r) => r.id)).toEqual(["a/a"]);
  });

  it('treats "" and "/" as the same claim', () => {
    const result = compileAll([
      at("old", "a", "2024-01-01T00:00:00Z"),
      at("new", "a", "2024-02-01T00:00:00Z", { path: "/" }),
    ]);
    expect(result.admitted.map((r) => r.id)).toEqual(["a/old"]);
  });

  it("lets different paths coexist in the owning namespace", () => {
    const result = compileAll([
      at("root", "a", "2024-01-01T00:00:00Z"),
      at("api", "a", "2024-02-01T00:00:00Z", { path: "/api" }),
    ]);
    expect(result.admitted.map((r) => r.id).sort()).toEqual(["a/api", "a/root"]);
  });

  it("Strict: another namespace is rejected even with a different path", () => {
    const result = compileAll([
      at("owner", "a", "2024-01-01T00:00:00Z"),
      at("intruder", "b", "2024-02-01T00:00:00Z", { path: "/api" }),
    ]);
    expect(result.admitted.map((r) => r.id)).toEqual(["a/owner"]);
    expect(only(result.rejected).message).toBe(
      `a route in another namespace holds ${hostOf} and is older than intruder`,
    );
  });

  it("InterNamespaceAllowed: different paths from any namespace coexist, the same path goes to the oldest", () => {
    const options = { interNamespaceAllowed: true };
    const coexist = compileAll(
      [at("owner", "a", "2024-01-01T00:00:00Z"), at("api", "b", "2024-02-01T00:00:00Z", { path: "/api" })],
      options,
    );
    expect(coexist.admitted.map((r) => r.id).sort()).toEqual(["a/owner", "b/api"]);
    const clash = compileAll(
      [
        at("owner", "a", "2024-03-01T00:00:00Z", { path: "/api" }),
        at("api", "b", "2024-02-01T00:00:00Z", { path: "/api" }),
      ],
      options,
    );
    expect(clash.admitted.map((r) => r.id)).toEqual(["b/api"]);
  });

  it("exact and prefix on the same path are different claims", () => {
    const result = run([
      ingress("i", {
        rules: [
          rule(hostOf, [
            { path: "/x", pathType: "Exact" },
            { path: "/x", pathType: "Prefix" },
          ]),
        ],
      }),
      service("web"),
    ]);
    expect(result.admitted).toHaveLength(2);
  });

  it("Route wildcards need allowWildcards (RouteNotAdmitted)", () => {
    const wildcard = at("wild", "a", "2024-01-01T00:00:00Z", {
      host: "www.example.com",
      spec: { wildcardPolicy: "Subdomain" },
    });
    const refused = compileAll([wildcard]);
    expect(refused.admitted).toEqual([]);
    expect(only(refused.rejected)).toMatchObject({ reason: "RouteNotAdmitted", host: "*.example.com" });
    expect(only(refused.rejected).message).toContain("wildcard routes are not allowed");
    expect(compileAll([wildcard], { allowWildcards: true }).admitted).toHaveLength(1);
  });

  it("wildcard vs specific host across namespaces: the older claim blocks the other (Strict)", () => {
    const options = { allowWildcards: true };
    const wildcard = (created: string) =>
      at("wild", "a", created, { host: "www.example.com", spec: { wildcardPolicy: "Subdomain" } });
    const specific = (created: string) => at("shop", "b", created, { host: "shop.example.com" });
    const wildOlder = compileAll([wildcard("2024-01-01T00:00:00Z"), specific("2024-02-01T00:00:00Z")], options);
    expect(wildOlder.admitted.map((r) => r.id)).toEqual(["a/wild"]);
    expect(only(wildOlder.rejected).message).toBe(
      "wildcard route a/wild has host *.example.com, blocking shop.example.com",
    );
    const specificOlder = compileAll([wildcard("2024-03-01T00:00:00Z"), specific("2024-02-01T00:00:00Z")], options);
    expect(specificOlder.admitted.map((r) => r.id)).toEqual(["b/shop"]);
    expect(only(specificOlder.rejected).message).toBe("route b/shop has host shop.example.com, blocking *.example.com");
    // Same namespace: they coexist; InterNamespaceAllowed: no wildcard blocking.
    const sameNs = compileAll(
      [wildcard("2024-01-01T00:00:00Z"), at("shop", "a", "2024-02-01T00:00:00Z", { host: "shop.example.com" })],
      options,
    );
    expect(sameNs.admitted).toHaveLength(2);
    const inter = compileAll([wildcard("2024-01-01T00:00:00Z"), specific("2024-02-01T00:00:00Z")], {
      ...options,
      interNamespaceAllowed: true,
    });
    expect(inter.admitted).toHaveLength(2);
  });

  it("a wildcard does not block hosts two labels below its suffix", () => {
    const options = { allowWildcards: true };
    const result = compileAll(
      [
        at("wild", "a", "2024-01-01T00:00:00Z", { host: "www.example.com", spec: { wildcardPolicy: "Subdomain" } }),
        at("deep", "b", "2024-02-01T00:00:00Z", { host: "a.b.example.com" }),
      ],
      options,
    );
    expect(result.admitted).toHaveLength(2);
  });
});
