/**
 * @module The only module that reads the route table from KV, and the isolate's cache of it.
 *
 * Layout (worker/core/table/keys.ts, written by `routes push`): `routes:current` → Pointer; `routes:table:<version>` →
 * TableIndex; shard `i` at `routes:shard:<hash i>` (content-addressed), or `routes:table:<version>:<i>` in tables
 * published before that. Shards are immutable, so shards of one version can be read at different times and still
 * form one table, and a shard with the same hash in the next version is the same bytes: it stays in memory.
 * - Cold isolate: the request reads the pointer (which carries what the Worker needs of the index) and only the
 *   shards its host needs, and answers; the remaining shards are read in `waitUntil` so the next requests are warm.
 * - Warm: no KV read. Every ROUTES_REFRESH_SECONDS the pointer is re-read in `waitUntil`; a new version is read
 *   whole before it replaces the old one (tables of more than {@link PREFETCH_SHARDS} shards: index first, shards on
 *   first use), so a request never sees half a table. Only shards whose hash the old version did not have are
 *   read and parsed; the others are carried over. A missing or corrupt version keeps the last good one.
 * - Every shard read is checked against the content hash the index (or pointer) recorded at publish time.
 */
import {
  contentHashOf,
  CURRENT_KEY,
  indexKey,
  isReadableSchema,
  openShard,
  READABLE_SCHEMAS,
  ShardLookup,
  shardKey,
  shardsForHost,
} from "../core/index.ts";
import type { CompiledRoute, Pointer, ShardCheck, ShardReader, TableIndex } from "../core/index.ts";
import { configOf, type Env } from "../env.ts";
import { logEvent } from "../answers.ts";

/**
 * Tables of up to this many shards (SHARD_TARGET_BYTES, 64 KiB, each: 16 MiB) are held whole; larger ones keep only
 * the shards in use.
 */
const PREFETCH_SHARDS = 256;
/** KV edge-cache TTL for immutable values (a version never changes) and for the pointer (KV's minimum). */
const IMMUTABLE_TTL = 86_400;
const POINTER_TTL = 30;

/** A table version in service: its index, the shards read so far, and the lookup over them. */
export class LiveTable {
  readonly version: string;
  readonly index: TableIndex;
  readonly lookup = new ShardLookup();
  private readonly loaded: boolean[];
  /** The shards in memory by content hash: what the next version can take over without reading KV. */
  private readonly readers = new Map<string, ShardReader>();
  private missing: number;
  private prefetching = false;

  /** `previous`: the version in service until now; its shards with a hash this version also has are taken over. */
  constructor(version: string, index: TableIndex, previous?: LiveTable) {
    this.version = version;
    this.index = index;
    this.loaded = new Array<boolean>(index.shardCount).fill(false);
    this.missing = index.shardCount;
    if (previous === undefined) return;
    index.shardHashes.forEach((hash, shard) => {
      const reader = previous.readers.get(hash);
      if (reader !== undefined) this.add(shard, hash, reader);
    });
  }

  /** Whether every shard is in memory (then `prepare` has nothing to do). */
  get complete(): boolean {
    return this.missing === 0;
  }

  /** How many shards are in memory (the rest are read on first use or by the prefetch). */
  get shardsLoaded(): number {
    return this.index.shardCount - this.missing;
  }

  /**
   * Make sure the shards that can serve `host` are in memory (its own, its wildcard suffixes' and the catch-all's:
   * `shardsForHost`), read side by side. Once every shard is in, this is a single comparison.
   */
  async prepare(host: string, kv: KVNamespace): Promise<void> {
    if (this.missing === 0) return;
    await Promise.all(shardsForHost(host, this.index).map((shard) => this.load(kv, shard, "lazy")));
  }

  /**
   * After a cold request has been answered: read the shards still missing in the background, yielding between
   * shards so the response being streamed is not held up by parsing. At most one prefetch runs per table.
   */
  prefetch(kv: KVNamespace, waitUntil: (p: Promise<unknown>) => void): void {
    if (this.missing === 0 || this.prefetching || this.index.shardCount > PREFETCH_SHARDS) return;
    this.prefetching = true;
    const work = this.loadAll(kv, true).catch((error: unknown) => {
      // A request that needs a broken shard gets a 503 itself; the rest of the table keeps serving.
      const reason = error instanceof Error ? error.message : String(error);
      logEvent("error", "shard-prefetch-failed", { version: this.version, reason });
    });
    waitUntil(work.finally(() => (this.prefetching = false)));
  }

