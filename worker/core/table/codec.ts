/**
 * @module The published form of a route table (docs/route-table.md): canonical JSON — object keys sorted, no
 * whitespace, hosts sorted — split into shards of at most ~64 KiB. A shard of schema v2 ({@link TABLE_SCHEMA}) is
 * positional: each host's routes are tuples after the id prefix they share (./route-json.ts), and each distinct
 * backend list and endpoint is written once per shard and referred to by its number. The same table always gives
 * the same bytes, so its content hash is a version id. No I/O: the CLI writes the strings to KV, and `hash` is passed
 * in (SHA-256 there). {@link openShard} also reads shards of the previous schema v1 ({@link TABLE_SCHEMA_V1}).
 */
import { CATCH_ALL_HOST, labelCount } from "../host.ts";
import { buildWildcardFilter } from "./filter.ts";
import { shardOf } from "./shard.ts";
import type { Backend, CompiledRoute, Endpoint, RouteTable, TableIndex, TableShard } from "./types.ts";
import { READABLE_SCHEMAS, TABLE_SCHEMA, TABLE_SCHEMA_V1 } from "./types.ts";
import type { ShardReader } from "./reader.ts";
import {
  packBackends,
  packEndpoint,
  restoreBackends,
  restoreRoute,
  routeParts,
  unpackBackends,
  unpackEndpoint,
  unpackRoute,
  type BackendTuple,
  type CompactBackend,
  type CompactRoute,
  type EndpointTuple,
  type RouteForm,
  type RouteTuple,
} from "./route-json.ts";

/**
 * A shard should stay below this many bytes of JSON: KV values may be 25 MiB, but a cold isolate reads, hashes and
 * parses the shard of the request's host before answering, and a push writes every shard whose bytes changed, so
 * small shards keep both the first request and a one-route push small. 64 KiB (a v2 shard holds about 1,250 routes):
 * measured with `npm run bench -- --only cold` against 128 KiB, the first request's workerd CPU was 15.3 against 16.6 ms
 * at 10,000 routes and 13.3 against 19.3 ms at 100,000, with the same heap per route (291 B at 10,000) and 42 against 42
 * published bytes per route; 128 KiB had in turn beaten 512 KiB (schema v1).
 */
export const SHARD_TARGET_BYTES = 64 * 1024;

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
  const groups: Group[] = [...groupsOf(hosts, "hosts"), ...groupsOf(wildcards, "wildcards")];
  // Every route is packed once, table-wide: the parts of its tuple that no shard changes, and its backend list by
  // a table-wide number. Sizes for choosing the shard count are those of the groups written with the table-wide
  // numbers: a host's bytes plus those of every backend list and endpoint it uses (in a shard, lists and endpoints
  // shared by hosts are written once, so this is an upper bound up to the digits of their numbers). The shards
  // then only renumber the lists and endpoints they use.
  const packer = new TablePacker();
  const packed = groups.map((group) => packer.pack(group));
  const shardCount = chooseShardCount(
    packed.map((g) => g.key),
    packed.map((g) => g.bytes),
  );
  const writers = Array.from({ length: shardCount }, () => new ShardWriter(packer));
  // Groups are sorted by key within each kind, so every shard lists its hosts in sorted order.
  for (const group of packed) writers[shardOf(group.key, shardCount)]?.add(group);
  const shardTexts = writers.map((w) => w.text());
  const wildcardFilter = buildWildcardFilter([...wildcards.keys()]);
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount,
    routeCount: countRoutes(hosts) + countRoutes(wildcards),
    hostCount: hosts.size + wildcards.size,
    notFound: table.index.notFound,
    shardHashes: shardTexts.map(hash),
    layout: "content",
    wildcardLabels: [...new Set([...wildcards.keys()].map(labelCount))].sort((a, b) => a - b),
    catchAll: hosts.has(CATCH_ALL_HOST),
    ...(wildcardFilter === undefined ? {} : { wildcardFilter }),
  };
  const indexText = canonicalJson(index);
  return { version: hash(indexText), index: indexText, shards: shardTexts };
}

