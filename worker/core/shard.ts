/**
 * @module Which shard of a table holds a host. The CLI uses it to split a large table, the Worker to find the
 * one shard a request needs; both must agree, so there is exactly one implementation.
 */

/**
 * FNV-1a (32-bit) of the host's UTF-16 code units, modulo the shard count.
 * @example shardOf("shop.example.com", 1) === 0
 */
export function shardOf(hostKey: string, shardCount: number): number {
  if (shardCount <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < hostKey.length; i++) {
    hash ^= hostKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}
