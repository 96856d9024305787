/**
 * @module Which shard of a table holds a host. The CLI uses it to split a large table, the Worker to find the
 * one shard a request needs; both must agree, so there is exactly one implementation.
 */
import { fnv1a } from "../hash.ts";

/**
 * The shard of an exact host, or of a wildcard's suffix.
 * @example shardOf("shop.example.com", 1) === 0
 */
export function shardOf(hostKey: string, shardCount: number): number {
  return shardCount <= 1 ? 0 : fnv1a(hostKey) % shardCount;
}
