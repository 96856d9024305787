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

/** Whether each published filter's text is well formed, checked once per filter object (once per table version). */
const wellFormed = new WeakMap<WildcardFilter, boolean>();

/**
 * Whether `suffix` may hold wildcard routes; true also for a filter that is not well formed (read as before). The
 * bits are read from the hex text itself: a cold request asks for a few suffixes, so decoding up to 16 KB of hex
 * into bytes first would cost more than it saves.
 */
export function mayHoldWildcard(filter: WildcardFilter, suffix: string): boolean {
  let ok = wellFormed.get(filter);
  if (ok === undefined) {
    const { hashes, bits } = filter;
    ok =
      Number.isInteger(hashes) &&
      hashes >= 1 &&
      hashes <= 16 &&
      typeof bits === "string" &&
      bits.length > 0 &&
      bits.length % 2 === 0 &&
      /^[0-9a-f]+$/.test(bits);
    wellFormed.set(filter, ok);
  }
  if (!ok) return true;
  const [h1, h2] = hashPair(suffix);
  const size = filter.bits.length * 4;
  for (let i = 0; i < filter.hashes; i++) {
    const bit = position(h1, h2, i, size);
    // Byte k is hex digits 2k (high nibble) and 2k + 1 (low nibble); bit b of the byte is in the low nibble for b < 4.
    const within = bit & 7;
    const code = filter.bits.charCodeAt(2 * (bit >> 3) + (within < 4 ? 1 : 0));
    const nibble = code <= 57 ? code - 48 : code - 87;
    if ((nibble & (1 << (within & 3))) === 0) return false;
  }
  return true;
}

function hashPair(key: string): [number, number] {
  // The second hash: FNV-1a of the key behind a separator byte; odd, so its multiples differ.
  return [fnv1a(key), fnv1a(`\u0000${key}`) | 1];
}

function position(h1: number, h2: number, i: number, bits: number): number {
  return ((h1 + Math.imul(i, h2)) >>> 0) % bits;
}
