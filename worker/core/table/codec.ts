/**
 * @module The published form of a route table (docs/route-table.md): canonical JSON — object keys sorted, no
 * whitespace, hosts sorted, routes in their compact form (./route-json.ts), each distinct backend list written
 * once per shard — split into shards of at most ~128 KiB. The same table always gives the same bytes, so its
 * content hash is a version id. No I/O: the CLI writes the strings to KV, and `hash` is passed in (SHA-256 there).
 */
import { shardOf } from "./shard.ts";
import type { Backend, CompiledRoute, RouteTable, TableIndex, TableShard } from "./types.ts";
import { TABLE_SCHEMA } from "./types.ts";
import type { ShardReader } from "./reader.ts";
import {
  compactBackends,
  compactRoute,
  restoreBackends,
  restoreRoute,
  type CompactBackend,
  type CompactRoute,
} from "./route-json.ts";

/**
 * A shard should stay below this many bytes of JSON: KV values may be 25 MiB, but a cold isolate reads, hashes and
 * parses the shard of the request's host before answering, and a push writes every shard whose bytes changed, so
 * small shards keep both the first request and a one-route push small. 128 KiB rather than 512 KiB: the first
 * request's workerd CPU in `npm run bench` (section 2) was lower by a few ms at both 10,000 and 100,000 routes.
 */
export const SHARD_TARGET_BYTES = 128 * 1024;

export interface SerializedTable {
  /** `hash(index)`: the version id the pointer names. */
  version: string;
  /** The index JSON (`TableIndex`, with shardCount and shardHashes of these shards). */
  index: string;
  /** Shard JSON texts; shard `i` is stored at `shardKey(version, index, i)` (./keys.ts): `routes:shard:<its hash>`. */
  shards: string[];
}

/**
 * Serialise a table for publishing. The routes of all shards of `table` are re-sharded: `shardCount` is the
 * smallest count (found deterministically) for which no shard exceeds {@link SHARD_TARGET_BYTES} — 1 for small
 * tables — unless a single host alone is larger. A host goes to `shardOf(host, n)`, a wildcard to `shardOf(suffix, n)`.
 */
export function serializeTable(table: RouteTable, hash: (text: string) => string): SerializedTable {
  const hosts = collect(table.shards.map((s) => s.hosts));
  const wildcards = collect(table.shards.map((s) => s.wildcards));
  // Sizing only: one dictionary over the whole table bounds each shard's size (a shard's own numbers are never longer).
  const sizing = new BackendDictionary();
  const entries = [...pieces(hosts, "hosts", sizing), ...pieces(wildcards, "wildcards", sizing)];
  const shardCount = chooseShardCount(entries, sizing);
  const shards = Array.from({ length: shardCount }, () => ({
    hosts: new Map<string, CompiledRoute[]>(),
    wildcards: new Map<string, CompiledRoute[]>(),
  }));
  // Entries are sorted by key within each kind, so every shard lists its hosts in sorted order.
  for (const entry of entries) {
    const shard = shards[shardOf(entry.key, shardCount)];
    const group = entry.kind === "hosts" ? hosts : wildcards;
    shard?.[entry.kind].set(entry.key, group.get(entry.key) ?? []);
  }
  // Each shard numbers its own backend lists, so its bytes depend only on its own routes: a change to one route
  // changes one shard, and every other shard keeps its hash and its content-addressed key (./keys.ts).
  const shardTexts = shards.map((s) => {
    const dictionary = new BackendDictionary();
    const texts = (kind: Entry["kind"], group: Map<string, CompiledRoute[]>): string =>
      pieces(group, kind, dictionary)
        .map((entry) => entry.text)
        .join(",");
    const hostTexts = texts("hosts", s.hosts);
    const wildcardTexts = texts("wildcards", s.wildcards);
    const backends = dictionary.numbers().map((id) => `${JSON.stringify(String(id))}:${dictionary.text(id)}`);
    return `{"backends":{${backends.join(",")}},"hosts":{${hostTexts}},"schema":${JSON.stringify(TABLE_SCHEMA)},"wildcards":{${wildcardTexts}}}`;
  });
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount,
    routeCount: countRoutes(hosts) + countRoutes(wildcards),
    hostCount: hosts.size + wildcards.size,
    notFound: table.index.notFound,
    shardHashes: shardTexts.map(hash),
    layout: "content",
  };
  const indexText = canonicalJson(index);
  return { version: hash(indexText), index: indexText, shards: shardTexts };
}

/** Distinct backend lists of a shard, numbered in order of first use (hosts sorted, then wildcards sorted). */
class BackendDictionary {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  ref(backends: readonly Backend[]): number {
    const text = canonicalJson(compactBackends(backends));
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  text(id: number): string {
    return this.texts[id] ?? "[]";
  }

  /** Every number given out, in the order the shard writes them (decimal strings sorted, as canonical JSON does). */
  numbers(): number[] {
    return this.texts.map((_, id) => id).sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  }

