/**
 * @module The KV key layout of a published table (docs/cli.md "KV key layout"), shared by the CLI that writes it and
 * the Worker that reads it (worker/table/load.ts): the small pointer `routes:current`, then the immutable index and
 * shards it names.
 */

/** The {@link Pointer} to the live version; the only key a publish overwrites (besides the history). */
export const CURRENT_KEY = "routes:current";
/** JSON array of the last published Pointers, newest first; its versions' table keys are kept for rollback. */
export const HISTORY_KEY = "routes:history";

/** The immutable TableIndex of a version. */
export function indexKey(version: string): string {
  return `routes:table:${version}`;
}

/** The immutable TableShard `shard` of a version. */
export function shardKey(version: string, shard: number): string {
  return `routes:table:${version}:${shard}`;
}

/** Every key of a version, index first (deleting it first means a half-deleted version is never rolled back to). */
export function versionKeys(version: string, shardCount: number): string[] {
  return [indexKey(version), ...Array.from({ length: shardCount }, (_, i) => shardKey(version, i))];
}