  /** Read every shard not yet in memory; `yieldFirst`: let other work run before each shard. */
  async loadAll(kv: KVNamespace, yieldFirst = false): Promise<void> {
    for (let shard = 0; shard < this.index.shardCount; shard++) {
      if (this.loaded[shard]) continue;
      if (yieldFirst) await new Promise((resolve) => setTimeout(resolve, 0));
      await this.load(kv, shard, "whole");
    }
  }

  /**
   * `check`: a request waiting for the shard checks only the hosts it restores (`lazy`); the background reads, and
   * so every version swapped in, check the whole shard first.
   */
  private async load(kv: KVNamespace, shard: number, check: ShardCheck): Promise<void> {
    if (this.loaded[shard]) return;
    const hash = this.index.shardHashes[shard] as string;
    const reader = await readShard(kv, this.version, this.index, shard, hash, check);
    // Another request may have read the same shard meanwhile: add it once.
    if (this.loaded[shard]) return;
    this.add(shard, hash, reader);
  }

  private add(shard: number, hash: string, reader: ShardReader): void {
    this.loaded[shard] = true;
    this.missing--;
    this.readers.set(hash, reader);
    this.lookup.add(reader);
  }
}

/** Why the gateway has no table to serve with (logged, and shown on the cold 503 page). */
export class TableUnavailable extends Error {
  override name = "TableUnavailable";
}

/** The isolate's table state. One instance per isolate (module scope in worker/index.ts). */
export class TableCache {
  private live: LiveTable | undefined;
  private checkedAt = 0;
  private refreshing = false;

  /**
   * The table to route with. Cold: read the pointer and index now (the request waits). Warm: return the cached
   * table at once and, when the refresh interval has passed, re-check the pointer in `waitUntil`.
   */
  async get(env: Env, waitUntil: (p: Promise<unknown>) => void): Promise<LiveTable> {
    const warm = this.warm(env, waitUntil);
    if (warm !== undefined) return warm;
    await this.refresh(env, false);
    if (!this.live) throw new TableUnavailable("no route table has been published (routes:current is missing)");
    return this.live;
  }

  /**
   * {@link get} without a promise when the isolate already has a table (the request path's warm case: no await, so
   * no extra turn of the microtask queue), else undefined.
   */
  warm(env: Env, waitUntil: (p: Promise<unknown>) => void): LiveTable | undefined {
    if (!this.live) return undefined;
    if (!this.refreshing && Date.now() - this.checkedAt >= configOf(env).refreshMs) {
      this.refreshing = true;
      waitUntil(this.refresh(env, true).finally(() => (this.refreshing = false)));
    }
    return this.live;
  }

