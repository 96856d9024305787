/**
 * How a cold isolate reads a sharded table (only the shards the request needs before answering) and how a warm one
 * swaps versions (only a version it could read whole). A corrupt shard makes both visible.
 */
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { shardOf } from "../../worker/core/table/shard.ts";
import { TABLE_SCHEMA } from "../../worker/core/table/types.ts";
import type { CompiledRoute, Pointer, TableIndex } from "../../worker/core/table/types.ts";
import { publishedHash, route, shardsOf } from "../support/route-builder.ts";

const kv = (env as unknown as { ROUTES: KVNamespace }).ROUTES;
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
const SHARDS = 8;
const hosts = Array.from({ length: 40 }, (_, i) => `h${i}.example.com`);
const routes: CompiledRoute[] = hosts.map((host, i) =>
  route({ id: `ns${i}/r`, host, tls: { termination: "edge", insecure: "Redirect" } }),
);

/**
 * Publishes `routes` as `version`; shard `corruptShard` is not JSON, and the host `corruptHost` (valid JSON, its
 * hash published) has a group that is not a list of routes.
 */
async function publish(version: string, corruptShard: number, corruptHost?: string): Promise<void> {
  const shards = shardsOf(routes, SHARDS).map((shard, i) => {
    if (i === corruptShard) return "{not json";
    if (corruptHost === undefined || !Object.hasOwn(shard.hosts, corruptHost)) return JSON.stringify(shard);
    return JSON.stringify({ ...shard, hosts: { ...shard.hosts, [corruptHost]: "not a list" } });
  });
  for (const [i, shard] of shards.entries()) await kv.put(`routes:table:${version}:${i}`, shard);
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount: SHARDS,
    routeCount: routes.length,
    hostCount: hosts.length,
    notFound: 503,
    shardHashes: await Promise.all(shards.map(publishedHash)),
  };
  await kv.put(`routes:table:${version}`, JSON.stringify(index));
  const pointer: Pointer = {
    version,
    schema: TABLE_SCHEMA,
    notFound: 503,
    publishedAt: "2026-11-25T00:00:00Z",
    publishedBy: "test",
    routeCount: routes.length,
    hostCount: hosts.length,
    shardCount: SHARDS,
    shardHashes: index.shardHashes,
  };
  await kv.put("routes:current", JSON.stringify(pointer));
}

const get = (url: string) => worker.fetch(new Request(url, { redirect: "manual" }));
const version = async () =>
  ((await (await get("http://admin.edgeroute.test/__edgeroute/health")).json()) as { version: string | null }).version;

it("answers a cold request from the shards its host needs, and a request needing a corrupt shard with 503", async () => {
  const bad = 3;
  await publish("v1", bad);
  const good = hosts.find(
    (h) => shardOf(h, SHARDS) !== bad && shardOf(h.slice(h.indexOf(".") + 1), SHARDS) !== bad,
  ) as string;
  const res = await get(`http://${good}/x`);
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe(`https://${good}/x`);

  const broken = hosts.find((h) => shardOf(h, SHARDS) === bad) as string;
  const failed = await get(`http://${broken}/x`);
  expect(failed.status).toBe(503);
  // The page says there is no table and gives the request id; the reason (a corrupt shard) is only in the log.
  const page = await failed.text();
  expect(page).toContain("No route table can be read");
  expect(page).not.toContain("corrupt");
});

it("does not swap to a new version it cannot read whole, and swaps to one it can", async () => {
  await publish("v2", 5);
  await new Promise((r) => setTimeout(r, 1100));
  await version(); // starts the background re-read
  await new Promise((r) => setTimeout(r, 300));
  expect(await version()).toBe("v1");

  await publish("v3", -1);
  await new Promise((r) => setTimeout(r, 1100));
  await version();
  await new Promise((r) => setTimeout(r, 300));
  expect(await version()).toBe("v3");
  for (const host of hosts) expect((await get(`http://${host}/`)).status, host).toBe(302);
});

it("does not swap to a version with a corrupt group: a version read in the background is checked whole", async () => {
  const broken = hosts[7] as string;
  await publish("v4", -1, broken);
  await new Promise((r) => setTimeout(r, 1100));
  await version();
  await new Promise((r) => setTimeout(r, 300));
  expect(await version()).toBe("v3");
});
