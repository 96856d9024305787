/**
 * @module How the matcher reads one shard: by host key, with routes restored on demand. `openShard` (./codec.ts)
 * gives a reader over a published shard, `shardReader` one over a shard already in memory.
 */
import type { CompiledRoute, TableShard } from "./types.ts";

/** The routes of one shard by host key, restored on demand (a published shard is read with `openShard`). */
export interface ShardReader {
  /** Exact hosts in the shard. */
  readonly hostKeys: readonly string[];
  /** Wildcard suffixes in the shard. */
  readonly wildcardKeys: readonly string[];
  /**
   * The routes of a key listed above, most specific first. Asked once per key (`ShardLookup` (worker/core/match.ts) keeps the
   * answer), so a reader may release the key's data once it has answered.
   */
  routes(group: "hosts" | "wildcards", key: string): readonly CompiledRoute[];
}

/** A {@link ShardReader} over a TableShard already in memory (compile output, tests). */
export function shardReader(shard: TableShard): ShardReader {
  return {
    hostKeys: Object.keys(shard.hosts),
    wildcardKeys: Object.keys(shard.wildcards),
    routes: (group, key) => (Object.hasOwn(shard[group], key) ? (shard[group][key] ?? []) : []),
  };
}