  /**
   * Read the pointer and, if it names a new version, read that version (`whole`: every shard, for a swap in the
   * background) and swap it in. Any failure keeps the last good table in service and logs why; on a cold isolate
   * it surfaces as TableUnavailable.
   */
  private async refresh(env: Env, whole: boolean): Promise<void> {
    try {
      const pointer = await env.ROUTES.get<Pointer>(CURRENT_KEY, { type: "json", cacheTtl: POINTER_TTL });
      this.checkedAt = Date.now();
      if (!pointer) return;
      if (typeof pointer.version !== "string") throw new TableUnavailable("routes:current holds no version");
      if (this.live?.version === pointer.version) return;
      const table = await readTable(env.ROUTES, pointer, this.live);
      const kept = table.shardsLoaded;
      if (whole && table.index.shardCount <= PREFETCH_SHARDS) await table.loadAll(env.ROUTES, true);
      this.live = table;
      logEvent("info", "table-loaded", {
        version: pointer.version,
        routes: table.index.routeCount,
        shards: table.index.shardCount,
        shardsRead: table.shardsLoaded - kept,
        shardsKept: kept,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logEvent("error", "table-load-failed", { reason, serving: this.live?.version ?? null });
      if (!this.live) throw new TableUnavailable(reason);
    }
  }
}

/**
 * The version the pointer names. Its schema, shard count, not-found status, shard hashes and layout come from the
 * pointer itself when it carries them (one KV read less for a cold isolate), else from the version's index.
 * `previous`: the version in service, whose shards this one shares are carried over.
 */
async function readTable(kv: KVNamespace, pointer: Pointer, previous: LiveTable | undefined): Promise<LiveTable> {
  const { version } = pointer;
  const fromPointer =
    isReadableSchema(pointer.schema) &&
    (pointer.notFound === 503 || pointer.notFound === 404) &&
    validHashes(pointer.shardHashes, pointer.shardCount);
  const index: TableIndex | null = fromPointer
    ? {
        schema: pointer.schema,
        shardCount: pointer.shardCount,
        routeCount: pointer.routeCount,
        hostCount: pointer.hostCount,
        notFound: pointer.notFound,
        shardHashes: pointer.shardHashes as string[],
        // A pointer without `layout` (an older CLI) names shards at routes:table:<version>:<i>.
        ...(pointer.layout === undefined ? {} : { layout: pointer.layout }),
        // Without these (an older CLI, or values that do not parse) a cold request reads every suffix's shard.
        ...(Array.isArray(pointer.wildcardLabels) && pointer.wildcardLabels.every(Number.isInteger)
          ? { wildcardLabels: pointer.wildcardLabels }
          : {}),
        ...(typeof pointer.catchAll === "boolean" ? { catchAll: pointer.catchAll } : {}),
        // A filter that does not decode is read as "may hold" (worker/core/table/filter.ts).
        ...(typeof pointer.wildcardFilter === "object" && pointer.wildcardFilter !== null
          ? { wildcardFilter: pointer.wildcardFilter }
          : {}),
      }
    : await kv.get<TableIndex>(indexKey(version), { type: "json", cacheTtl: IMMUTABLE_TTL });
  if (!index) throw new TableUnavailable(`table ${version} named by routes:current is missing`);
  // A table of a newer CLI is refused (the last good table keeps serving); the previous schema is still read.
  if (!isReadableSchema(index.schema)) {
    throw new TableUnavailable(
      `table ${version} has schema ${String(index.schema)}; this Worker reads ${READABLE_SCHEMAS.join(" and ")}`,
    );
  }
  if (!Number.isInteger(index.shardCount) || index.shardCount < 1) {
    throw new TableUnavailable(`table ${version} has an invalid shardCount`);
  }
  if (!validHashes(index.shardHashes, index.shardCount)) {
    throw new TableUnavailable(`table ${version} has no valid shardHashes, so its shards cannot be checked`);
  }
  if (index.layout !== undefined && index.layout !== "content") {
    throw new TableUnavailable(
      `table ${version} has shard layout ${String(index.layout)}; this Worker reads "content"`,
    );
  }
  return new LiveTable(version, index, previous);
}

function validHashes(hashes: unknown, shardCount: number): boolean {
  return Array.isArray(hashes) && hashes.length === shardCount && hashes.every((h) => typeof h === "string");
}

async function readShard(
  kv: KVNamespace,
  version: string,
  index: TableIndex,
  shard: number,
  expected: string,
  check: ShardCheck,
): Promise<ShardReader> {
  const text = await kv.get(shardKey(version, index, shard), { type: "text", cacheTtl: IMMUTABLE_TTL });
  if (text === null) throw new TableUnavailable(`shard ${shard} of table ${version} is missing`);
  // The table is what was published: a shard whose bytes differ from the hash the index (and pointer) recorded
  // was changed or damaged after publishing, so it is not used. Hashing happens once per shard read, never warm.
  const actual = contentHashOf(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  if (actual !== expected) {
    throw new TableUnavailable(
      `shard ${shard} of table ${version} does not match its published hash (expected ${expected}, read ${actual})`,
    );
  }
  // The same reader as the CLI's: it checks the schema and restores routes (per host, on first use).
  const opened = openShard(text, "light", check);
  if ("error" in opened) throw new TableUnavailable(`shard ${shard} of table ${version} is corrupt: ${opened.error}`);
  return rememberingReader(opened.reader);
}

/**
 * A reader that answers every key again with the same routes. A published shard's reader answers each key once and
 * releases its JSON (worker/core/table/codec.ts `openShard`); a shard carried over to the next version is indexed
 * again by that version's lookup, which must get the same routes, not an empty list.
 */
function rememberingReader(reader: ShardReader): ShardReader {
  const answered = {
    hosts: new Map<string, readonly CompiledRoute[]>(),
    wildcards: new Map<string, readonly CompiledRoute[]>(),
  };
  return {
    hostKeys: reader.hostKeys,
    wildcardKeys: reader.wildcardKeys,
    routes(group, key) {
      let routes = answered[group].get(key);
      if (routes === undefined) {
        routes = reader.routes(group, key);
        answered[group].set(key, routes);
      }
      return routes;
    },
  };
}
