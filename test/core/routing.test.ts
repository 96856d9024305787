import { describe, expect, it } from "vitest";
import { normalizeHost } from "../../worker/core/host.ts";
import {
  explainRoute,
  FLAT_MAX_ROUTES,
  HostIndex,
  resolveRoute,
  tableLookup,
  type Walk,
} from "../../worker/core/match.ts";
import type { RequestFacts } from "../../worker/core/gateway.ts";
import { normalizePath } from "../../worker/core/path.ts";
import { ROUTING_CASES, ROUTING_ROUTES } from "../cases/routing.cases.ts";
import type { CompiledRoute } from "../../worker/core/table/types.ts";
import { route, shardsOf } from "../support/route-builder.ts";

function resolveUrl(shardCount: number, url: string): string {
  const lookup = tableLookup(shardsOf(ROUTING_ROUTES, shardCount));
  const parsed = new URL(url);
  const host = normalizeHost(parsed.host);
  const path = normalizePath(parsed.pathname);
  if (host === null || !path.ok) throw new Error(`unroutable test URL ${url}`);
  const resolution = resolveRoute(lookup, host, path.path, parsed.protocol === "https:");
  if (resolution.outcome === "none") return "none";
  return resolution.outcome === "redirect" ? `redirect:${resolution.route.id}` : resolution.route.id;
}

describe.each([1, 7])("routing cases through the core matcher, %i shard(s)", (shardCount) => {
  it.each(ROUTING_CASES)("$id", ({ url, expect: expected }) => {
    expect(resolveUrl(shardCount, url)).toBe(expected);
  });
});

describe("a small host's flat index", () => {
  // Seeded LCG, so a failing case can be reproduced from the seed in its message.
  const random = (seed: number) => {
    let state = seed;
    return (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
  };
  const routePaths = ["", "/", "//", "/a", "/a/", "/a//", "/a/b", "/a/b/", "/a//b", "/ab", "/b", "/b/c/d", "/a/b/c"];
  const requestPaths = ["/", "//", "/a", "/a/", "/a//", "/a/b", "/a/b/", "/a//b", "/a/bc", "/ab", "/b/c", "/b/c/d/e"];
  const tlsChoices: CompiledRoute["tls"][] = [
    null,
    { termination: "edge", insecure: "None" },
    { termination: "edge", insecure: "Allow" },
    { termination: "edge", insecure: "Redirect" },
  ];

  it("answers every path like the trie, for random hosts of up to FLAT_MAX_ROUTES routes", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const pick = random(seed);
      const routes = Array.from({ length: 1 + pick(FLAT_MAX_ROUTES) }, (_, i) =>
        route({
          id: `ns/r${i}`,
          host: "h.example.com",
          path: routePaths[pick(routePaths.length)] as string,
          match: pick(4) === 0 ? "exact" : "prefix",
          tls: tlsChoices[pick(tlsChoices.length)] as CompiledRoute["tls"],
        }),
      );
      const flat = new HostIndex(routes);
      const trie = new HostIndex(routes, 0);
      for (const path of requestPaths) {
        for (const https of [false, true]) {
          const a: Walk = { any: undefined, served: undefined };
          const b: Walk = { any: undefined, served: undefined };
          flat.walk(path, https, a);
          trie.walk(path, https, b);
          const label = `seed ${seed}, ${https ? "https" : "http"} ${path}`;
          expect([a.any?.id, a.served?.id], label).toEqual([b.any?.id, b.served?.id]);
        }
      }
    }
  });
});

describe("a trie host", () => {
  const walkIds = (index: HostIndex, path: string, facts?: RequestFacts): [string?, string?] => {
    const out: Walk = { any: undefined, served: undefined };
    index.walk(path, false, out, facts);
    return [out.any?.id, out.served?.id];
  };

  it("finds a child of a node with many children as one with few (compared in place, or probed in a Map)", () => {
    const names = ["a", "ab", "b", "ba", "c", "d", "e", "f", "g", "h", "i", "j"];
    const routes = [
      ...names.map((name) => route({ id: `ns/${name}`, host: "h.example.com", path: `/${name}/` })),
      route({ id: "ns/slash", host: "h.example.com", path: "/", match: "exact" }),
    ];
    const wide = new HostIndex([...routes, route({ id: "ns/deep", host: "h.example.com", path: "/ab/c" })]);
    const few = new HostIndex([...routes.slice(0, 3), ...routes.slice(-1)], 0);
    for (const index of [wide, few]) {
      expect(walkIds(index, "/a/x")).toEqual(["ns/a", "ns/a"]);
      expect(walkIds(index, "/ab/")).toEqual(["ns/ab", "ns/ab"]);
      expect(walkIds(index, "/a")).toEqual([undefined, undefined]);
      expect(walkIds(index, "/abc/x")).toEqual([undefined, undefined]);
      expect(walkIds(index, "/")).toEqual(["ns/slash", "ns/slash"]);
    }
    expect(walkIds(wide, "/j/x")).toEqual(["ns/j", "ns/j"]);
    expect(walkIds(wide, "/ab/c/d")).toEqual(["ns/deep", "ns/deep"]);
    expect(walkIds(wide, "/ab/cd")).toEqual(["ns/ab", "ns/ab"]);
  });

  it("checks candidates whose first headers alternate between names, asking again when the name changes", () => {
    const candidate = (id: string, name: string, value: string): CompiledRoute =>
      route({
        id,
        kind: "HTTPRoute",
        host: "h.example.com",
        path: "/api",
        gateway: { headers: [{ name, value }] },
      });
    const index = new HostIndex([
      candidate("ns/t-a", "x-tenant", "a"),
      candidate("ns/env-b", "x-env", "b"),
      candidate("ns/t-c", "x-tenant", "c"),
      route({ id: "ns/plain", host: "h.example.com", path: "/api" }),
    ]);
    const facts = (headers: Record<string, string>): RequestFacts => ({
      method: "GET",
      header: (name) => headers[name] ?? null,
      query: () => null,
    });
    expect(walkIds(index, "/api/x", facts({ "x-tenant": "c" }))).toEqual(["ns/t-c", "ns/t-c"]);
    expect(walkIds(index, "/api", facts({ "x-tenant": "a", "x-env": "b" }))).toEqual(["ns/t-a", "ns/t-a"]);
    expect(walkIds(index, "/api", facts({ "x-tenant": "z", "x-env": "b" }))).toEqual(["ns/env-b", "ns/env-b"]);
    expect(walkIds(index, "/api", facts({ "x-tenant": "z" }))).toEqual(["ns/plain", "ns/plain"]);
  });
});

describe("explain names every host key it looked at", () => {
  it("the exact host, each wildcard suffix that exists, and the catch-all, most specific first", () => {
    const lookup = tableLookup(shardsOf(ROUTING_ROUTES, 1));
    const explained = explainRoute(lookup, "a.b.gw.example.com", "/fallback", false);
    expect(explained.resolution.outcome === "route" && explained.resolution.route.id).toBe("gw/longer");
    expect(explained.resolution.outcome === "route" && explained.resolution.hostKind).toBe("wildcard");
    expect(explained.considered.map((c) => [c.route.id, c.chosen, c.why.split(";")[0]])).toEqual([
      ["gw/longer", true, "wildcard *.b.gw.example.com"],
      ["gw/deep", false, "wildcard *.gw.example.com"],
      ["default/fallback", false, "catch-all (no host named)"],
    ]);
    const fallback = explainRoute(lookup, "nobody.example.org", "/fallback", false);
    expect(fallback.resolution.outcome === "route" && fallback.resolution.hostKind).toBe("catch-all");
  });
});
