/**
 * A cold request checks only the part of a shard it restores (worker/core/table/codec.ts `ShardCheck`): a group
 * that does not resolve makes its own host answer 503 (no table), not the other hosts of the shard. Its own file,
 * so that the isolate is cold when the first request arrives.
 */
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { shardOf } from "../../worker/core/table/shard.ts";
import { TABLE_SCHEMA } from "../../worker/core/table/types.ts";
import type { CompiledRoute, Pointer } from "../../worker/core/table/types.ts";
import { publishedHash, route, shardsOf } from "../support/route-builder.ts";

const kv = (env as unknown as { ROUTES: KVNamespace }).ROUTES;
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
const SHARDS = 2;
const hosts = Array.from({ length: 12 }, (_, i) => `h${i}.example.com`);
const routes: CompiledRoute[] = hosts.map((host, i) =>
  route({ id: `ns${i}/r`, host, tls: { termination: "edge", insecure: "Redirect" } }),
);
const get = (url: string) => worker.fetch(new Request(url, { redirect: "manual" }));

it("serves the other hosts of a shard whose group for one host does not resolve, and that host with 503", async () => {
  const broken = hosts[0] as string;
  const shard = shardOf(broken, SHARDS);
  const neighbour = hosts.find((h) => h !== broken && shardOf(h, SHARDS) === shard) as string;
  const texts = shardsOf(routes, SHARDS).map((s, i) =>
    JSON.stringify(i === shard ? { ...s, hosts: { ...s.hosts, [broken]: "not a list" } } : s),
  );
  const shardHashes = await Promise.all(texts.map(publishedHash));
  for (const [i, text] of texts.entries()) await kv.put(`routes:shard:${shardHashes[i]}`, text);
  const pointer: Pointer = {
    version: "lazy",
    schema: TABLE_SCHEMA,
    notFound: 503,
    publishedAt: "2026-12-07T00:00:00Z",
    publishedBy: "test",
    routeCount: routes.length,
    hostCount: hosts.length,
    shardCount: SHARDS,
    shardHashes,
    layout: "content",
    wildcardLabels: [],
    catchAll: false,
  };
  await kv.put("routes:current", JSON.stringify(pointer));

  const first = await get(`http://${neighbour}/x`);
  expect(first.status).toBe(302);
  expect(first.headers.get("location")).toBe(`https://${neighbour}/x`);
  const failed = await get(`http://${broken}/x`);
  expect(failed.status).toBe(503);
  const page = await failed.text();
  expect(page).toContain("No route table can be read");
  expect(page).not.toContain("not a list");
  // The rest of the table keeps serving.
  for (const host of hosts.filter((h) => h !== broken)) expect((await get(`http://${host}/`)).status, host).toBe(302);
});
