/**
 * @module Publishing a table atomically, and rolling back, with the versioned-blob-plus-pointer pattern
 * (docs/design-notes.md#workers): the immutable index and shards of a version are written first, shards before the
 * index; only when every one of them is written does the small pointer `routes:current` flip to the new version.
 * The history (`routes:history`) is written with the pointer, and the keys no kept version uses any more are then
 * deleted, so KV holds at most `keep` tables. A Worker therefore only ever sees a complete table, old or new.
 *
 * Shards are content-addressed (worker/core/table/keys.ts): a shard that a kept version already has is in KV and is
 * not written again, so a push that changes one route writes that route's shard and the index.
 * `routes gc` ({@link collectGarbage}) deletes whatever no kept version uses (left by an interrupted push, a
 * failed deletion, or a smaller `--keep`).
 */
import { createHash } from "node:crypto";
import { serializeTable } from "../../worker/core/index.ts";
import type { Pointer, RouteTable, TableIndex } from "../../worker/core/index.ts";
import { UserError, messageOf } from "./errors.ts";
import {
  CURRENT_KEY,
  contentHashOf,
  HISTORY_KEY,
  indexKey,
  SHARD_KEY_PREFIX,
  shardKey,
  TABLE_KEY_PREFIX,
  versionKeys,
} from "../../worker/core/index.ts";
import type { KvPair, KvStore } from "./kv.ts";
import { readIndex, readLiveState, type LiveState } from "./live-table.ts";

/**
 * At least 2: the version just replaced stays in KV, because Worker isolates keep serving it (and may still load
 * its shards) until they see the new pointer, up to a minute or more later (KV propagation, docs/design-notes.md#workers).
 */
export const MIN_KEEP = 2;
export const DEFAULT_KEEP = 5;

/** What a push will write. */
export interface PublishPlan {
  version: string;
  index: TableIndex;
  /** Shards first, the index last: an index in KV means its shards were written. */
  pairs: KvPair[];
  bytes: number;
}

export interface PublishMeta {
  publishedAt: string;
  publishedBy: string;
  /** History length, ≥ {@link MIN_KEEP}. */
  keep: number;
}

export type PublishOutcome =
  | { kind: "unchanged"; pointer: Pointer }
  | {
      kind: "published";
      pointer: Pointer;
      previous: Pointer | null;
      history: Pointer[];
      /** Table keys written (new shards, then the index); the pointer and history are written besides. */
      written: string[];
      /** Versions that fell out of the history; their keys were deleted unless `retireError` says otherwise. */
      retired: Pointer[];
      /** Keys deleted: those of the retired versions that no kept version shares. */
      deleted: string[];
      retireError?: string;
    };

/**
 * Content hash for version ids and shard hashes: the same table always gets the same version. SHA-256 cut to
 * 64 bits keeps ids short enough to read and type (`rollback --to`), with no realistic chance of a collision
 * among the few versions a namespace holds.
 * @example contentHash("") === "e3b0c44298fc1c14"
 */
export function contentHash(text: string): string {
  return contentHashOf(createHash("sha256").update(text).digest());
}

export function planPublish(table: RouteTable): PublishPlan {
  const serialized = serializeTable(table, contentHash);
  // The serialised index, not `table.index`: serializeTable re-shards, so only it knows the published shardCount.
  const index = JSON.parse(serialized.index) as TableIndex;
  const pairs: KvPair[] = [
    ...serialized.shards.map((value, shard) => ({ key: shardKey(serialized.version, index, shard), value })),
    { key: indexKey(serialized.version), value: serialized.index },
  ];
  const bytes = pairs.reduce((sum, pair) => sum + Buffer.byteLength(pair.value), 0);
  return { version: serialized.version, index, pairs, bytes };
}

/**
 * The keys of `plan` a push must write: every key the live version and the history do not already use. Their keys
 * are in KV (a version's keys are written before its pointer, and deleted only when no kept version uses them), and
 * a content-addressed key always holds the same bytes, so writing it again would change nothing.
 */
