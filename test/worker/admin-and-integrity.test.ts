/**
 * What the gateway reveals and what it trusts, in workerd: its own endpoints answer only on the admin host (and
 * behind ADMIN_TOKEN when set), never on a route host; a shard whose bytes differ from the hash published in the
 * index is never used. The test config sets ADMIN_HOST to admin.edgeroute.test (vitest.config.ts).
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { TABLE_SCHEMA } from "../../worker/core/table/types.ts";
import type { CompiledRoute, Pointer, TableIndex } from "../../worker/core/table/types.ts";
import type { Env } from "../../worker/env.ts";
import app from "../../worker/index.ts";
import { publishedHash, route, shardsOf } from "../support/route-builder.ts";

const kv = (env as unknown as { ROUTES: KVNamespace }).ROUTES;
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
const get = (url: string, init?: RequestInit) => worker.fetch(new Request(url, { redirect: "manual", ...init }));
const HEALTH = "http://admin.edgeroute.test/__edgeroute/health";

const routes: CompiledRoute[] = [
  route({ id: "shop/web", host: "shop.example.com", tls: { termination: "edge", insecure: "Redirect" } }),
];

/** Publish `version` of `table`; `tamper` replaces the shard's bytes after its hash was recorded. */
async function publish(version: string, tamper?: (text: string) => string, table = routes): Promise<void> {
  const shards = shardsOf(table, 1).map((shard) => JSON.stringify(shard));
  const shardHashes = await Promise.all(shards.map(publishedHash));
  for (const [i, shard] of shards.entries()) {
    await kv.put(`routes:table:${version}:${i}`, tamper ? tamper(shard) : shard);
  }
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount: 1,
    routeCount: 1,
    hostCount: 1,
    notFound: 503,
    shardHashes,
  };
  await kv.put(`routes:table:${version}`, JSON.stringify(index));
  const pointer: Pointer = {
    version,
    schema: TABLE_SCHEMA,
    notFound: 503,
    publishedAt: "2026-11-25T00:00:00Z",
    publishedBy: "test",
    routeCount: 1,
    hostCount: 1,
    shardCount: 1,
    shardHashes,
  };
  await kv.put("routes:current", JSON.stringify(pointer));
}

async function version(): Promise<string | null> {
  return ((await (await get(HEALTH)).json()) as { version: string | null }).version;
}

it("serves the health endpoint on the admin host only; on a route host the path belongs to the route", async () => {
  await publish("v1");
  expect(await (await get(HEALTH)).json()).toEqual({ ok: true, version: "v1", routes: 1 });
  // On a route host it is an ordinary path: the route's own redirect, no version, no route count.
  const onRoute = await get("http://shop.example.com/__edgeroute/health");
  expect(onRoute.status).toBe(302);
  expect(onRoute.headers.get("location")).toBe("https://shop.example.com/__edgeroute/health");
  // On an unknown host: the router's no-route page, which says nothing about the table.
  const unknown = await get("http://other.example.com/__edgeroute/health");
  expect(unknown.status).toBe(503);
  const page = await unknown.text();
  expect(page).toContain("Application is not available");
  expect(page).not.toContain("v1");
});

it("requires Authorization: Bearer <ADMIN_TOKEN> on the admin host when the secret is set", async () => {
  const withToken = { ...(env as unknown as Env), ADMIN_TOKEN: "s3cret-token" };
  const call = async (headers: Record<string, string>) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(HEALTH, { headers }), withToken, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  const none = await call({});
  expect(none.status).toBe(401);
  expect(none.headers.get("www-authenticate")).toBe('Bearer realm="edgeroute admin"');
  expect((await call({ Authorization: "Bearer wrong" })).status).toBe(401);
  const ok = await call({ Authorization: "Bearer s3cret-token" });
  expect(ok.status).toBe(200);
  expect(((await ok.json()) as { ok: boolean }).ok).toBe(true);
});

it("keeps the last good table when a shard does not match its published hash, and logs why", async () => {
  const errors = vi.spyOn(console, "error");
  // Same JSON shape, different bytes: a route re-pointed after publishing. v2's shard differs from v1's (a shard
  // with v1's hash would be v1's bytes, taken over from memory without reading KV: worker/table/load.ts).
  const changed = [{ ...routes[0], timeoutMs: 5000 } as CompiledRoute];
  await publish("v2", (text) => text.replace("shop.example.com", "shop.example.net"), changed);
  await new Promise((r) => setTimeout(r, 1100));
  await version(); // starts the background re-read
  await new Promise((r) => setTimeout(r, 300));
  expect(await version()).toBe("v1");
  const line = errors.mock.calls.map((c) => String(c[0])).find((l) => l.includes("table-load-failed")) as string;
  expect(JSON.parse(line)).toMatchObject({ serving: "v1" });
  expect(JSON.parse(line).reason).toMatch(
    /shard 0 of table v2 does not match its published hash \(expected [0-9a-f]{16}, read [0-9a-f]{16}\)/,
  );
  errors.mockRestore();
  expect((await get("http://shop.example.com/x")).status).toBe(302);
  expect((await get("http://shop.example.net/x")).status).toBe(503);
});
