/**
 * @module Which wildcard suffixes a table holds, as a Bloom filter (https://en.wikipedia.org/wiki/Bloom_filter) in
 * the index and the pointer. A cold isolate reads the shard of a request host's wildcard suffix only when the filter
 * says the suffix may hold wildcard routes (./index.ts `shardsForHost`): without it, a host such as
 * `web.team.apps.example.com` makes the first request read the shard of `apps.example.com` as well as its own
 * whenever the table has any wildcard of three labels. A false positive costs one shard read; a false negative is
 * impossible, so routing never depends on the filter (every shard is read in the background anyway).
 *
 * Positions: Kirsch–Mitzenmacher double hashing, g_i = h1 + i·h2 mod m, from two FNV-1a hashes
 * (https://www.eecs.harvard.edu/~michaelm/postscripts/rsa2008.pdf). Both the CLI and the Worker compute them here.
 */
import { fnv1a } from "../hash.ts";
import type { WildcardFilter } from "./types.ts";

/** About 1% false positives up to {@link MAX_FILTER_BYTES}; beyond it the rate grows, never the pointer. */
const BITS_PER_KEY = 10;
/** The filter travels in the pointer (as hex, so at most 16 KB of text), which every isolate re-reads every ROUTES_REFRESH_SECONDS. */
const MAX_FILTER_BYTES = 8 * 1024;

/** The filter of `suffixes` (the table's wildcard keys), or undefined for none. */
export function buildWildcardFilter(suffixes: readonly string[]): WildcardFilter | undefined {
  if (suffixes.length === 0) return undefined;
  const bytes = Math.min(MAX_FILTER_BYTES, Math.ceil((suffixes.length * BITS_PER_KEY) / 8));
  const array = new Uint8Array(bytes);
  // k = (m/n)·ln 2 minimises false positives for m bits and n keys.
  const hashes = Math.max(1, Math.min(16, Math.round(((bytes * 8) / suffixes.length) * Math.LN2)));
  for (const suffix of suffixes) {
    const [h1, h2] = hashPair(suffix);
    for (let i = 0; i < hashes; i++) {
      const bit = position(h1, h2, i, bytes * 8);
      array[bit >> 3] = (array[bit >> 3] as number) | (1 << (bit & 7));
    }
  }
  let hex = "";
  for (const byte of array) hex += byte.toString(16).padStart(2, "0");
  return { hashes, bits: hex };
}

/** Decoded bit arrays, once per published filter object (a table's index is parsed once per version). */
const decoded = new WeakMap<WildcardFilter, Uint8Array | null>();

/** Whether `suffix` may hold wildcard routes; true also for a filter that does not decode (read as before). */
export function mayHoldWildcard(filter: WildcardFilter, suffix: string): boolean {
  let array = decoded.get(filter);
  if (array === undefined) {
    array = decode(filter);
    decoded.set(filter, array);
  }
  if (array === null) return true;
  const [h1, h2] = hashPair(suffix);
  for (let i = 0; i < filter.hashes; i++) {
    const bit = position(h1, h2, i, array.length * 8);
    if (((array[bit >> 3] as number) & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

function decode(filter: WildcardFilter): Uint8Array | null {
  if (!Number.isInteger(filter.hashes) || filter.hashes < 1 || filter.hashes > 16) return null;
  const { bits } = filter;
  if (typeof bits !== "string" || bits.length === 0 || bits.length % 2 !== 0 || !/^[0-9a-f]+$/.test(bits)) return null;
  const array = new Uint8Array(bits.length / 2);
  for (let i = 0; i < array.length; i++) array[i] = Number.parseInt(bits.slice(2 * i, 2 * i + 2), 16);
  return array;
}

function hashPair(key: string): [number, number] {
  // The second hash: FNV-1a of the key behind a separator byte; odd, so its multiples differ.
  return [fnv1a(key), fnv1a(`\u0000${key}`) | 1];
}

function position(h1: number, h2: number, i: number, bits: number): number {
  return ((h1 + Math.imul(i, h2)) >>> 0) % bits;
}
