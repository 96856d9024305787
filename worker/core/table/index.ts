/**
 * @module The published route table's format, in one place: the KV keys, the pointer, index and shard encoding
 * (contract and schema in ./types.ts, `TABLE_SCHEMA`, documented in docs/route-table.md), the compact route form and
 * the defaults it leaves out, and which shards serve a host. The routes CLI writes with it, the Worker and
 * `routes explain` read with it.
 */
import { CATCH_ALL_HOST, labelCount, wildcardSuffix } from "../host.ts";
import { mayHoldWildcard } from "./filter.ts";
import { shardOf } from "./shard.ts";
import type { ShardReach } from "./types.ts";

export {
  canonicalJson,
  CorruptShard,
  openShard,
  parseShard,
  SHARD_TARGET_BYTES,
  serializeTable,
  utf8Length,
} from "./codec.ts";
export type { SerializedTable, ShardCheck } from "./codec.ts";
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
export { buildWildcardFilter, mayHoldWildcard } from "./filter.ts";
export { shardOf } from "./shard.ts";
export * from "./types.ts";

/**
 * The shards that can serve `host`: its own, those of its wildcard suffixes (a wildcard route is stored under the
 * suffix; Gateway API wildcards cover several labels, worker/core/match.ts) of the label counts the table has
 * wildcards for, and the catch-all's when it has one (`reach`: the index or pointer; a table without those fields
 * gets every suffix and the catch-all). Deduplicated; the host's own shard first. A cold request reads only these.
 * @example shardsForHost("a.shop.example.com", { shardCount: 4, wildcardLabels: [3], catchAll: false })
 *   // own, "shop.example.com" (deduplicated)
 */
export function shardsForHost(host: string, reach: ShardReach): number[] {
  const { shardCount, wildcardLabels, catchAll, wildcardFilter } = reach;
  const out = [shardOf(host, shardCount)];
  const add = (key: string): void => {
    const shard = shardOf(key, shardCount);
    if (!out.includes(shard)) out.push(shard);
  };
  let labels = labelCount(host);
  for (let suffix = wildcardSuffix(host); suffix !== null; suffix = wildcardSuffix(suffix)) {
    labels--;
    if (wildcardLabels !== undefined && !wildcardLabels.includes(labels)) continue;
    if (wildcardFilter === undefined || mayHoldWildcard(wildcardFilter, suffix)) add(suffix);
  }
  if (catchAll !== false) add(CATCH_ALL_HOST);
  return out;
}
