import { describe, expect, it } from "vitest";
import { normalizeHost } from "../../worker/core/host.ts";
import { resolveRoute, tableLookup } from "../../worker/core/match.ts";
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
