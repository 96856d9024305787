/**
 * The rate-limit policy against the real local rate-limiting binding (Miniflare's simulator, reached through
 * wrangler's getPlatformProxy), with exactly the `[[ratelimits]]` block docs/security.md tells operators to put
 * in wrangler.toml, generated from the compiler's tier list so the two cannot drift apart.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMIT_TIERS, rateLimitFor } from "../../worker/core/compile/index.ts";
import type { CompiledRoute } from "../../worker/core/index.ts";
import { route as buildRoute } from "../support/route-builder.ts";
import { enforcePolicies } from "../../worker/policy/index.ts";

/** The wrangler.toml block of the tiers: namespace ids 1001, 1002, … in tier order. */
function rateLimitsToml(): string {
  return RATE_LIMIT_TIERS.map(
    (tier, i) =>
      `[[ratelimits]]\nname = "${rateLimitFor(tier).binding}"\nnamespace_id = "${1001 + i}"\nsimple = { limit = ${tier}, period = 10 }\n`,
  ).join("\n");
}

function route(id: string, requested: number): CompiledRoute {
  return buildRoute({ id, host: "shop.example.com", backends: [], rateLimit: rateLimitFor(requested) });
}

let dir: string;
let proxy: Awaited<ReturnType<typeof getPlatformProxy<Record<string, unknown>>>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgeroute-ratelimit-"));
  const config = join(dir, "wrangler.toml");
  await writeFile(config, `name = "ratelimit-check"\ncompatibility_date = "2026-11-01"\n\n${rateLimitsToml()}`);
  proxy = await getPlatformProxy<Record<string, unknown>>({ configPath: config, persist: false });
});

afterAll(async () => {
  await proxy?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Send `count` requests as `clientIp` in a quick burst; the statuses in order, and the refusals' responses. */
async function send(
  r: CompiledRoute,
  clientIp: string,
  count: number,
): Promise<{ statuses: number[]; refusals: Response[] }> {
  const statuses: number[] = [];
  const refusals: Response[] = [];
  for (let i = 0; i < count; i++) {
    const decision = await enforcePolicies({
      request: new Request("https://shop.example.com/"),
      route: r,
      clientIp,
      env: proxy.env,
    });
    statuses.push(decision.allow ? 200 : decision.response.status);
    if (!decision.allow) refusals.push(decision.response);
  }
  return { statuses, refusals };
}

async function burst(r: CompiledRoute, clientIp: string, count: number): Promise<number[]> {
  return (await send(r, clientIp, count)).statuses;
}

describe("rate limit with the real local binding", () => {
  it("declares one working binding per tier", () => {
    for (const tier of RATE_LIMIT_TIERS) {
      expect(typeof (proxy.env[rateLimitFor(tier).binding] as { limit?: unknown } | undefined)?.limit).toBe("function");
    }
  });

  // Windows are fixed and aligned to the clock, so a burst may straddle one window edge: of 2n+1 requests at
  // least n pass and at least one is refused, whatever the timing.
  it.each([1, 2, 5, 10])("lets %i requests per 10 s through and answers 429 with Retry-After after that", async (n) => {
    const { statuses, refusals } = await send(route(`shop/limit-${n}`, n), "192.0.2.1", 2 * n + 1);
    const passed = statuses.filter((s) => s === 200).length;
    expect(statuses[0]).toBe(200);
    expect(passed).toBeGreaterThanOrEqual(n);
    expect(passed).toBeLessThanOrEqual(2 * n);
    expect(refusals.length).toBe(statuses.length - passed);
    for (const refusal of refusals) {
      expect(refusal.status).toBe(429);
      expect(refusal.headers.get("Retry-After")).toBe("10");
      expect(refusal.headers.get("Cache-Control")).toBe("no-store");
    }
  });

  it("counts each client address and each route separately", async () => {
    const a = route("shop/a", 1);
    const b = route("shop/b", 1);
    await burst(a, "198.51.100.1", 3);
    // A fresh key's first request always passes, whatever the window: the others' refusals did not leak.
    expect(await burst(a, "198.51.100.2", 1)).toEqual([200]);
    expect(await burst(b, "198.51.100.1", 1)).toEqual([200]);
    expect(await burst(a, "2001:db8::1", 1)).toEqual([200]);
  });

  it("rounds a requested rate down to its tier (30 → RATE_LIMIT_20)", async () => {
    const r = route("shop/thirty", 30);
    expect(r.rateLimit).toMatchObject({ binding: "RATE_LIMIT_20", limit: 20 });
    const passed = (await burst(r, "203.0.113.5", 41)).filter((s) => s === 200).length;
    expect(passed).toBeGreaterThanOrEqual(20);
    expect(passed).toBeLessThanOrEqual(40);
  });
});
