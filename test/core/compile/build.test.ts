import { describe, expect, it } from "vitest";
import { ingress, route, rule, run, service } from "./fixtures.ts";

describe("build", () => {
  it("sorts a host's routes by precedence: longest path first, exact before prefix, then older first", () => {
    const host = "shop.example.com";
    const result = run([
      route("root", { host, created: "2024-01-01T00:00:00Z" }),
      route("api", { host, path: "/api", created: "2024-01-03T00:00:00Z" }),
      route("api-v1", { host, path: "/api/v1", created: "2024-01-04T00:00:00Z" }),
      ingress(
        "ing",
        { rules: [rule(host, [{ path: "/api", pathType: "Exact" }])] },
        { created: "2024-01-05T00:00:00Z" },
      ),
      route("apx", { host, path: "/apx", created: "2024-01-02T00:00:00Z" }),
      service("web"),
    ]);
    expect(result.table.shards[0]?.hosts[host]?.map((r) => [r.id, r.path, r.match])).toEqual([
      ["shop/api-v1", "/api/v1", "prefix"],
      ["shop/ing#0.0", "/api", "exact"],
      ["shop/apx", "/apx", "prefix"],
      ["shop/api", "/api", "prefix"],
      ["shop/root", "", "prefix"],
    ]);
  });

  it("counts routes and hosts (a wildcard suffix counts as a host) and carries notFound", () => {
    const result = run(
      [
        route("a", { host: "a.example.com" }),
        route("b", { host: "a.example.com", path: "/b" }),
        ingress("w", { rules: [rule("*.apps.example.com")] }),
        service("web"),
      ],
      { notFound: 404 },
    );
    expect(result.table.index).toMatchObject({ routeCount: 3, hostCount: 2, shardCount: 1, notFound: 404 });
    expect(Object.keys(result.table.shards[0]?.hosts ?? {})).toEqual(["a.example.com"]);
    expect(Object.keys(result.table.shards[0]?.wildcards ?? {})).toEqual(["apps.example.com"]);
  });
});