/** The routes of one host key (or wildcard suffix), in precedence order. */
interface Group {
  kind: "hosts" | "wildcards";
  key: string;
  routes: readonly CompiledRoute[];
}

/** A route's tuple as far as it is the same in any shard: JSON texts, and its backend list's table-wide number. */
interface PackedRoute {
  /** JSON of the id without the group's prefix. */
  name: string;
  /** JSON of the path (`""` for none). */
  path: string;
  /** Whether name and path hold their defaults (`""`). */
  defaultName: boolean;
  defaultPath: boolean;
  list: number;
  /** Canonical JSON of the extras; `undefined` when there are none (`{}`, dropped as a trailing default). */
  extras: string | undefined;
}

/** A group packed by {@link TablePacker.pack}: its routes, and its size for choosing the shard count. */
interface PackedGroup {
  kind: Group["kind"];
  key: string;
  /** JSON of the id prefix the group's routes share. */
  prefix: string;
  routes: PackedRoute[];
  bytes: number;
}

/**
 * The table-wide half of writing shards: each route's parts, each distinct backend list and endpoint numbered in
 * order of first use over the whole table (what sizes the shards), and kept as tuples for the shards to renumber.
 */
class TablePacker {
  readonly endpoints = new Numbering();
  private readonly lists = new Numbering();
  /** Per table-wide list number: its tuples, their endpoints by table-wide number. */
  readonly listTuples: unknown[][][] = [];
  /** Bytes of each list with the endpoints it refers to (for sizing). */
  private readonly listBytes: number[] = [];
  /**
   * Endpoint numbers by object: the compiler shares one endpoint object among the routes of a Service port, so its
   * JSON is written once rather than once per route.
   */
  private readonly endpointIds = new Map<Endpoint, number>();
  /** Table-wide list numbers of plain lists by {@link plainListKey}, and the endpoint lists it numbers by object. */
  private readonly plainLists = new Map<string, number>();
  private readonly endpointLists = new Map<readonly Endpoint[], number>();

  /**
   * Packs a group: `"key":[idPrefix,backends,route…]`, where `backends` is the list of the first route (a route
   * with the same list leaves its own out). Its bytes: those of the group written with table-wide numbers plus
   * those of every list and endpoint it uses.
   */
  pack(group: Group): PackedGroup {
    const prefix = commonPrefix(group.routes.map((r) => r.id));
    const routes = group.routes.map((route): PackedRoute => {
      const parts = routeParts(route, prefix);
      return {
        name: JSON.stringify(parts.name),
        path: JSON.stringify(parts.path),
        defaultName: parts.name === "",
        defaultPath: parts.path === "",
        list: this.list(route.backends),
        extras: Object.keys(parts.extras).length === 0 ? undefined : canonicalJson(parts.extras),
      };
    });
    const packed: PackedGroup = { kind: group.kind, key: group.key, prefix: JSON.stringify(prefix), routes, bytes: 0 };
    const used = new Set<number>();
    for (const route of routes) used.add(route.list);
    let bytes = utf8Length(groupText(packed, (list) => list)) + 1;
    for (const id of used) bytes += this.listBytes[id] ?? 0;
    packed.bytes = bytes;
    return packed;
  }

  private list(backends: readonly Backend[]): number {
    const key = this.plainListKey(backends);
    const known = key === undefined ? undefined : this.plainLists.get(key);
    if (known !== undefined) return known;
    const id = this.writeList(backends);
    if (key !== undefined) this.plainLists.set(key, id);
    return id;
  }

  /**
   * A key for a list of plain backends (exactly service, weight, id and endpoints: no `invalid`, no `router`, no
   * field added later) that needs no JSON: each backend's service, weight and id, and its endpoint list by object.
   * The routes of one Service port share that list object (the compiler resolves it once), so the routes of a
   * Service find their list by this key, and two lists with the same key are written the same. `undefined` for
   * any other list: it is written as JSON to be numbered.
   */
  private plainListKey(backends: readonly Backend[]): string | undefined {
    let key = "";
    for (const backend of backends) {
      if (Object.keys(backend).length !== 4) return undefined;
      let list = this.endpointLists.get(backend.endpoints);
      if (list === undefined) this.endpointLists.set(backend.endpoints, (list = this.endpointLists.size));
      key += `${JSON.stringify(backend.service)},${backend.weight},${JSON.stringify(backend.id)},${list};`;
    }
    return key;
  }