export function pairsToWrite(plan: PublishPlan, live: LiveState): KvPair[] {
  const present = keysUsedBy(liveVersions(live));
  return plan.pairs.filter((pair) => !present.has(pair.key));
}

/** Every key the versions use (indexes and shards, shared shards once). */
export function keysUsedBy(versions: readonly Pointer[]): Set<string> {
  return new Set(versions.flatMap((version) => versionKeys(version.version, version)));
}

function liveVersions(live: LiveState): Pointer[] {
  return live.pointer === null ? live.history : [live.pointer, ...live.history];
}

/**
 * Writes the table, then flips the pointer. `live` is what {@link readLiveState} returned just before.
 * Publishing the live version again writes nothing.
 */
export async function publish(
  kv: KvStore,
  plan: PublishPlan,
  meta: PublishMeta,
  live: LiveState,
  progress?: (written: number, total: number) => void,
): Promise<PublishOutcome> {
  if (live.pointer?.version === plan.version) return { kind: "unchanged", pointer: live.pointer };
  const writes = pairsToWrite(plan, live);
  await kv.putMany(writes, progress);
  return flip(
    kv,
    pointerFor(plan.version, plan.index, meta),
    live,
    meta.keep,
    writes.map((pair) => pair.key),
  );
}

/**
 * Points `routes:current` back at an earlier version: `to` (a version or a unique prefix of one in the history),
 * else the newest history entry that is not live. Like `kubectl rollout undo`, the restored version becomes the
 * newest history entry, so a second rollback returns to where the first one started.
 */
export async function rollback(kv: KvStore, to: string | undefined, meta: PublishMeta): Promise<PublishOutcome> {
  const live = await readLiveState(kv);
  if (live.pointer === null) throw new UserError(`nothing is published in ${kv.description}: push a table first`);
  const version = to === undefined ? previousVersion(live) : resolveVersion(to, live);
  if (version === live.pointer.version) return { kind: "unchanged", pointer: live.pointer };
  const index = await readIndex(kv, version);
  if (index === null) {
    throw new UserError(`version ${version} cannot be restored: its index ${indexKey(version)} is no longer in KV`);
  }
  return flip(kv, pointerFor(version, index, meta), live, meta.keep, []);
}

/**
 * The history after publishing `pointer`: newest first, one entry per version, at most `keep`.
 * @example keep 2, history [B, A], publish C → history [C, B], retired [A]
 */
export function nextHistory(
  pointer: Pointer,
  live: LiveState,
  keep: number,
): { history: Pointer[]; retired: Pointer[] } {
  const seen = new Set<string>();
  // The live pointer is listed too: a history lost or never written (older tool, failed write) heals itself.
  const all = [pointer, ...(live.pointer === null ? [] : [live.pointer]), ...live.history].filter((entry) => {
    if (seen.has(entry.version)) return false;
    seen.add(entry.version);
    return true;
  });
  return { history: all.slice(0, keep), retired: all.slice(keep) };
}

async function flip(
  kv: KvStore,
  pointer: Pointer,
  live: LiveState,
  keep: number,
  written: string[],
): Promise<PublishOutcome> {
  const { history, retired } = nextHistory(pointer, live, keep);
  // One call for both (KV allows about one write a second per key; each is written once per push). The pointer
  // is first; a history one entry behind heals on the next push (nextHistory lists the live pointer).
  await kv.putMany([
    { key: CURRENT_KEY, value: JSON.stringify(pointer) },
    { key: HISTORY_KEY, value: JSON.stringify(history) },
  ]);
  const used = keysUsedBy(history);
  const deleted = retiredKeys(retired, used);
  const outcome: PublishOutcome = {
    kind: "published",
    pointer,
    previous: live.pointer,
    history,
    written,
    retired,
    deleted,
  };
  if (deleted.length > 0) {
    try {
      await kv.deleteMany(deleted);
    } catch (error) {
      // The new version is live at this point; leftover keys of old versions are garbage, not a failed publish.
      outcome.retireError = messageOf(error);
    }
  }
  return outcome;
}

