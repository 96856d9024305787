/**
 * @module Stage 5, build: the admitted routes grouped by host into one table, each host's routes sorted by
 * precedence — longest path first (what the router's reverse-sorted map achieves, docs/design-notes.md#matching), exact before
 * prefix on the same path, then HTTPRoute conditions in the Gateway API's order (method, most headers, most query
 * parameters), then older first. Sharding happens at serialisation (worker/core/table/codec.ts), where sizes are known.
 */
import type { CompiledRoute, NotFoundStatus, RouteTable, TableShard } from "../table/types.ts";
import { compareConditions } from "../gateway.ts";
import { TABLE_SCHEMA } from "../table/types.ts";
import type { CandidateRoute } from "./model.ts";

/** `admitted` oldest first (the admit stage's order). The table has a single shard; serialize splits it. */
export function build(admitted: readonly CandidateRoute[], notFound: NotFoundStatus): RouteTable {
  const age = new Map<CompiledRoute, number>();
  const hosts = new Map<string, CompiledRoute[]>();
  const wildcards = new Map<string, CompiledRoute[]>();
  admitted.forEach((c, rank) => {
    age.set(c.route, rank);
    const host = c.route.host;
    const group = host.startsWith("*.") ? wildcards : hosts;
    const key = host.startsWith("*.") ? host.slice(2) : host;
    let list = group.get(key);
    if (list === undefined) group.set(key, (list = []));
    list.push(c.route);
  });
  const precedence = (a: CompiledRoute, b: CompiledRoute): number =>
    b.path.length - a.path.length ||
    (a.match === b.match ? 0 : a.match === "exact" ? -1 : 1) ||
    compareConditions(a, b) ||
    (age.get(a) ?? 0) - (age.get(b) ?? 0);
  const shard: TableShard = {
    schema: TABLE_SCHEMA,
    hosts: sortedRecord(hosts, precedence),
    wildcards: sortedRecord(wildcards, precedence),
  };
  return {
    index: {
      schema: TABLE_SCHEMA,
      shardCount: 1,
      routeCount: admitted.length,
      hostCount: hosts.size + wildcards.size,
      notFound,
      shardHashes: [],
    },
    shards: [shard],
  };
}

/** A record with keys in code-unit order and each list sorted, so the table never depends on input order. */
function sortedRecord(
  groups: Map<string, CompiledRoute[]>,
  compare: (a: CompiledRoute, b: CompiledRoute) => number,
): Record<string, CompiledRoute[]> {
  const record: Record<string, CompiledRoute[]> = {};
  for (const key of [...groups.keys()].sort()) record[key] = (groups.get(key) ?? []).sort(compare);
  return record;
}
