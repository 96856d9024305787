/**
 * @module Control-plane cost of one table size, in its own process: `node control-child.ts <size> <runs>`.
 * Prints one JSON {@link ControlOutcome} line.
 *
 * Measured `runs` times each (median reported): `compile()` and `serializeTable()` on the generated manifests
 * (what `routes push` runs between reading the YAML and writing KV); then the published bytes (index + shards,
 * raw, gzip, brotli); then, in Node, what a cold Worker does with those bytes before its first lookup:
 * `JSON.parse` of every shard and of the largest alone, `openShard` of the largest (a cold request's work per shard
 * it reads), and `openShard` + `ShardLookup.add` of every shard (the whole table loaded, as the prefetch does).
 */
import { brotliCompressSync, gzipSync } from "node:zlib";
import { compile } from "../../worker/core/compile/index.ts";
import { openShard } from "../../worker/core/index.ts";
import { ShardLookup } from "../../worker/core/index.ts";
import { serializeTable } from "../../worker/core/index.ts";
import { BENCH_COMPILE_OPTIONS, sha256, sourceObjects } from "./gateway-router.ts";
import { generateRouteSet } from "./routeset.ts";
import { summarize, type Summary } from "./stats.ts";

export interface ControlOutcome {
  ok: true;
  size: number;
  compileMs: Summary;
  serializeMs: Summary;
  admitted: number;
  diagnostics: number;
  shards: number;
  publishedBytes: number;
  gzipBytes: number;
  brotliBytes: number;
  /** JSON.parse of every shard. */
  parseAllMs: Summary;
  /** JSON.parse of the largest shard alone (a lazily loading Worker's first request). */
  parseOneMs: Summary;
  /** `openShard` of the largest shard: what a cold Worker does with each shard it reads (parse and check). */
  openOneMs: Summary;
  /** `openShard` of every shard, then `ShardLookup.add` of each: the whole table loaded and indexed (prefetch). */
  loadAllMs: Summary;
}

export interface ControlFailure {
  ok: false;
  size: number;
  reason: string;
}

const [sizeArg = "", runsArg = "3"] = process.argv.slice(2);
const size = Number(sizeArg);
try {
  const set = generateRouteSet(size, { ip: "127.0.0.1", port: 8080 });
  const objects = sourceObjects(set);
  const compileMs: number[] = [];
  const serializeMs: number[] = [];
  let last: ReturnType<typeof serializeTable> | undefined;
  let admitted = 0;
  let diagnostics = 0;
  for (let run = 0; run < Number(runsArg); run++) {
    const t0 = performance.now();
    const result = compile(objects, BENCH_COMPILE_OPTIONS);
    const t1 = performance.now();
    last = serializeTable(result.table, sha256);
    const t2 = performance.now();
    compileMs.push(t1 - t0);
    serializeMs.push(t2 - t1);
    admitted = result.admitted.length;
    diagnostics = result.diagnostics.length;
  }
  if (!last) throw new Error("no run");
  const texts = [last.index, ...last.shards];
  const all = Buffer.from(texts.join(""));
  const largest = last.shards.reduce((a, b) => (b.length > a.length ? b : a), "");
  const parseAllMs: number[] = [];
  const parseOneMs: number[] = [];
  const openOneMs: number[] = [];
  const loadAllMs: number[] = [];
  const open = (text: string) => {
    const opened = openShard(text);
    if ("error" in opened) throw new Error(opened.error);
    return opened.reader;
  };
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    for (const text of last.shards) JSON.parse(text);
    const t1 = performance.now();
    JSON.parse(largest);
    const t2 = performance.now();
    open(largest);
    const t3 = performance.now();
    const lookup = new ShardLookup();
    for (const text of last.shards) lookup.add(open(text));
    parseAllMs.push(t1 - t0);
    parseOneMs.push(t2 - t1);
    openOneMs.push(t3 - t2);
    loadAllMs.push(performance.now() - t3);
  }
  const outcome: ControlOutcome = {
    ok: true,
    size,
    compileMs: summarize(compileMs),
    serializeMs: summarize(serializeMs),
    admitted,
    diagnostics,
    shards: last.shards.length,
    publishedBytes: all.length,
    gzipBytes: gzipSync(all).length,
    brotliBytes: brotliCompressSync(all).length,
    parseAllMs: summarize(parseAllMs),
    parseOneMs: summarize(parseOneMs),
    openOneMs: summarize(openOneMs),
    loadAllMs: summarize(loadAllMs),
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} catch (error) {
  const failure: ControlFailure = {
    ok: false,
    size,
    reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
  process.stdout.write(`${JSON.stringify(failure)}\n`);
}
