/**
 * @module The published route table's format, in one place: the KV keys, the pointer, index and shard encoding
 * (contract and schema in ./types.ts, `TABLE_SCHEMA`, documented in docs/route-table.md), the compact route form and
 * the defaults it leaves out, and which shards serve a host. The routes CLI writes with it, the Worker and
 * `routes explain` read with it.
 */
import { CATCH_ALL_HOST, wildcardSuffix } from "../host.ts";
import { shardOf } from "./shard.ts";

export { canonicalJson, openShard, parseShard, SHARD_TARGET_BYTES, serializeTable, utf8Length } from "./codec.ts";
export type { SerializedTable } from "./codec.ts";
export {
  CURRENT_KEY,
  HISTORY_KEY,
  indexKey,
  SHARD_KEY_PREFIX,
  type ShardKeySource,
  shardKey,
  TABLE_KEY_PREFIX,
  versionKeys,
} from "./keys.ts";
export { type ShardReader, shardReader } from "./reader.ts";
export { compactRoute, restoreRoute } from "./route-json.ts";
export { shardOf } from "./shard.ts";
export * from "./types.ts";

/**
 * The shards that can serve `host`: its own, each of its wildcard suffixes' (a wildcard route is stored under the
 * suffix; Gateway API wildcards cover several labels, worker/core/match.ts) and the catch-all's. Deduplicated;
 * the host's own shard first.
 * @example shardsForHost("a.shop.example.com", 4) // own, "shop.example.com", "example.com", "com", "*" (deduplicated)
 */
export function shardsForHost(host: string, shardCount: number): number[] {
  const out = [shardOf(host, shardCount)];
  const add = (key: string): void => {
    const shard = shardOf(key, shardCount);
    if (!out.includes(shard)) out.push(shard);
  };
  for (let suffix = wildcardSuffix(host); suffix !== null; suffix = wildcardSuffix(suffix)) add(suffix);
  add(CATCH_ALL_HOST);
  return out;
}