  /** Bytes the entry `"id":[…],` adds to a shard. */
  bytes(id: number): number {
    return utf8Length(this.text(id)) + String(id).length + 4;
  }
}

interface Entry {
  kind: "hosts" | "wildcards";
  key: string;
  /** `"key":[routes…]` */
  text: string;
  /** Backend lists the routes refer to. */
  refs: number[];
  bytes: number;
}

function collect(records: Record<string, CompiledRoute[]>[]): Map<string, CompiledRoute[]> {
  const out = new Map<string, CompiledRoute[]>();
  for (const record of records) {
    for (const [key, routes] of Object.entries(record)) {
      const known = out.get(key);
      if (known === undefined) out.set(key, routes);
      else out.set(key, [...known, ...routes]);
    }
  }
  return out;
}

function pieces(groups: Map<string, CompiledRoute[]>, kind: Entry["kind"], dictionary: BackendDictionary): Entry[] {
  return [...groups.keys()].sort().map((key) => {
    const refs = new Set<number>();
    const ref = (backends: readonly Backend[]): number => {
      const id = dictionary.ref(backends);
      refs.add(id);
      return id;
    };
    const routes = groups.get(key) ?? [];
    const text = `${JSON.stringify(key)}:[${routes.map((r) => canonicalJson(compactRoute(r, ref))).join(",")}]`;
    return { kind, key, text, refs: [...refs], bytes: utf8Length(text) + 1 };
  });
}

/**
 * Start from total/target and grow by 1/8 until no shard with more than one host is over the target. A shard's
 * size is bounded by its entries plus every backend list they use (a list shared by entries is written once).
 */
function chooseShardCount(entries: readonly Entry[], dictionary: BackendDictionary): number {
  const shardOverhead = 80;
  const sizes = entries.map((e) => e.bytes + e.refs.reduce((sum, id) => sum + dictionary.bytes(id), 0));
  const total = sizes.reduce((sum, b) => sum + b, shardOverhead);
  let n = Math.max(1, Math.ceil(total / SHARD_TARGET_BYTES));
  for (;;) {
    const bytes = new Array<number>(n).fill(shardOverhead);
    const keys = new Array<number>(n).fill(0);
    entries.forEach((e, i) => {
      const shard = shardOf(e.key, n);
      bytes[shard] = (bytes[shard] ?? 0) + (sizes[i] ?? 0);
      keys[shard] = (keys[shard] ?? 0) + 1;
    });
    const splittable = bytes.some((b, i) => b > SHARD_TARGET_BYTES && (keys[i] ?? 0) > 1);
    if (!splittable || n >= entries.length) return n;
    n += Math.max(1, Math.ceil(n / 8));
  }
}

function countRoutes(groups: Map<string, CompiledRoute[]>): number {
  let n = 0;
  for (const routes of groups.values()) n += routes.length;
  return n;
}

/**
 * Open a published shard for the Worker: one `JSON.parse` and a check that every backend reference resolves;
 * routes (and their backend lists) are restored per host key on first use, so a cold isolate pays only for the
 * hosts it serves. `routes(group, key)` answers once per key (the compact form is released): callers keep the
 * result. An error value for anything that is not a shard of this schema.
 */
export function openShard(text: string): { reader: ShardReader } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: "the shard is not valid JSON" };
  }
  const value = json as {
    schema?: unknown;
    backends?: Record<string, CompactBackend[]>;
    hosts?: Record<string, CompactRoute[]>;
    wildcards?: Record<string, CompactRoute[]>;
  } | null;
  if (typeof value !== "object" || value === null || value.schema !== TABLE_SCHEMA)
    return { error: `the shard's schema is not ${TABLE_SCHEMA}` };
  const hosts = value.hosts ?? {};
  const wildcards = value.wildcards ?? {};
  const lists = value.backends ?? {};
  for (const group of [hosts, wildcards]) {
    for (const routes of Object.values(group)) {
      if (!Array.isArray(routes)) return { error: "a host's routes are not a list" };
      for (const route of routes) {
        if (typeof route.backends === "number" && !Object.hasOwn(lists, String(route.backends))) {
          return { error: `the shard refers to backend list ${route.backends}, which it does not contain` };
        }
      }
    }
  }
  // A restored backend list is shared by every route that refers to it (treat it as read-only).
  const restored = new Map<number, Backend[]>();
  const backendsOf = (ref: number): Backend[] => {
    let list = restored.get(ref);
    if (list === undefined) {
      list = restoreBackends(lists[String(ref)] ?? []);
      restored.set(ref, list);
    }
    return list;
  };
  const reader: ShardReader = {
    hostKeys: Object.keys(hosts),
    wildcardKeys: Object.keys(wildcards),
    routes(group, key) {
      const record = group === "hosts" ? hosts : wildcards;
      const routes = Object.hasOwn(record, key) ? record[key] : undefined;
      if (routes === undefined) return [];
      // Each key is restored once (the lookup keeps the result), so its compact JSON can go.
      delete record[key];
      return routes.map((route) => restoreRoute(route, key, group === "wildcards", backendsOf));
    },
  };
  return { reader };
}

/**
 * Parse a published shard back into a {@link TableShard} with every route restored (the CLI's diff and explain);
 * an error value for text that is not a shard of this schema.
 */
export function parseShard(text: string): { shard: TableShard } | { error: string } {
  const opened = openShard(text);
  if ("error" in opened) return opened;
  const { reader } = opened;
  const restoreAll = (group: "hosts" | "wildcards", keys: readonly string[]): Record<string, CompiledRoute[]> => {
    const out: Record<string, CompiledRoute[]> = {};
    for (const key of keys) out[key] = [...reader.routes(group, key)];
    return out;
  };
  return {
    shard: {
      schema: TABLE_SCHEMA,
      hosts: restoreAll("hosts", reader.hostKeys),
      wildcards: restoreAll("wildcards", reader.wildcardKeys),
    },
  };
}

/** JSON with object keys in code-unit order at every level and no whitespace; `undefined` members are dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(",")}}`;
}

/** UTF-8 byte length without TextEncoder (the core has no DOM/Node globals). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