/** The keys of `retired` versions that no kept version uses: indexes first, so a half-deleted version has no index. */
function retiredKeys(retired: readonly Pointer[], used: ReadonlySet<string>): string[] {
  const keys = [...keysUsedBy(retired)].filter((key) => !used.has(key));
  return [...keys.filter(isIndexKey), ...keys.filter((key) => !isIndexKey(key))];
}

function isIndexKey(key: string): boolean {
  return key.startsWith(TABLE_KEY_PREFIX) && !key.slice(TABLE_KEY_PREFIX.length).includes(":");
}

/** What `routes gc` found and (unless a dry run) did. */
export interface GcOutcome {
  /** The versions kept, newest first (the live one first). */
  kept: Pointer[];
  /** Versions dropped from the history (over `keep`). */
  retired: Pointer[];
  /** Table keys in KV that no kept version uses: deleted, indexes first. */
  garbage: string[];
  /** Table keys left in KV. */
  keptKeys: number;
}

/**
 * Trims the history to `keep` versions, then deletes every table key (`routes:table:…`, `routes:shard:…`) that no
 * kept version uses; the live version and the history that remains are never touched. Run it when no push is
 * under way: a push writes its shards before its pointer, so until then they belong to no kept version.
 */
export async function collectGarbage(kv: KvStore, keep: number, dryRun: boolean): Promise<GcOutcome> {
  const live = await readLiveState(kv);
  if (live.pointer === null) {
    throw new UserError(`nothing is published in ${kv.description}: gc keeps the live version and its history`);
  }
  const { history, retired } = nextHistory(live.pointer, live, keep);
  const used = keysUsedBy(history);
  const listed = (await kv.list("routes:")).filter(
    (key) => key.startsWith(TABLE_KEY_PREFIX) || key.startsWith(SHARD_KEY_PREFIX),
  );
  const unused = listed.filter((key) => !used.has(key));
  const garbage = [...unused.filter(isIndexKey), ...unused.filter((key) => !isIndexKey(key))];
  if (!dryRun) {
    // The history first: it must never name a version whose keys are gone.
    if (retired.length > 0 || history.length !== live.history.length) {
      await kv.put(HISTORY_KEY, JSON.stringify(history));
    }
    if (garbage.length > 0) await kv.deleteMany(garbage);
  }
  return { kept: history, retired, garbage, keptKeys: listed.length - garbage.length };
}

function pointerFor(version: string, index: TableIndex, meta: PublishMeta): Pointer {
  return {
    version,
    schema: index.schema,
    notFound: index.notFound,
    publishedAt: meta.publishedAt,
    publishedBy: meta.publishedBy,
    routeCount: index.routeCount,
    hostCount: index.hostCount,
    shardCount: index.shardCount,
    shardHashes: index.shardHashes,
    ...(index.layout === undefined ? {} : { layout: index.layout }),
    ...(index.wildcardLabels === undefined ? {} : { wildcardLabels: index.wildcardLabels }),
    ...(index.catchAll === undefined ? {} : { catchAll: index.catchAll }),
    ...(index.wildcardFilter === undefined ? {} : { wildcardFilter: index.wildcardFilter }),
  };
}

function previousVersion(live: LiveState): string {
  const previous = live.history.find((entry) => entry.version !== live.pointer?.version);
  if (previous === undefined) throw new UserError("there is no earlier version in the history to roll back to");
  return previous.version;
}

/** A full version id, or a prefix matching exactly one history entry (as `status` prints them). */
function resolveVersion(to: string, live: LiveState): string {
  const versions = [...new Set([live.pointer?.version, ...live.history.map((entry) => entry.version)])];
  const exact = versions.find((version) => version === to);
  if (exact !== undefined) return exact;
  const matches = versions.filter((version) => version?.startsWith(to));
  if (matches.length > 1) throw new UserError(`--to ${to} matches several versions: ${matches.join(", ")}`);
  const [match] = matches;
  if (match === undefined) {
    const known = versions.filter((version) => version !== undefined).join(", ");
    throw new UserError(`version ${to} is not in the history (${known}); older versions are deleted from KV`);
  }
  return match;
}
