/**
 * Content-addressed shards in workerd: a table of the first layout (routes:table:<version>:<i>, what the previous
 * CLI published) is served during an upgrade, a content-addressed version replaces it, and the next version reads
 * only the shard that changed: the shards it shares with the version in service are carried over in memory.
 */
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { shardKey } from "../../worker/core/table/keys.ts";
import { shardOf } from "../../worker/core/table/shard.ts";
import { TABLE_SCHEMA } from "../../worker/core/table/types.ts";
import type { CompiledRoute, Pointer, ShardLayout, TableIndex } from "../../worker/core/table/types.ts";
import { publishedHash, route, shardsOf } from "../support/route-builder.ts";

const kv = (env as unknown as { ROUTES: KVNamespace }).ROUTES;
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
const SHARDS = 6;
const hosts = Array.from({ length: 30 }, (_, i) => `h${i}.example.com`);
const routesWith = (redirectedHost: string | null): CompiledRoute[] =>
  hosts.map((host, i) =>
    route({
      id: `ns${i}/r`,
      host,
      tls: { termination: "edge", insecure: host === redirectedHost ? "Redirect" : "None" },
    }),
  );

/** Publishes the routes as `version` (shards, index, then pointer, as `routes push` does); its pointer. */
async function publish(version: string, routes: CompiledRoute[], layout: ShardLayout | undefined): Promise<Pointer> {
  const shards = shardsOf(routes, SHARDS).map((shard) => JSON.stringify(shard));
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount: SHARDS,
    routeCount: routes.length,
    hostCount: hosts.length,
    notFound: 503,
    shardHashes: await Promise.all(shards.map(publishedHash)),
    ...(layout === undefined ? {} : { layout }),
  };
  for (const [i, shard] of shards.entries()) await kv.put(shardKey(version, index, i), shard);
  await kv.put(`routes:table:${version}`, JSON.stringify(index));
  const { schema, shardCount, routeCount, hostCount, notFound, shardHashes } = index;
  const pointer: Pointer = {
    version,
    schema,
    notFound,
    publishedAt: "2026-12-07T00:00:00Z",
    publishedBy: "test",
    routeCount,
    hostCount,
    shardCount,
    shardHashes,
    ...(layout === undefined ? {} : { layout }),
  };
  await kv.put("routes:current", JSON.stringify(pointer));
  return pointer;
}

const get = (url: string) => worker.fetch(new Request(url, { redirect: "manual" }));
const version = async () =>
  ((await (await get("http://admin.edgeroute.test/__edgeroute/health")).json()) as { version: string | null }).version;
/** Waits past the refresh interval (1 s in tests), starts the background re-read and lets it finish. */
async function refreshed(): Promise<string | null> {
  await new Promise((r) => setTimeout(r, 1100));
  await version();
  await new Promise((r) => setTimeout(r, 300));
  return version();
}

const [first, second] = hosts;

it("serves a table of the previous CLI (shards at routes:table:<version>:<i>), then swaps to content-addressed shards", async () => {
  await publish("old", routesWith(first ?? null), undefined);
  expect(await kv.get("routes:table:old:0")).not.toBeNull();
  expect((await get(`http://${first}/`)).status).toBe(302);
  expect((await get(`http://${second}/`)).status).toBe(503);

  const upgraded = await publish("new1", routesWith(first ?? null), "content");
  expect(await kv.get(`routes:shard:${upgraded.shardHashes?.[0]}`)).not.toBeNull();
  expect(await refreshed()).toBe("new1");
  for (const host of hosts) expect((await get(`http://${host}/`)).status, host).toBe(host === first ? 302 : 503);
});

it("reads only the changed shard of the next version: the shards it shares stay in memory", async () => {
  const before = JSON.parse((await kv.get("routes:current")) ?? "{}") as Pointer;
  // The redirect moves from the first host to the second; choose hosts in different shards so one shard each changes.
  const next = await publish("new2", routesWith(second ?? null), "content");
  const changed = next.shardHashes?.flatMap((hash, i) => (hash === before.shardHashes?.[i] ? [] : [i])) ?? [];
  expect(changed).toEqual(
    [...new Set([shardOf(first ?? "", SHARDS), shardOf(second ?? "", SHARDS)])].sort((a, b) => a - b),
  );
  // Remove every shard the two versions share from KV: the Worker can only serve new2 if it keeps them in memory.
  for (const [i, hash] of (next.shardHashes ?? []).entries()) {
    if (!changed.includes(i)) await kv.delete(`routes:shard:${hash}`);
  }
  expect(await refreshed()).toBe("new2");
  for (const host of hosts) expect((await get(`http://${host}/`)).status, host).toBe(host === second ? 302 : 503);
});

it("does not swap to a version whose changed shard is missing, and keeps serving the last good one", async () => {
  const current = JSON.parse((await kv.get("routes:current")) ?? "{}") as Pointer;
  const next = await publish("new3", routesWith(null), "content");
  const changed = next.shardHashes?.findIndex((hash, i) => hash !== current.shardHashes?.[i]) ?? -1;
  expect(changed).toBeGreaterThanOrEqual(0);
  await kv.delete(`routes:shard:${next.shardHashes?.[changed]}`);
  expect(await refreshed()).toBe("new2");
  expect((await get(`http://${second}/`)).status).toBe(302);
});