  private writeList(backends: readonly Backend[]): number {
    const endpoints: number[] = [];
    const tuples = packBackends(backends, (endpoint: Endpoint) => {
      let id = this.endpointIds.get(endpoint);
      if (id === undefined) {
        id = this.endpoints.number(canonicalJson(packEndpoint(endpoint)));
        this.endpointIds.set(endpoint, id);
      }
      endpoints.push(id);
      return id;
    });
    const text = canonicalJson(tuples);
    const id = this.lists.number(text);
    if (this.listTuples[id] === undefined) {
      this.listTuples[id] = tuples;
      this.listBytes[id] = endpoints.reduce(
        (sum, e) => sum + utf8Length(this.endpoints.text(e)) + 1,
        utf8Length(text) + 1,
      );
    }
    return id;
  }
}

/**
 * A group's text, `"key":[idPrefix,backends,route…]`, its backend lists numbered by `number` (called in order of
 * use: the group's list first, then each route's).
 */
function groupText(group: PackedGroup, number: (list: number) => number): string {
  const [first] = group.routes;
  if (first === undefined) return `${JSON.stringify(group.key)}:[]`;
  const groupList = number(first.list);
  let text = `${JSON.stringify(group.key)}:[${group.prefix},${groupList}`;
  for (const route of group.routes) text += `,${routeTuple(route, number(route.list), groupList)}`;
  return `${text}]`;
}

/**
 * The route tuple `[name, path, backends, extras]` without the trailing entries that hold their defaults (`""`,
 * `""`, the group's list, `{}`), as ./route-json.ts describes it.
 */
function routeTuple(route: PackedRoute, list: number, groupList: number): string {
  if (route.extras !== undefined) return `[${route.name},${route.path},${list},${route.extras}]`;
  if (list !== groupList) return `[${route.name},${route.path},${list}]`;
  if (!route.defaultPath) return `[${route.name},${route.path}]`;
  if (!route.defaultName) return `[${route.name}]`;
  return "[]";
}

/**
 * One v2 shard being written: its host groups, and its backend lists and endpoints numbered in order of first use
 * in the shard (so the same hosts always give the same numbers and bytes).
 */
class ShardWriter {
  private readonly groups: Record<Group["kind"], string[]> = { hosts: [], wildcards: [] };
  /** Shard numbers of lists and endpoints, by table-wide number. */
  private readonly listIds = new Map<number, number>();
  private readonly endpointIds = new Map<number, number>();
  private readonly listTexts: string[] = [];
  private readonly endpointTexts: string[] = [];
  private readonly packer: TablePacker;

  constructor(packer: TablePacker) {
    this.packer = packer;
  }

  add(group: PackedGroup): void {
    this.groups[group.kind].push(groupText(group, (list) => this.list(list)));
  }

  /** The shard's number of a table-wide list; a list new to the shard is written with the shard's endpoint numbers. */
  private list(tableList: number): number {
    let id = this.listIds.get(tableList);
    if (id === undefined) {
      id = this.listTexts.length;
      this.listIds.set(tableList, id);
      // Endpoints are numbered in the order the list refers to them, as they were table-wide.
      const tuples = (this.packer.listTuples[tableList] ?? []).map((tuple) => {
        const own = [...tuple];
        own[1] = (tuple[1] as number[]).map((endpoint) => this.endpoint(endpoint));
        return own;
      });
      this.listTexts.push(canonicalJson(tuples));
    }
    return id;
  }

  private endpoint(tableEndpoint: number): number {
    let id = this.endpointIds.get(tableEndpoint);
    if (id === undefined) {
      id = this.endpointTexts.length;
      this.endpointIds.set(tableEndpoint, id);
      this.endpointTexts.push(this.packer.endpoints.text(tableEndpoint));
    }
    return id;
  }

