/**
 * @module Reads what is published: the pointer, the history, and a version's index and shards. Values are
 * checked before use; a key holding something else is reported as such (never a crash on a bad value).
 */
import { parseShard } from "../../worker/core/index.ts";
import {
  isReadableSchema,
  READABLE_SCHEMAS,
  type Pointer,
  type RouteTable,
  type TableIndex,
  type TableShard,
} from "../../worker/core/index.ts";
import { UserError } from "./errors.ts";
import { CURRENT_KEY, HISTORY_KEY, indexKey, shardKey } from "../../worker/core/index.ts";
import type { KvStore } from "./kv.ts";

export interface LiveState {
  /** `null` when nothing was ever published. */
  pointer: Pointer | null;
  /** Newest first; `[]` when there is none. */
  history: Pointer[];
}

/** The pointer and history, in one wrangler call. */
export async function readLiveState(kv: KvStore): Promise<LiveState> {
  const values = await kv.getMany([CURRENT_KEY, HISTORY_KEY]);
  const current = values.get(CURRENT_KEY) ?? null;
  const history = values.get(HISTORY_KEY) ?? null;
  return {
    pointer: current === null ? null : checkPointer(parse(current, CURRENT_KEY), CURRENT_KEY),
    history: history === null ? [] : checkHistory(parse(history, HISTORY_KEY)),
  };
}

/** A version's index, or `null` when its key is gone. */
export async function readIndex(kv: KvStore, version: string): Promise<TableIndex | null> {
  const text = await kv.get(indexKey(version));
  return text === null ? null : checkIndex(parse(text, indexKey(version)), indexKey(version));
}

/** A version's index and some of its shards (a sparse array indexed by shard number). */
export interface VersionRead {
  index: TableIndex;
  shards: (TableShard | undefined)[];
}

/**
 * The index of the version `pointer` names and the shards numbered `shards`, in one wrangler call (the pointer
 * knows the shard count, so the shard keys are known before the index is read). explain reads only the shards of
 * one host and its wildcard suffix, whatever the size of the table; diff reads them all.
 */
export async function readVersion(kv: KvStore, pointer: Pointer, shards: readonly number[]): Promise<VersionRead> {
  const { version } = pointer;
  const wanted = [...new Set(shards)];
  // A pointer of an older CLI may lack shardHashes: its shards are at routes:table:<version>:<i>, which needs no hash.
  const values = await kv.getMany([indexKey(version), ...wanted.map((shard) => shardKey(version, pointer, shard))]);
  const indexText = values.get(indexKey(version)) ?? null;
  if (indexText === null)
    throw new UserError(`version ${version} has no index in KV (${indexKey(version)} is missing)`);
  const index = checkIndex(parse(indexText, indexKey(version)), indexKey(version));
  if (index.shardCount !== pointer.shardCount) {
    throw new UserError(
      `${indexKey(version)} has ${index.shardCount} shards but the pointer says ${pointer.shardCount}`,
    );
  }
  const result: (TableShard | undefined)[] = [];
  for (const shard of wanted) {
    const key = shardKey(version, index, shard);
    const text = values.get(key) ?? null;
    if (text === null) throw new UserError(`version ${version} is incomplete in KV: ${key} is missing`);
    // Published shards are compact; parseShard restores every field (the Worker reads them with the same code).
    const parsed = parseShard(text);
    if ("error" in parsed) throw new UserError(`KV key ${key} is not a shard of this table: ${parsed.error}`);
    result[shard] = parsed.shard;
  }
  return { index, shards: result };
}

/** The whole table of the version `pointer` names (diff). */
export async function readTable(kv: KvStore, pointer: Pointer): Promise<RouteTable> {
  const { index, shards } = await readVersion(
    kv,
    pointer,
    Array.from({ length: pointer.shardCount }, (_, i) => i),
  );
  return { index, shards: shards as TableShard[] };
}

function parse(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`KV key ${key} does not hold JSON; was it written by something other than \`routes push\`?`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkPointer(value: unknown, key: string): Pointer {
  const ok =
    isRecord(value) &&
    typeof value.version === "string" &&
    value.version !== "" &&
    typeof value.publishedAt === "string" &&
    typeof value.publishedBy === "string" &&
    ["routeCount", "hostCount", "shardCount"].every((field) => Number.isInteger(value[field]));
  if (!ok) throw new UserError(`KV key ${key} does not hold a pointer {version, publishedAt, publishedBy, counts}`);
  return value as unknown as Pointer;
}

function checkHistory(value: unknown): Pointer[] {
  if (!Array.isArray(value)) throw new UserError(`KV key ${HISTORY_KEY} does not hold a JSON array of pointers`);
  return value.map((entry, index) => checkPointer(entry, `${HISTORY_KEY}[${index}]`));
}

function checkIndex(value: unknown, key: string): TableIndex {
  if (!isRecord(value) || !isReadableSchema(value.schema) || !Number.isInteger(value.shardCount)) {
    throw new UserError(
      `KV key ${key} is not an index of schema ${READABLE_SCHEMAS.join(" or ")} (the schemas this CLI reads)`,
    );
  }
  return value as unknown as TableIndex;
}
