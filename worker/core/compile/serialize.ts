/**
 * @module The published form of a route table (docs/route-table.md): canonical JSON — object keys sorted, no
 * whitespace, hosts sorted, route fields that hold their default omitted — split into shards of at most ~2 MiB.
 * The same table always gives the same bytes, so its content hash is a version id. No I/O: the CLI writes the
 * strings to KV, and `hash` is passed in (the CLI uses SHA-256).
 */
import { shardOf } from "../shard.ts";
import type { CompiledRoute, RouteTable, TableIndex, TableShard } from "../types.ts";
import { TABLE_SCHEMA } from "../types.ts";

/** A shard should stay below this many bytes of JSON (KV values may be 25 MiB; small shards load fast in a Worker). */
export const SHARD_TARGET_BYTES = 2 * 1024 * 1024;

/**
 * Route fields omitted from the JSON when they hold these values; a reader restores them with {@link restoreRoute}.
 * `balance` and `cookie` are always written: their defaults depend on the route.
 */
export const ROUTE_DEFAULTS = {
  match: "prefix",
  tls: null,
  timeoutMs: 30_000,
  forwarded: "append",
  rewriteTarget: null,
  requestHeaders: [],
  responseHeaders: [],
  hsts: null,
  ipAllowlist: null,
  rateLimit: null,
  jwt: null,
  clientCert: null,
} as const satisfies Partial<CompiledRoute>;

export interface SerializedTable {
  /** `hash(index)`: the version id the pointer names. */
  version: string;
  /** The index JSON (`TableIndex`, with shardCount and shardHashes of these shards). */
  index: string;
  /** Shard JSON texts; shard `i` is stored at `routes:table:<version>:<i>`. */
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
  const entries = [...pieces(hosts, "hosts"), ...pieces(wildcards, "wildcards")];
  const shardCount = chooseShardCount(entries);
  const shards = Array.from({ length: shardCount }, () => ({ hosts: [] as string[], wildcards: [] as string[] }));
  // Entries are sorted by key within each kind, so every shard lists its hosts in sorted order.
  for (const entry of entries) shards[shardOf(entry.key, shardCount)]?.[entry.kind].push(entry.text);
  const shardTexts = shards.map(
    (s) => `{"hosts":{${s.hosts.join(",")}},"schema":${JSON.stringify(TABLE_SCHEMA)},"wildcards":{${s.wildcards.join(",")}}}`,
  );
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount,
    routeCount: countRoutes(hosts) + countRoutes(wildcards),
    hostCount: hosts.size + wildcards.size,
    notFound: table.index.notFound,
    shardHashes: shardTexts.map(hash),
  };
  const indexText = canonicalJson(index);
  return { version: hash(indexText), index: indexText, shards: shardTexts };
}

interface Entry {
  kind: "hosts" | "wildcards";
  key: string;
  /** `"key":[routes…]` */
  text: string;
  bytes: number;
}

function collect(records: Record<string, CompiledRoute[]>[]): Map<string, CompiledRoute[]> {
  const out = new Map<string, CompiledRoute[]>();
  for (const record of records) {
    for (const [key, routes] of Object.entries(record)) out.set(key, [...(out.get(key) ?? []), ...routes]);
  }
  return out;
}

function pieces(groups: Map<string, CompiledRoute[]>, kind: Entry["kind"]): Entry[] {
  return [...groups.keys()].sort().map((key) => {
    const routes = groups.get(key) ?? [];
    const text = `${JSON.stringify(key)}:[${routes.map((r) => canonicalJson(compactRoute(r))).join(",")}]`;
    return { kind, key, text, bytes: utf8Length(text) + 1 };
  });
}

/** Start from total/target and grow by 1/8 until no shard with more than one host is over the target. */
function chooseShardCount(entries: readonly Entry[]): number {
  const shardOverhead = 64;
  const total = entries.reduce((sum, e) => sum + e.bytes, shardOverhead);
  let n = Math.max(1, Math.ceil(total / SHARD_TARGET_BYTES));
  for (;;) {
    const bytes = new Array<number>(n).fill(shardOverhead);
    const keys = new Array<number>(n).fill(0);
    for (const e of entries) {
      const i = shardOf(e.key, n);
      bytes[i] = (bytes[i] ?? 0) + e.bytes;
      keys[i] = (keys[i] ?? 0) + 1;
    }
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

/** The route without the fields that hold their {@link ROUTE_DEFAULTS} value. */
export function compactRoute(route: CompiledRoute): Partial<CompiledRoute> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(route)) {
    const fallback = (ROUTE_DEFAULTS as Record<string, unknown>)[key];
    const isDefault = key in ROUTE_DEFAULTS && (Array.isArray(fallback) ? Array.isArray(value) && value.length === 0 : value === fallback);
    if (!isDefault) out[key] = value;
  }
  return out as Partial<CompiledRoute>;
}

/** The full route from its compact JSON form (fields absent from the JSON take their {@link ROUTE_DEFAULTS}). */
export function restoreRoute(compact: Partial<CompiledRoute>): CompiledRoute {
  return { ...ROUTE_DEFAULTS, requestHeaders: [], responseHeaders: [], ...compact } as CompiledRoute;
}

/** Parse a published shard back into a {@link TableShard} with defaults restored; an error value for anything else. */
export function parseShard(text: string): { shard: TableShard } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: "the shard is not valid JSON" };
  }
  const value = json as Partial<TableShard> | null;
  if (typeof value !== "object" || value === null || value.schema !== TABLE_SCHEMA) return { error: `the shard's schema is not ${TABLE_SCHEMA}` };
  const restore = (record: Record<string, Partial<CompiledRoute>[]> | undefined): Record<string, CompiledRoute[]> => {
    const out: Record<string, CompiledRoute[]> = {};
    for (const [key, routes] of Object.entries(record ?? {})) out[key] = routes.map(restoreRoute);
    return out;
  };
  return { shard: { schema: TABLE_SCHEMA, hosts: restore(value.hosts), wildcards: restore(value.wildcards) } };
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