  text(): string {
    return (
      `{"backends":[${this.listTexts.join(",")}],"endpoints":[${this.endpointTexts.join(",")}],` +
      `"hosts":{${this.groups.hosts.join(",")}},"schema":${JSON.stringify(TABLE_SCHEMA)},` +
      `"wildcards":{${this.groups.wildcards.join(",")}}}`
    );
  }
}

/** Distinct texts numbered 0, 1, … in order of first use. */
class Numbering {
  readonly texts: string[] = [];
  private readonly ids = new Map<string, number>();

  number(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  text(id: number): string {
    return this.texts[id] ?? "";
  }
}

/** The longest common prefix of `ids` (a host's routes usually share `namespace/name`). */
function commonPrefix(ids: readonly string[]): string {
  let prefix = ids[0] ?? "";
  for (const id of ids) {
    let n = 0;
    while (n < prefix.length && n < id.length && prefix.charCodeAt(n) === id.charCodeAt(n)) n++;
    prefix = prefix.slice(0, n);
  }
  return prefix;
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

function groupsOf(groups: Map<string, CompiledRoute[]>, kind: Group["kind"]): Group[] {
  return [...groups.keys()].sort().map((key) => ({ kind, key, routes: groups.get(key) ?? [] }));
}

/**
 * Start from total/target and grow by 1/8 until no shard with more than one host is over the target. A shard's
 * size is bounded by its hosts' sizes (each counting the backend lists and endpoints it uses).
 */
function chooseShardCount(keys: readonly string[], sizes: readonly number[]): number {
  const shardOverhead = 100;
  const total = sizes.reduce((sum, b) => sum + b, shardOverhead);
  let n = Math.max(1, Math.ceil(total / SHARD_TARGET_BYTES));
  for (;;) {
    const bytes = new Array<number>(n).fill(shardOverhead);
    const counts = new Array<number>(n).fill(0);
    keys.forEach((key, i) => {
      const shard = shardOf(key, n);
      bytes[shard] = (bytes[shard] ?? 0) + (sizes[i] ?? 0);
      counts[shard] = (counts[shard] ?? 0) + 1;
    });
    const splittable = bytes.some((b, i) => b > SHARD_TARGET_BYTES && (counts[i] ?? 0) > 1);
    if (!splittable || n >= keys.length) return n;
    n += Math.max(1, Math.ceil(n / 8));
  }
}

function countRoutes(groups: Map<string, CompiledRoute[]>): number {
  let n = 0;
  for (const routes of groups.values()) n += routes.length;
  return n;
}

/** How a shard's host groups and backend lists are restored: per schema (v1 objects, v2 tuples). */
interface ShardBody {
  hosts: Record<string, unknown[]>;
  wildcards: Record<string, unknown[]>;
  /** The routes of one group, restored in `form`. */
  restore(routes: unknown[], key: string, wildcard: boolean, form: RouteForm): CompiledRoute[];
}

/**
 * When a v2 shard's groups and backend lists are checked: `whole`, all of them when it is opened (an error value for
 * the first problem); `lazy`, each when it is restored (a cold request, which needs one host of thousands), where a
 * problem throws {@link CorruptShard}. v1 shards are always checked whole.
 */
export type ShardCheck = "whole" | "lazy";

/**
 * A shard whose structure is wrong where a host's routes were restored (a v2 group or backend list; the shard's
 * bytes matched their published hash, so its writer was at fault). Thrown by `ShardReader.routes`.
 */
export class CorruptShard extends Error {
  override name = "CorruptShard";
}

/**
 * Open a published shard for the Worker: one `JSON.parse` and a check of its references (`check`: all now, or each
 * host's when it is restored); routes (and their backend lists) are restored per host key on first use, so a cold
 * isolate pays only for the hosts it serves. `routes(group, key)` answers once per key (the compact form is released): callers keep
 * the result. Reads schema v2 and the previous v1; an error value for anything else, naming the schema found.
 * `form`: light routes for the Worker (defaults shared, ./route-json.ts), plain ones for the CLI.
 */
export function openShard(
  text: string,
  form: RouteForm = "light",
  check: ShardCheck = "whole",
): { reader: ShardReader } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: "the shard is not valid JSON" };
  }
  if (!isRecord(json)) return { error: "the shard is not a JSON object" };
  let body: ShardBody | string;
  if (json.schema === TABLE_SCHEMA) body = openV2(json, check);
  else if (json.schema === TABLE_SCHEMA_V1) body = openV1(json);
  else {
    const found = typeof json.schema === "string" ? json.schema : "missing";
    return { error: `the shard's schema is ${found}; this code reads ${READABLE_SCHEMAS.join(" and ")}` };
  }
  if (typeof body === "string") return { error: body };
  const { hosts, wildcards } = body;
  const reader: ShardReader = {
    hostKeys: Object.keys(hosts),
    wildcardKeys: Object.keys(wildcards),
    routes(group, key) {
      const record = group === "hosts" ? hosts : wildcards;
      const routes = Object.hasOwn(record, key) ? record[key] : undefined;
      if (routes === undefined) return [];
      // Each key is restored once (the lookup keeps the result), so its compact JSON can go.
      delete record[key];
      return body.restore(routes, key, group === "wildcards", form);
    },
  };
  return { reader };
}

