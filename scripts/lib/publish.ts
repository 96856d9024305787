/**
 * @module Publishing a table atomically, and rolling back, with the versioned-blob-plus-pointer pattern
 * (docs/design-notes.md#workers): the immutable index and shards of a version are written first, shards before the
 * index; only when every one of them is written does the small pointer `routes:current` flip to the new version.
 * The history (`routes:history`) is updated after the flip, and versions that fall out of it are deleted, so
 * KV holds at most `keep` tables. A Worker therefore only ever sees a complete table, old or new.
 */
import { createHash } from "node:crypto";
import { serializeTable } from "../../worker/core/index.ts";
import type { Pointer, RouteTable, TableIndex } from "../../worker/core/index.ts";
import { UserError, messageOf } from "./errors.ts";
import { CURRENT_KEY, contentHashOf, HISTORY_KEY, indexKey, shardKey, versionKeys } from "../../worker/core/index.ts";
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
      /** Versions that fell out of the history; their keys were deleted unless `retireError` says otherwise. */
      retired: Pointer[];
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
  const pairs: KvPair[] = [
    ...serialized.shards.map((value, shard) => ({ key: shardKey(serialized.version, shard), value })),
    { key: indexKey(serialized.version), value: serialized.index },
  ];
  const bytes = pairs.reduce((sum, pair) => sum + Buffer.byteLength(pair.value), 0);
  // The serialised index, not `table.index`: serializeTable re-shards, so only it knows the published shardCount.
  const index = JSON.parse(serialized.index) as TableIndex;
  return { version: serialized.version, index, pairs, bytes };
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
  await kv.putMany(plan.pairs, progress);
  return flip(kv, pointerFor(plan.version, plan.index, meta), live, meta.keep);
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
  return flip(kv, pointerFor(version, index, meta), live, meta.keep);
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

async function flip(kv: KvStore, pointer: Pointer, live: LiveState, keep: number): Promise<PublishOutcome> {
  await kv.put(CURRENT_KEY, JSON.stringify(pointer));
  const { history, retired } = nextHistory(pointer, live, keep);
  await kv.put(HISTORY_KEY, JSON.stringify(history));
  const outcome: PublishOutcome = { kind: "published", pointer, previous: live.pointer, history, retired };
  if (retired.length > 0) {
    try {
      await kv.deleteMany(retired.flatMap((entry) => versionKeys(entry.version, entry.shardCount)));
    } catch (error) {
      // The new version is live at this point; leftover keys of old versions are garbage, not a failed publish.
      outcome.retireError = messageOf(error);
    }
  }
  return outcome;
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
