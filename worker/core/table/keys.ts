/**
 * @module The KV key layout of a published table (docs/route-table.md "Keys in KV"), shared by the CLI that writes
 * it and the Worker that reads it (worker/table/load.ts): the small pointer `routes:current`, then the immutable
 * index and shards it names.
 *
 * Shards are content-addressed (`routes:shard:<hash>`): a version whose shard has the same bytes as one already in
 * KV names that key instead of writing it again, so a push that changes one route writes one shard, and a Worker
 * that already holds a shard of the old version keeps it. Tables published before that (no `layout` in the index
 * and pointer) keep their shards at `routes:table:<version>:<i>`; both are read.
 */
import type { ShardLayout } from "./types.ts";

/** The {@link Pointer} to the live version; the only key a publish overwrites (besides the history). */
export const CURRENT_KEY = "routes:current";
/** JSON array of the last published Pointers, newest first; its versions' table keys are kept for rollback. */
export const HISTORY_KEY = "routes:history";
/** Every index (`routes:table:<version>`) and every shard of the first layout starts with this. */
export const TABLE_KEY_PREFIX = "routes:table:";
/** Every content-addressed shard starts with this. */
export const SHARD_KEY_PREFIX = "routes:shard:";

/** The immutable TableIndex of a version. */
export function indexKey(version: string): string {
  return `${TABLE_KEY_PREFIX}${version}`;
}

/** What a key of a shard depends on: the version, and the index's (or pointer's) layout and shard hashes. */
export interface ShardKeySource {
  layout?: ShardLayout;
  shardHashes?: readonly string[];
}

/**
 * The key of shard `shard` of `version`: `routes:shard:<hash>` in the content-addressed layout, else the first
 * layout's `routes:table:<version>:<shard>`.
 * @example shardKey("v1", { layout: "content", shardHashes: ["ab12"] }, 0) === "routes:shard:ab12"
 * @example shardKey("v1", {}, 2) === "routes:table:v1:2"
 */
export function shardKey(version: string, table: ShardKeySource, shard: number): string {
  const hash = table.shardHashes?.[shard];
  if (table.layout === "content" && hash !== undefined) return `${SHARD_KEY_PREFIX}${hash}`;
  return `${TABLE_KEY_PREFIX}${version}:${shard}`;
}

/**
 * Every key a version uses, index first (deleting it first means a half-deleted version is never rolled back to).
 * Content-addressed shards may be shared with other versions: collect the keys of the versions kept before
 * deleting any (scripts/lib/publish.ts).
 */
export function versionKeys(version: string, table: ShardKeySource & { shardCount: number }): string[] {
  return [indexKey(version), ...Array.from({ length: table.shardCount }, (_, i) => shardKey(version, table, i))];
}
