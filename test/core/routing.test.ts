import { describe, expect, it } from "vitest";
import { normalizeHost } from "../../worker/core/host.ts";
import { explainRoute, resolveRoute, tableLookup } from "../../worker/core/match.ts";
import { normalizePath } from "../../worker/core/path.ts";
import { ROUTING_CASES, ROUTING_ROUTES } from "../cases/routing.cases.ts";
import { shardsOf } from "../support/route-builder.ts";

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
