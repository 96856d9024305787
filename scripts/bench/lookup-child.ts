/**
 * @module One lookup measurement in its own process (so JIT and GC state cannot leak between routers or sizes):
 * `node --expose-gc lookup-child.ts <router> <size> <samples> <sampleMs>`. Prints one JSON {@link LookupOutcome}
 * line on stdout; progress (`phase: …`) goes to stderr so the parent can say where a router failed.
 *
 * Steps: generate the route set; prepare (the gateway compiles and serialises it here, as the CLI would); gc and
 * read the heap; build the router; look up every route once by its own host and path (correctness, and it
 * materialises anything built lazily), then the mixed keys (correctness); gc and read the heap again; then time
 * three workloads, interleaved, `samples` times each: the 1,024 mixed keys, 1,024 keys under the map's first
 * route and 1,024 under its last route.
 */
import { firstAndLast } from "./haproxy-config.ts";
import { currentPhase, enter, heapAfterGc } from "./child-phase.ts";
import type { BuiltRouter, Lookup, RouterAdapter } from "./routers.ts";
import { generateRouteSet, keysForRoute, ownKey, type RequestKey } from "./routeset.ts";
import { summarize, type Summary } from "./stats.ts";

export interface LookupSuccess {
  ok: true;
  router: string;
  label: string;
  size: number;
  buildMs: Record<string, number>;
  /** Milliseconds to look up every route once by its own key (includes lazy index building). */
  firstPassMs: number;
  /** Heap growth from building and first use, per route (bytes). */
  heapPerRoute: number;
  /** For routers that parse before indexing (the gateway): what was built after parsing (on first use), per route. */
  indexHeapPerRoute?: number;
  /** Wrong answers over all own keys and mixed keys (must be 0). */
  wrong: number;
  checked: number;
  firstWrong?: string;
  mixed: Summary;
  first: Summary;
  last: Summary;
  firstRoute: string;
  lastRoute: string;
  info: Record<string, number>;
}

export interface LookupFailure {
  ok: false;
  router: string;
  size: number;
  phase: string;
  reason: string;
}

export type LookupOutcome = LookupSuccess | LookupFailure;

let sink = 0;

/** ns per lookup over `iterations` lookups cycling through `keys` (length a power of two). */
function timeLoop(lookup: Lookup, hosts: readonly string[], paths: readonly string[], iterations: number): number {
  const mask = hosts.length - 1;
  let hits = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const k = i & mask;
    if (lookup(hosts[k] as string, paths[k] as string) !== undefined) hits++;
  }
  const elapsed = Number(process.hrtime.bigint() - start);
  sink += hits;
  return elapsed / iterations;
}

async function loadAdapter(name: string): Promise<RouterAdapter> {
  if (name === "gateway") return (await import("./gateway-router.ts")).GATEWAY;
  const { THIRD_PARTY } = await import("./routers.ts");
  const adapter = THIRD_PARTY.find((a) => a.name === name);
  if (!adapter) throw new Error(`unknown router ${name}`);
  return adapter;
}

async function measure(name: string, size: number, samples: number, sampleMs: number): Promise<LookupSuccess> {
  enter("generate");
  const set = generateRouteSet(size, { ip: "127.0.0.1", port: 8080 });
  const { first, last } = firstAndLast(set.routes);
  const own = set.routes.map(ownKey);
  const workloads: [string, RequestKey[]][] = [
    ["mixed", set.keys],
    ["first", keysForRoute(first, 1024)],
    ["last", keysForRoute(last, 1024)],
  ];
  const adapter = await loadAdapter(name);
  enter("prepare");
  const prepared = await adapter.prepare(set);
  // Only what a router needs survives from here: drop the manifests before the baseline.
  (set as { objects: unknown[] }).objects = [];
  const heapBefore = heapAfterGc();
  enter("build");
  let heapAtCheckpoint: number | undefined;
  const built: BuiltRouter = prepared.build(() => {
    heapAtCheckpoint = heapAfterGc();
  });
  enter("verify");
  const verifyStart = performance.now();
  let wrong = 0;
  let firstWrong: string | undefined;
  const check = (key: RequestKey): void => {
    const got = built.lookup(key.host, key.path);
    if ((got ?? null) !== key.expect) {
      wrong++;
      firstWrong ??= `${key.host}${key.path} → ${got ?? "no route"}, expected ${key.expect ?? "no route"} (${key.kind})`;
    }
  };
  for (const key of own) check(key);
  const firstPassMs = performance.now() - verifyStart;
  for (const key of set.keys) check(key);
  for (const [, keys] of workloads) for (const key of keys) check(key);
  const heapAfter = heapAfterGc();

  enter("time");
  const columns = workloads.map(([label, keys]) => ({
    label,
    hosts: keys.map((k) => k.host),
    paths: keys.map((k) => k.path),
    samples: [] as number[],
  }));
  // Warm-up: let the JIT settle on every workload, then size each sample to about `sampleMs`.
  const iterations = columns.map((c) => {
    let ns = 0;
    for (let round = 0; round < 20; round++) ns = timeLoop(built.lookup, c.hosts, c.paths, 1024 * 10);
    return Math.max(1024, Math.round((sampleMs * 1e6) / Math.max(ns, 1) / 1024) * 1024);
  });
  for (let s = 0; s < samples; s++) {
    for (const [i, c] of columns.entries())
      c.samples.push(timeLoop(built.lookup, c.hosts, c.paths, iterations[i] as number));
  }
  const [mixed, firstRun, lastRun] = columns.map((c) => summarize(c.samples)) as [Summary, Summary, Summary];
  // Keep the structures alive until everything was measured.
  if (sink < 0 || !prepared || !built) process.stderr.write("unreachable\n");
  return {
    ok: true,
    router: name,
    label: adapter.label,
    size,
    buildMs: built.buildMs,
    firstPassMs,
    heapPerRoute: (heapAfter - heapBefore) / size,
    ...(heapAtCheckpoint === undefined ? {} : { indexHeapPerRoute: (heapAfter - heapAtCheckpoint) / size }),
    wrong,
    checked: own.length + set.keys.length + workloads.reduce((n, [, keys]) => n + keys.length, 0),
    ...(firstWrong === undefined ? {} : { firstWrong }),
    mixed,
    first: firstRun,
    last: lastRun,
    firstRoute: first.id,
    lastRoute: last.id,
    info: prepared.info,
  };
}

const [name = "", sizeArg = "", samplesArg = "7", sampleMsArg = "50"] = process.argv.slice(2);
try {
  if (typeof gc !== "function") throw new Error("run with --expose-gc");
  const outcome = await measure(name, Number(sizeArg), Number(samplesArg), Number(sampleMsArg));
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} catch (error) {
  const full = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // A failing regex engine quotes its whole (megabytes long) pattern: keep the start and the verdict at the end.
  const reason = full.length > 240 ? `${full.slice(0, 60)} … ${full.slice(-120)}` : full;
  const failure: LookupFailure = { ok: false, router: name, size: Number(sizeArg), phase: currentPhase(), reason };
  process.stdout.write(`${JSON.stringify(failure)}\n`);
}
