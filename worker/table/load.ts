/**
 * @module The only module that reads the route table from KV, and the isolate's cache of it.
 *
 * Layout (worker/core/keys.ts, written by `routes push`): `routes:current` → Pointer; `routes:table:<version>` →
 * TableIndex; `routes:table:<version>:<i>` → TableShard. Versions are immutable, so a table is swapped in whole: a new
 * version is read completely (small tables) or shard by shard under its own version (large tables), and only then
 * used; the pointer is re-read in the background every ROUTES_REFRESH_SECONDS, so a warm request never waits on KV.
 */
import { CURRENT_KEY, indexKey, ShardLookup, shardKey, shardOf, TABLE_SCHEMA, wildcardSuffix } from "../core/index.ts";
import type { Pointer, RouteLookup, TableIndex, TableShard } from "../core/index.ts";
import { parseShard } from "../core/compile/serialize.ts";
import type { Env } from "../env.ts";


/** Tables with at most this many shards are read whole when they are swapped in; larger ones shard by shard. */
const EAGER_SHARDS = 4;
/** KV edge-cache TTL for immutable values (a version never changes) and for the pointer (KV's minimum). */
const IMMUTABLE_TTL = 86_400;
const POINTER_TTL = 30;
const DEFAULT_REFRESH_SECONDS = 30;

/** A table version in service: its index, the shards read so far, and the lookup over them. */
export class LiveTable {
  readonly version: string;
  readonly index: TableIndex;
  readonly lookup: RouteLookup;
  private readonly shards: (TableShard | undefined)[];

  constructor(version: string, index: TableIndex, shards: (TableShard | undefined)[]) {
    this.version = version;
    this.index = index;
    this.shards = shards;
    this.lookup = new ShardLookup(index.shardCount, (shard) => this.shards[shard]);
  }

  /** Make sure the shards that can serve `host` are in memory (a KV read only the first time a shard is needed). */
  async prepare(host: string, kv: KVNamespace): Promise<void> {
    const suffix = wildcardSuffix(host);
    const wanted = [shardOf(host, this.index.shardCount)];
    if (suffix !== null) wanted.push(shardOf(suffix, this.index.shardCount));
    for (const shard of wanted) {
      if (this.shards[shard]) continue;
      this.shards[shard] = await readShard(kv, this.version, shard);
    }
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
   * The table to route with. Cold: read it now (the request waits). Warm: return the cached table at once and,
   * when the refresh interval has passed, re-check the pointer in `waitUntil`.
   */
  async get(env: Env, waitUntil: (p: Promise<unknown>) => void): Promise<LiveTable> {
    if (!this.live) {
      await this.refresh(env);
      if (!this.live) throw new TableUnavailable("no route table has been published (routes:current is missing)");
      return this.live;
    }
    if (!this.refreshing && Date.now() - this.checkedAt >= refreshMs(env)) {
      this.refreshing = true;
      waitUntil(this.refresh(env).finally(() => (this.refreshing = false)));
    }
    return this.live;
  }

  /**
   * Read the pointer and, if it names a new version, read that version and swap it in. Any failure keeps the last
   * good table in service and logs why; on a cold isolate it surfaces as TableUnavailable.
   */
  private async refresh(env: Env): Promise<void> {
    try {
      const pointer = await env.ROUTES.get<Pointer>(CURRENT_KEY, { type: "json", cacheTtl: POINTER_TTL });
      this.checkedAt = Date.now();
      if (!pointer) return;
      if (typeof pointer.version !== "string") throw new TableUnavailable("routes:current holds no version");
      if (this.live?.version === pointer.version) return;
      this.live = await readTable(env.ROUTES, pointer.version);
      console.log(JSON.stringify({ event: "table-loaded", version: pointer.version, routes: this.live.index.routeCount }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(JSON.stringify({ event: "table-load-failed", reason, serving: this.live?.version ?? null }));
      if (!this.live) throw new TableUnavailable(reason);
    }
  }
}

async function readTable(kv: KVNamespace, version: string): Promise<LiveTable> {
  const index = await kv.get<TableIndex>(indexKey(version), { type: "json", cacheTtl: IMMUTABLE_TTL });
  if (!index) throw new TableUnavailable(`table ${version} named by routes:current is missing`);
  if (index.schema !== TABLE_SCHEMA) {
    throw new TableUnavailable(`table ${version} has schema ${String(index.schema)}; this Worker reads ${TABLE_SCHEMA}`);
  }
  if (!Number.isInteger(index.shardCount) || index.shardCount < 1) {
    throw new TableUnavailable(`table ${version} has an invalid shardCount`);
  }
  const shards: (TableShard | undefined)[] = new Array(index.shardCount).fill(undefined);
  if (index.shardCount <= EAGER_SHARDS) {
    for (let i = 0; i < index.shardCount; i++) shards[i] = await readShard(kv, version, i);
  }
  return new LiveTable(version, index, shards);
}

async function readShard(kv: KVNamespace, version: string, shard: number): Promise<TableShard> {
  const text = await kv.get(shardKey(version, shard), { type: "text", cacheTtl: IMMUTABLE_TTL });
  if (text === null) throw new TableUnavailable(`shard ${shard} of table ${version} is missing`);
  // The same reader as the CLI's: it checks the schema and restores the fields the compact form omits.
  const parsed = parseShard(text);
  if ("error" in parsed) throw new TableUnavailable(`shard ${shard} of table ${version} is corrupt: ${parsed.error}`);
  return parsed.shard;
}

function refreshMs(env: Env): number {
  const seconds = Number(env.ROUTES_REFRESH_SECONDS ?? DEFAULT_REFRESH_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_REFRESH_SECONDS) * 1000;
}
