/**
 * Upgrading across table schemas (docs/route-table.md "Schemas"): a Worker of this version serves a table the
 * previous CLI published (schema v1), swaps to a v2 table when one is published, and refuses a table of a newer,
 * unknown schema with a log line naming it while the last good table keeps serving. Tests run in order.
 */
import { env, exports } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { serializeTable } from "../../worker/core/table/codec.ts";
import { shardKey } from "../../worker/core/table/keys.ts";
import { TABLE_SCHEMA } from "../../worker/core/table/types.ts";
import type { Pointer, TableIndex } from "../../worker/core/table/types.ts";
import { TABLE_V1 } from "../fixtures/table-v1.ts";
import { publishedHash, route, shardsOf } from "../support/route-builder.ts";

const kv = (env as unknown as { ROUTES: KVNamespace }).ROUTES;
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
const get = (url: string) => worker.fetch(new Request(url, { redirect: "manual" }));

/** Writes a version's index and shards at the keys its layout names, then the pointer as the CLI does (it repeats the index's fields). */
async function publish(version: string, indexText: string, shards: readonly string[]): Promise<void> {
  const index = JSON.parse(indexText) as TableIndex;
  for (const [i, shard] of shards.entries()) await kv.put(shardKey(version, index, i), shard);
  await kv.put(`routes:table:${version}`, indexText);
  const pointer: Pointer = {
    version,
    schema: index.schema,
    notFound: index.notFound,
    publishedAt: "2026-12-07T00:00:00Z",
    publishedBy: "test",
    routeCount: index.routeCount,
    hostCount: index.hostCount,
    shardCount: index.shardCount,
    shardHashes: index.shardHashes,
    ...(index.layout === undefined ? {} : { layout: index.layout }),
  };
  await kv.put("routes:current", JSON.stringify(pointer));
}

async function version(): Promise<string | null> {
  const res = await get("http://admin.edgeroute.test/__edgeroute/health");
  return ((await res.json()) as { version: string | null }).version;
}

/** Lets the refresh interval (1 s in the test config) pass, starts the background re-read and waits for it. */
async function refresh(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100));
  await version();
  await new Promise((r) => setTimeout(r, 300));
}

it("serves a table the previous CLI published (schema v1)", async () => {
  await publish(TABLE_V1.version, TABLE_V1.index, TABLE_V1.shards);
  // Route shop/web (edge, insecure Redirect) and store/frontend (handed to the cluster router) from the v1 shard.
  const shop = await get("http://shop.example.com/cart?id=7");
  expect(shop.status).toBe(302);
  expect(shop.headers.get("location")).toBe("https://shop.example.com/cart?id=7");
  const store = await get("http://frontend-store.apps.east.example.com/");
  expect(store.status).toBe(302);
  // Ingress shop/api serves only /healthz (Exact), /static and /v1 on api.example.com: anything else is no route.
  expect((await get("http://api.example.com/healthz/x")).status).toBe(503);
  expect(await version()).toBe(TABLE_V1.version);
});

it("refuses a table of a newer schema with a log line naming it, and keeps serving the last good one", async () => {
  const errors = vi.spyOn(console, "error");
  const newer = '{"routes":"in a layout this Worker does not know"}';
  const index = {
    hostCount: 1,
    notFound: 503,
    routeCount: 1,
    schema: "edgeroute/route-table/v3",
    shardCount: 1,
    shardHashes: [await publishedHash(newer)],
  };
  await publish("newer", JSON.stringify(index), [newer]);
  await refresh();
  expect(await version()).toBe(TABLE_V1.version);
  expect((await get("http://shop.example.com/")).status).toBe(302);
  const lines = errors.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
  expect(lines).toContainEqual({
    level: "error",
    event: "table-load-failed",
    reason:
      "table newer has schema edgeroute/route-table/v3; this Worker reads edgeroute/route-table/v1 and edgeroute/route-table/v2",
    serving: TABLE_V1.version,
  });
  errors.mockRestore();
});

it("swaps to a table of the current schema (v2) published after it", async () => {
  const routes = [
    route({ id: "new/web", host: "new.example.com", tls: { termination: "edge", insecure: "Redirect" } }),
  ];
  const texts = serializeTable({ index: JSON.parse(TABLE_V1.index) as TableIndex, shards: shardsOf(routes) }, () => "");
  const shardHashes = await Promise.all(texts.shards.map(publishedHash));
  const index = { ...(JSON.parse(texts.index) as TableIndex), shardHashes };
  expect(index.schema).toBe(TABLE_SCHEMA);
  await publish("current", JSON.stringify(index), texts.shards);
  await refresh();
  expect(await version()).toBe("current");
  // The v2 table's route answers; a host only the v1 table had is no longer served.
  const fresh = await get("http://new.example.com/a");
  expect(fresh.status).toBe(302);
  expect(fresh.headers.get("location")).toBe("https://new.example.com/a");
  expect((await get("http://shop.example.com/")).status).toBe(503);
});
