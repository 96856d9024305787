/**
 * @module The answers of token-check servers, remembered so a busy route does not call the cluster (or the
 * introspection endpoint) on every request: a per-isolate map in front of the Cache API, which shares answers
 * between the isolates of one Cloudflare location
 * (https://developers.cloudflare.com/workers/runtime-apis/cache/). A warm hit costs one SHA-256 and a map lookup.
 *
 * Keys are a SHA-256 of the server, the gateway's credential name and the token: the token itself is never a key,
 * never stored and never logged. Every entry carries the instant it stops being valid (`until`), checked on every
 * read, so neither layer can serve an answer longer than the route allows, whatever the Cache API keeps.
 */
import type { TokenCheck } from "../core/index.ts";

/** What the server said about a token (the identity is kept, so each route applies its own requirements). */
export type Verdict =
  | {
      active: true;
      user: string;
      groups: string[];
      scopes: string[];
      audience: string[];
      /** The token's `exp` in ms since the epoch, when the server gave one. */
      expiresAt: number | null;
    }
  | { active: false; reason: string };

export interface CachedVerdict {
  verdict: Verdict;
  /** ms since the epoch after which this answer must be asked for again. */
  until: number;
}

/** Entries per isolate; beyond this the oldest entry is dropped (Map iteration order is insertion order). */
const ISOLATE_ENTRIES = 10_000;
/**
 * Cache API keys are URLs; this host is never fetched. `.invalid` is reserved and can never resolve
 * (https://www.rfc-editor.org/rfc/rfc2606#section-2), so a cached entry can never collide with a real page.
 */
const CACHE_ORIGIN = "https://token-check.edgeroute.invalid/";

/** A named cache of its own, so these entries never mix with cached pages of the zone. */
const CACHE_NAME = "edgeroute-token-check";

const isolate = new Map<string, CachedVerdict>();

/** The cache key of a token for one server and credential: hex SHA-256, never the token. */
export async function verdictKey(check: TokenCheck, token: string): Promise<string> {
  const input = new TextEncoder().encode(`${check.kind}\n${check.url}\n${check.secret ?? ""}\n${token}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The location's shared layer (exported for the tests, which read and write it directly). */
export function sharedCache(): Promise<Cache> {
  return caches.open(CACHE_NAME);
}

/** The Cache API request for a key (exported for the tests, which read and write the shared layer directly). */
export function cacheRequest(key: string): Request {
  return new Request(`${CACHE_ORIGIN}${key}`);
}

/** The remembered answer for `key`, if still valid at `now`: the isolate first, then the location's cache. */
export async function recall(key: string, now: number): Promise<Verdict | null> {
  const local = isolate.get(key);
  if (local !== undefined) {
    if (local.until > now) return local.verdict;
    isolate.delete(key);
  }
  let shared: CachedVerdict | null = null;
  try {
    const hit = await (await sharedCache()).match(cacheRequest(key));
    if (hit !== undefined) shared = parseEntry(await hit.text());
  } catch {
    // The Cache API is an optimisation: when it fails, the server is asked.
    return null;
  }
  if (shared === null || shared.until <= now) return null;
  keepInIsolate(key, shared);
  return shared.verdict;
}

/** Remember an answer in both layers; the shared write runs after the response (`waitUntil`). */
export function remember(
  key: string,
  entry: CachedVerdict,
  now: number,
  waitUntil: (promise: Promise<unknown>) => void,
): void {
  const seconds = Math.ceil((entry.until - now) / 1000);
  if (seconds <= 0) return;
  keepInIsolate(key, entry);
  const response = new Response(JSON.stringify(entry), {
    headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${seconds}` },
  });
  const write = async (): Promise<void> => (await sharedCache()).put(cacheRequest(key), response);
  waitUntil(write().catch(() => undefined));
}

function keepInIsolate(key: string, entry: CachedVerdict): void {
  isolate.delete(key);
  if (isolate.size >= ISOLATE_ENTRIES) {
    const oldest = isolate.keys().next();
    if (oldest.done !== true) isolate.delete(oldest.value);
  }
  isolate.set(key, entry);
}

/** An entry read back from the Cache API; anything else (another writer, a corrupt body) counts as a miss. */
function parseEntry(text: string): CachedVerdict | null {
  try {
    const entry = JSON.parse(text) as Partial<CachedVerdict>;
    if (typeof entry.until !== "number" || typeof entry.verdict?.active !== "boolean") return null;
    return entry as CachedVerdict;
  } catch {
    return null;
  }
}
