/**
 * @module What changes between two sets of compiled routes (live table vs manifests), by route id, with each
 * change described the way operators talk about it: `web-blue 90→50, web-green 10→50`.
 */
import { canonicalJson } from "../../worker/core/index.ts";
import type { Backend, CompiledRoute, TableIndex } from "../../worker/core/index.ts";
import { formatEndpointWithCluster, formatPath, formatTls, serviceName } from "./route-format.ts";

export interface FieldChange {
  /** A CompiledRoute field (`path`, `timeoutMs`, …), `weights`, `endpoints` or an index field (`notFound`). */
  field: string;
  before: unknown;
  after: unknown;
  /** For people: `web-blue 90→50, web-green 10→50`, `path /v1→/v2`. */
  text: string;
}

export interface RouteChange {
  id: string;
  changes: FieldChange[];
}

export interface TableDiff {
  added: CompiledRoute[];
  removed: CompiledRoute[];
  changed: RouteChange[];
  /** Table-wide settings (`notFound`). */
  table: FieldChange[];
}

/** All routes of a table, in shard order. */
export function routesOf(
  shards: readonly { hosts: Record<string, CompiledRoute[]>; wildcards: Record<string, CompiledRoute[]> }[],
): CompiledRoute[] {
  return shards.flatMap((shard) => [...Object.values(shard.hosts).flat(), ...Object.values(shard.wildcards).flat()]);
}

export function diffTables(
  before: { routes: readonly CompiledRoute[]; index: TableIndex | null },
  after: { routes: readonly CompiledRoute[]; index: TableIndex },
): TableDiff {
  const old = new Map(before.routes.map((route) => [route.id, route]));
  const now = new Map(after.routes.map((route) => [route.id, route]));
  const byId = (a: CompiledRoute, b: CompiledRoute): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const changed: RouteChange[] = [];
  for (const route of [...now.values()].sort(byId)) {
    const previous = old.get(route.id);
    const changes = previous === undefined ? [] : diffRoute(previous, route);
    if (changes.length > 0) changed.push({ id: route.id, changes });
  }
  const table: FieldChange[] = [];
  if (before.index !== null && before.index.notFound !== after.index.notFound) {
    const { notFound: from } = before.index;
    const { notFound: to } = after.index;
    table.push({ field: "notFound", before: from, after: to, text: `not-found status ${from}→${to}` });
  }
  return {
    added: [...now.values()].filter((route) => !old.has(route.id)).sort(byId),
    removed: [...old.values()].filter((route) => !now.has(route.id)).sort(byId),
    changed,
    table,
  };
}

/**
 * Field by field. Backends are compared by Service (weights, then endpoints); every other field generically,
 * so a field added to CompiledRoute later shows up in diffs without a change here.
 */
export function diffRoute(before: CompiledRoute, after: CompiledRoute): FieldChange[] {
  const changes: FieldChange[] = [];
  const weights = weightChanges(before.backends, after.backends);
  if (weights !== null)
    changes.push({ field: "weights", before: before.backends, after: after.backends, text: weights });
  changes.push(...endpointChanges(before.backends, after.backends));
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])] as (keyof CompiledRoute)[];
  for (const field of fields) {
    if (field === "backends" || field === "id") continue;
    const from = before[field];
    const to = after[field];
    // Canonical JSON: a route read back from KV has its keys in another order than a freshly compiled one.
    if (canonicalJson(from) === canonicalJson(to)) continue;
    changes.push({ field, before: from, after: to, text: `${field} ${show(field, from)}→${show(field, to)}` });
  }
  return changes;
}

/**
 * @example blue 90 / green 10 → blue 50 / green 50 gives "web-blue 90→50, web-green 10→50";
 * a new backend reads "web-canary new 5", a removed one "web-green 10→removed". `null` when nothing changed.
 */
function weightChanges(before: readonly Backend[], after: readonly Backend[]): string | null {
  const old = new Map(before.map((backend) => [backend.service, backend]));
  const now = new Set(after.map((backend) => backend.service));
  const parts: string[] = [];
  for (const backend of after) {
    const previous = old.get(backend.service);
    if (previous === undefined) parts.push(`${serviceName(backend)} new ${backend.weight}`);
    else if (previous.weight !== backend.weight)
      parts.push(`${serviceName(backend)} ${previous.weight}→${backend.weight}`);
  }
  for (const backend of before) {
    if (!now.has(backend.service)) parts.push(`${serviceName(backend)} ${backend.weight}→removed`);
  }
  return parts.length === 0 ? null : parts.join(", ");
}

function endpointChanges(before: readonly Backend[], after: readonly Backend[]): FieldChange[] {
  const old = new Map(before.map((backend) => [backend.service, backend]));
  const changes: FieldChange[] = [];
  for (const backend of after) {
    const previous = old.get(backend.service);
    if (previous === undefined) continue;
    const from = previous.endpoints.map(formatEndpointWithCluster).join(" ");
    const to = backend.endpoints.map(formatEndpointWithCluster).join(" ");
    if (from === to) continue;
    changes.push({
      field: "endpoints",
      before: previous.endpoints,
      after: backend.endpoints,
      text: `${serviceName(backend)} endpoints ${from || "none"}→${to || "none"}`,
    });
  }
  return changes;
}

function show(field: keyof CompiledRoute, value: unknown): string {
  if (field === "tls") return formatTls(value as CompiledRoute["tls"]);
  if (field === "path") return formatPath({ path: value as string, match: "prefix" });
  if (value === null || value === undefined) return "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}