/**
 * Schema v2: `backends` and `endpoints` are arrays of tuples; a host group is `[idPrefix, backends, route tuple…]`,
 * or (a plain `JSON.stringify` of a TableShard) a list of route objects. With `check: "lazy"` a group, and a backend
 * list with its endpoint numbers, are checked when they are restored: a cold request pays for its own host, not
 * for the ~1,250 others of a 64 KiB shard.
 */
function openV2(json: Record<string, unknown>, check: ShardCheck): ShardBody | string {
  const { hosts = {}, wildcards = {}, backends: lists = [], endpoints = [] } = json;
  if (!isRecord(hosts) || !isRecord(wildcards) || !Array.isArray(lists) || !Array.isArray(endpoints))
    return "the shard's hosts, wildcards, backends or endpoints have the wrong type";
  const isRef = (ref: unknown, table: readonly unknown[]): boolean =>
    Number.isInteger(ref) && (ref as number) >= 0 && (ref as number) < table.length;
  const listProblem = (list: unknown): string | undefined => {
    if (!Array.isArray(list)) return "a backend list is not a list";
    for (const backend of list) {
      if (!Array.isArray(backend) || !Array.isArray(backend[1])) return "a backend is not a [service, endpoints] tuple";
      for (const ref of backend[1] as unknown[])
        if (!isRef(ref, endpoints))
          return `a backend refers to endpoint ${String(ref)}, which the shard does not contain`;
    }
    return undefined;
  };
  const routesProblem = (routes: unknown): string | undefined =>
    Array.isArray(routes) ? groupProblem(routes, (ref) => isRef(ref, lists)) : "a host's routes are not a list";
  if (check === "whole") {
    for (const list of lists) {
      const problem = listProblem(list);
      if (problem !== undefined) return problem;
    }
    for (const group of [hosts, wildcards]) {
      for (const routes of Object.values(group)) {
        const problem = routesProblem(routes);
        if (problem !== undefined) return problem;
      }
    }
  }
  // Endpoints and backend lists are restored once per shard and shared (read-only) by every route that uses them.
  const restoredEndpoints = new Map<number, Endpoint>();
  const endpointOf = (ref: number): Endpoint => {
    let endpoint = restoredEndpoints.get(ref);
    if (endpoint === undefined) {
      endpoint = unpackEndpoint(endpoints[ref] as EndpointTuple);
      restoredEndpoints.set(ref, endpoint);
    }
    return endpoint;
  };
  const backendsOf = sharedLists((ref) => {
    const problem = check === "lazy" ? listProblem(lists[ref]) : undefined;
    if (problem !== undefined) throw new CorruptShard(problem);
    return unpackBackends(lists[ref] as BackendTuple[], endpointOf);
  });
  return {
    hosts: hosts as Record<string, unknown[]>,
    wildcards: wildcards as Record<string, unknown[]>,
    restore(routes, key, wildcard, form) {
      const problem = check === "lazy" ? routesProblem(routes) : undefined;
      if (problem !== undefined) throw new CorruptShard(problem);
      // One host string for the whole group (`*.` + suffix would otherwise be built once per route).
      const host = wildcard ? `*.${key}` : key;
      if (typeof routes[0] !== "string")
        return (routes as CompactRoute[]).map((route) => restoreRoute(route, host, false, backendsOf, form));
      const prefix = routes[0];
      const groupList = routes[1] as number;
      // Sized up front: the list is kept as long as the host is (a growing array keeps spare capacity).
      const out = new Array<CompiledRoute>(routes.length - 2);
      for (let i = 2; i < routes.length; i++) {
        const compact = unpackRoute(routes[i] as RouteTuple, prefix, groupList);
        out[i - 2] = restoreRoute(compact, host, false, backendsOf, form);
      }
      return out;
    },
  };
}

