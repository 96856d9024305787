/**
 * @module The gateway's own matcher as a benchmark router. The route set goes through the real control plane
 * (`compile` + `serializeTable`, as `routes push` runs them) and the real data-plane path, as worker/table/load.ts
 * reads a table: shards opened with `openShard`, added to a `ShardLookup`, `matchRoute` per request (plain HTTP,
 * host and path already normalised, as the other routers get them).
 */
import { createHash } from "node:crypto";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../worker/core/compile/index.ts";
import { openShard } from "../../worker/core/index.ts";
import { matchRoute, ShardLookup } from "../../worker/core/index.ts";
import type { CompileOptions, SourceObject } from "../../worker/core/compile/index.ts";
import type { RouterAdapter } from "./routers.ts";
import type { RouteSet } from "./routeset.ts";
import { serializeTable } from "../../worker/core/index.ts";

/** The generated set uses wildcard routes and loopback load balancers (a local table). */
export const BENCH_COMPILE_OPTIONS: CompileOptions = {
  ...DEFAULT_COMPILE_OPTIONS,
  target: "local",
  allowWildcards: true,
};

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The manifests as the CLI hands them to the compiler (one document per object). */
export function sourceObjects(set: RouteSet): SourceObject[] {
  return set.objects.map((object, doc) => ({ source: { file: `bench-${set.size}.yaml`, doc }, object }));
}

export const GATEWAY: RouterAdapter = {
  name: "gateway",
  label: "edgeroute matcher (worker/core/match.ts)",
  async prepare(set) {
    const started = performance.now();
    const result = compile(sourceObjects(set), BENCH_COMPILE_OPTIONS);
    const compiled = performance.now();
    const serialized = serializeTable(result.table, sha256);
    const done = performance.now();
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0 || result.admitted.length !== set.size) {
      const first = errors[0] ?? result.diagnostics[0];
      throw new Error(
        `compile admitted ${result.admitted.length} of ${set.size} routes` +
          (first ? `; first diagnostic: ${first.code} ${first.object} ${first.message}` : ""),
      );
    }
    const shardCount = serialized.shards.length;
    const texts = serialized.shards;
    const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), Buffer.byteLength(serialized.index));
    return {
      info: { compileMs: compiled - started, serializeMs: done - compiled, publishedBytes: bytes, shards: shardCount },
      build(parsed) {
        const t0 = performance.now();
        // As the Worker reads a table: openShard (JSON.parse, routes restored per host on first use), then the lookup.
        const readers = texts.map((text, i) => {
          const out = openShard(text);
          if ("error" in out) throw new Error(`shard ${i}: ${out.error}`);
          return out.reader;
        });
        const t1 = performance.now();
        parsed();
        const t2 = performance.now();
        const lookup = new ShardLookup();
        for (const reader of readers) lookup.add(reader);
        const t3 = performance.now();
        return {
          lookup: (host, path) => matchRoute(lookup, host, path, false)?.id,
          buildMs: { parse: t1 - t0, index: t3 - t2, total: t1 - t0 + (t3 - t2) },
        };
      },
    };
  },
};
