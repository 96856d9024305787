import { describe, expect, it } from "vitest";
import { formatDiff } from "../../../scripts/commands/diff.ts";
import { diffRoute, diffTables } from "../../../scripts/lib/table-diff.ts";
import type { Backend, CompiledRoute, TableIndex } from "../../../worker/core/index.ts";
import { route as buildRoute } from "../../support/route-builder.ts";

function backend(service: string, weight: number, port = 8081): Backend {
  return { service, weight, id: service.slice(-4), endpoints: [{ scheme: "http", host: "127.0.0.1", port }] };
}

function route(overrides: Partial<CompiledRoute> = {}): CompiledRoute {
  return buildRoute({
    id: "shop/web",
    host: "shop.example.com",
    tls: { termination: "edge", insecure: "Redirect" },
    backends: [backend("shop/web-blue", 90, 8081), backend("shop/web-green", 10, 8082)],
    balance: "roundrobin",
    cookie: { name: "er_1", sameSite: "None" },
    ...overrides,
  });
}

const index = (notFound: 503 | 404 = 503): TableIndex => ({
  schema: "edgeroute/route-table/v1",
  shardCount: 1,
  routeCount: 1,
  hostCount: 1,
  notFound,
  shardHashes: ["x"],
});

describe("diffRoute", () => {
  it("prints weight changes by Service name without namespace", () => {
    const changes = diffRoute(
      route(),
      route({ backends: [backend("shop/web-blue", 50, 8081), backend("shop/web-green", 50, 8082)] }),
    );
    expect(changes.map((change) => change.text)).toEqual(["web-blue 90→50, web-green 10→50"]);
    expect(changes[0]?.field).toBe("weights");
  });

  it("names new and removed backends, and changed endpoints", () => {
    const changes = diffRoute(
      route(),
      route({ backends: [backend("shop/web-blue", 90, 9091), backend("shop/web-canary", 5)] }),
    );
    expect(changes.map((change) => change.text)).toEqual([
      "web-canary new 5, web-green 10→removed",
      "web-blue endpoints http://127.0.0.1:8081→http://127.0.0.1:9091",
    ]);
  });

  it("prints path, TLS and policy changes, and nothing for equal routes whatever their key order", () => {
    const reordered = Object.fromEntries(Object.entries(route()).reverse()) as unknown as CompiledRoute;
    reordered.tls = { insecure: "Redirect", termination: "edge" } as CompiledRoute["tls"];
    expect(diffRoute(route(), reordered)).toEqual([]);
    const changes = diffRoute(
      route(),
      route({ path: "/v2", tls: null, timeoutMs: 5000, hsts: "max-age=31536000", ipAllowlist: ["10.0.0.0/8"] }),
    );
    expect(changes.map((change) => change.text)).toEqual([
      "path (all paths)→/v2",
      "tls edge/Redirect→http",
      "timeoutMs 30000→5000",
      "hsts none→max-age=31536000",
      'ipAllowlist none→["10.0.0.0/8"]',
    ]);
  });
});

describe("diffTables", () => {
  it("lists added, removed and changed routes by id, and the not-found status", () => {
    const api = route({ id: "shop/api#0.0", host: "api.example.com", path: "/healthz", match: "exact" });
    const old = route({ id: "shop/old" });
    const changes = diffTables(
      { routes: [route(), old], index: index(503) },
      {
        routes: [route({ backends: [backend("shop/web-blue", 50), backend("shop/web-green", 50, 8082)] }), api],
        index: index(404),
      },
    );
    expect(changes.added.map((entry) => entry.id)).toEqual(["shop/api#0.0"]);
    expect(changes.removed.map((entry) => entry.id)).toEqual(["shop/old"]);
    expect(changes.changed.map((entry) => entry.id)).toEqual(["shop/web"]);
    expect(formatDiff(changes)).toBe(
      [
        "Table:",
        "  ~ not-found status 503→404",
        "Added (1):",
        "  + shop/api#0.0  api.example.com /healthz (exact)  → web-blue 90 (90%), web-green 10 (10%)",
        "Removed (1):",
        "  - shop/old  shop.example.com (all paths)  → web-blue 90 (90%), web-green 10 (10%)",
        "Changed (1):",
        "  ~ shop/web: web-blue 90→50, web-green 10→50",
        "",
      ].join("\n"),
    );
  });

  it("against nothing published, every route is added", () => {
    const changes = diffTables({ routes: [], index: null }, { routes: [route()], index: index() });
    expect(changes).toMatchObject({ removed: [], changed: [], table: [] });
    expect(changes.added).toHaveLength(1);
    expect(formatDiff({ added: [], removed: [], changed: [], table: [] })).toBe("no route changes\n");
  });
});