/** What is wrong with a v2 group: a route that is not a tuple, or a backend list number `valid` refuses. */
function groupProblem(routes: readonly unknown[], valid: (ref: unknown) => boolean): string | undefined {
  const missing = (ref: unknown) => `the shard refers to backend list ${String(ref)}, which it does not contain`;
  if (typeof routes[0] !== "string") {
    for (const route of routes)
      if (isRecord(route) && typeof route.backends === "number" && !valid(route.backends))
        return missing(route.backends);
    return undefined;
  }
  if (!valid(routes[1])) return missing(routes[1]);
  for (let i = 2; i < routes.length; i++) {
    const tuple = routes[i];
    if (!Array.isArray(tuple)) return "a route is not a tuple";
    if (tuple.length > 2 && !valid(tuple[2])) return missing(tuple[2]);
  }
  return undefined;
}

/** Schema v1: `backends` is an object of compact lists keyed by number; a host group is a list of route objects. */
function openV1(json: Record<string, unknown>): ShardBody | string {
  const { hosts = {}, wildcards = {}, backends: lists = {} } = json;
  if (!isRecord(hosts) || !isRecord(wildcards) || !isRecord(lists))
    return "the shard's hosts, wildcards or backends have the wrong type";
  for (const group of [hosts, wildcards]) {
    for (const routes of Object.values(group)) {
      if (!Array.isArray(routes)) return "a host's routes are not a list";
      for (const route of routes) {
        if (isRecord(route) && typeof route.backends === "number" && !Object.hasOwn(lists, String(route.backends)))
          return `the shard refers to backend list ${route.backends}, which it does not contain`;
      }
    }
  }
  const backendsOf = sharedLists((ref) => restoreBackends((lists[String(ref)] ?? []) as CompactBackend[]));
  return {
    hosts: hosts as Record<string, unknown[]>,
    wildcards: wildcards as Record<string, unknown[]>,
    restore(routes, key, wildcard, form) {
      const host = wildcard ? `*.${key}` : key;
      return (routes as CompactRoute[]).map((route) => restoreRoute(route, host, false, backendsOf, form));
    },
  };
}

/** A restored backend list is shared by every route that refers to it (treat it as read-only). */
function sharedLists(restore: (ref: number) => Backend[]): (ref: number) => Backend[] {
  const restored = new Map<number, Backend[]>();
  return (ref) => {
    let list = restored.get(ref);
    if (list === undefined) {
      list = restore(ref);
      restored.set(ref, list);
    }
    return list;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parse a published shard back into a {@link TableShard} with every route restored (the CLI's diff and explain);
 * an error value for text that is not a shard of a schema this code reads.
 */
export function parseShard(text: string): { shard: TableShard } | { error: string } {
  const opened = openShard(text, "plain");
  if ("error" in opened) return opened;
  const { reader } = opened;
  const restoreAll = (group: "hosts" | "wildcards", keys: readonly string[]): Record<string, CompiledRoute[]> => {
    const out: Record<string, CompiledRoute[]> = {};
    for (const key of keys) out[key] = [...reader.routes(group, key)];
    return out;
  };
  try {
    return {
      shard: {
        schema: TABLE_SCHEMA,
        hosts: restoreAll("hosts", reader.hostKeys),
        wildcards: restoreAll("wildcards", reader.wildcardKeys),
      },
    };
  } catch (error) {
    if (error instanceof CorruptShard) return { error: error.message };
    throw error;
  }
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
