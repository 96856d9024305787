/**
 * @module Section 1's HTTPRoute set, one measurement in its own process (started by ./lookup.ts as router
 * `gateway-httproute`, like ./lookup-child.ts for the others): `node --expose-gc httproute-lookup.ts <router>
 * <size> <samples> <sampleMs>`. Prints one JSON {@link LookupOutcome} line on stdout; progress on stderr.
 *
 * The set: `size` HTTPRoutes on hosts of {@link PER_HOST} routes. Route j of a host has one rule whose match is a
 * PathPrefix `/api/v<j mod 3>` with a header (`x-tenant: t<j>`) and a query condition (`shard=<j mod 4>`), and
 * one unconditional `/api` rule, so a lookup walks to a path node holding 3–4 conditional candidates and checks
 * their conditions there (worker/core/match.ts). Compiled, serialised and opened as the Worker reads a table
 * (./gateway-router.ts), answered by `resolveRoute` with request facts: headers from a Map standing for the
 * runtime's `Headers`, the query from `URLSearchParams` as worker/pipeline/route.ts reads it.
 *
 * Keys (1,024, seeded, like ./routeset.ts): 80% meet a route's conditions (host half Zipf-hot, half uniform),
 * 10% meet none and fall to the host's unconditional `/api` rule, 10% name an unknown host. First and last: 1,024
 * keys under the first route of the first host and the first route of the last host (alike in shape and in their
 * position among the candidates at their path, so only the position in the table differs); `info.lastCandidateNs`
 * times the host's last route, the last of 4 candidates at its path, for the cost of the conditions checked first.
 */
import { compile } from "../../worker/core/compile/index.ts";
import { openShard, resolveRoute, type RequestFacts, serializeTable, ShardLookup } from "../../worker/core/index.ts";
import { currentPhase, enter, heapAfterGc } from "./child-phase.ts";
import { BENCH_COMPILE_OPTIONS, sha256 } from "./gateway-router.ts";
import type { LookupFailure, LookupSuccess } from "./lookup-child.ts";
import { randomInt, seededRandom, zipfSampler } from "./prng.ts";
import { summarize, type Summary } from "./stats.ts";

const PER_HOST = 10;
const NS = "bench";

interface Key {
  host: string;
  path: string;
  facts: RequestFacts;
  /** Route id expected, or `null` for no route. */
  expect: string | null;
}

const hostOf = (h: number): string => `h${h}.${NS}.example.com`;

function manifests(size: number): unknown[] {
  const objects: unknown[] = [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: "edge", namespace: NS },
      spec: { gatewayClassName: "edgeroute", listeners: [{ name: "http", protocol: "HTTP", port: 80 }] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "svc", namespace: NS },
      spec: { type: "LoadBalancer", ports: [{ name: "http", port: 8080 }] },
      status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } },
    },
  ];
  for (let i = 0; i < size; i++) {
    const j = i % PER_HOST;
    // One second apart: the table's age order is the generation order.
    const created = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace(".000", "");
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: `r${i}`, namespace: NS, creationTimestamp: created },
      spec: {
        parentRefs: [{ name: "edge" }],
        hostnames: [hostOf(Math.floor(i / PER_HOST))],
        rules: [
          {
            matches: [
              {
                path: { type: "PathPrefix", value: `/api/v${j % 3}` },
                headers: [{ name: "x-tenant", value: `t${j}` }],
                queryParams: [{ name: "shard", value: String(j % 4) }],
              },
            ],
            backendRefs: [{ name: "svc", port: 8080 }],
          },
          { matches: [{ path: { type: "PathPrefix", value: "/api" } }], backendRefs: [{ name: "svc", port: 8080 }] },
        ],
      },
    });
  }
  return objects;
}

function facts(tenant: string, query: string): RequestFacts {
  const headers = new Map([
    ["x-tenant", tenant],
    ["accept", "application/json"],
  ]);
  const params = new URLSearchParams(query);
  return { method: "GET", header: (name) => headers.get(name) ?? null, query: (name) => params.get(name) };
}

/** `count` keys that route `i` serves (its conditions met), on distinct paths below its prefix. */
function keysOf(i: number, count: number): Key[] {
  const j = i % PER_HOST;
  return Array.from({ length: count }, (_, n) => ({
    host: hostOf(Math.floor(i / PER_HOST)),
    path: `/api/v${j % 3}/orders/${n}`,
    facts: facts(`t${j}`, `shard=${j % 4}&page=2`),
    expect: `${NS}/r${i}#0.0`,
  }));
}

function mixedKeys(size: number): Key[] {
  const random = seededRandom(20_261_207);
  const hosts = Math.ceil(size / PER_HOST);
  const zipf = zipfSampler(random, hosts, 1);
  const keys: Key[] = [];
  for (let n = 0; n < 1024; n++) {
    const kind = random();
    const h = random() < 0.5 ? zipf() : randomInt(random, hosts);
    const routes = Math.min(PER_HOST, size - h * PER_HOST);
    const i = h * PER_HOST + randomInt(random, routes);
    if (kind < 0.8) keys.push(keysOf(i, n + 1)[n] as Key);
    else if (kind < 0.9) {
      // No candidate's conditions hold: the host's oldest unconditional /api rule answers.
      keys.push({
        host: hostOf(h),
        path: `/api/v${i % 3}/orders/${n}`,
        facts: facts("nobody", "page=2"),
        expect: `${NS}/r${h * PER_HOST}#1.0`,
      });
    } else keys.push({ host: `u${n}.unknown.example.net`, path: "/api/v0", facts: facts("t0", ""), expect: null });
  }
  return keys;
}

let sink = 0;

function timeLoop(lookup: ShardLookup, keys: readonly Key[], iterations: number): number {
  const mask = keys.length - 1;
  let hits = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const key = keys[i & mask] as Key;
    if (resolveRoute(lookup, key.host, key.path, false, key.facts).outcome !== "none") hits++;
  }
  const elapsed = Number(process.hrtime.bigint() - start);
  sink += hits;
  return elapsed / iterations;
}

function measure(router: string, size: number, samples: number, sampleMs: number): LookupSuccess {
  enter("generate");
  const objects = manifests(size);
  const lastHostFirst = (Math.ceil(size / PER_HOST) - 1) * PER_HOST;
  const workloads: [string, Key[]][] = [
    ["mixed", mixedKeys(size)],
    ["first", keysOf(0, 1024)],
    ["last", keysOf(lastHostFirst, 1024)],
    ["lastCandidate", keysOf(size - 1, 1024)],
  ];
  enter("prepare");
  const started = performance.now();
  const result = compile(
    objects.map((object, doc) => ({ source: { file: `httproutes-${size}.yaml`, doc }, object })),
    BENCH_COMPILE_OPTIONS,
  );
  const compiled = performance.now();
  const errors = result.diagnostics.filter((d) => d.severity !== "notice");
  if (errors.length > 0) throw new Error(`the HTTPRoute set does not compile: ${errors[0]?.message}`);
  const serialized = serializeTable(result.table, sha256);
  const serializedAt = performance.now();
  objects.length = 0;
  const heapBefore = heapAfterGc();
  enter("build");
  const t0 = performance.now();
  const readers = serialized.shards.map((text, i) => {
    const out = openShard(text);
    if ("error" in out) throw new Error(`shard ${i}: ${out.error}`);
    return out.reader;
  });
  const t1 = performance.now();
  const heapAtCheckpoint = heapAfterGc();
  const t2 = performance.now();
  const lookup = new ShardLookup();
  for (const reader of readers) lookup.add(reader);
  const t3 = performance.now();

  enter("verify");
  let wrong = 0;
  let checked = 0;
  let firstWrong: string | undefined;
  const check = (key: Key): void => {
    checked++;
    const r = resolveRoute(lookup, key.host, key.path, false, key.facts);
    const got = r.outcome === "none" ? null : r.route.id;
    if (got !== key.expect) {
      wrong++;
      firstWrong ??= `${key.host}${key.path} → ${got ?? "no route"}, expected ${key.expect ?? "no route"}`;
    }
  };
  const verifyStart = performance.now();
  for (let i = 0; i < size; i++) for (const key of keysOf(i, 1)) check(key);
  const firstPassMs = performance.now() - verifyStart;
  for (const [, keys] of workloads) for (const key of keys) check(key);
  const heapAfter = heapAfterGc();

  enter("time");
  const iterations = workloads.map(([, keys]) => {
    let ns = 0;
    for (let round = 0; round < 20; round++) ns = timeLoop(lookup, keys, 1024 * 10);
    return Math.max(1024, Math.round((sampleMs * 1e6) / Math.max(ns, 1) / 1024) * 1024);
  });
  const runs = workloads.map(() => [] as number[]);
  for (let s = 0; s < samples; s++) {
    for (const [w, [, keys]] of workloads.entries()) runs[w]?.push(timeLoop(lookup, keys, iterations[w] as number));
  }
  const [mixed, first, last, lastCandidate] = runs.map((r) => summarize(r)) as [Summary, Summary, Summary, Summary];
  if (sink < 0) process.stderr.write("unreachable\n");
  return {
    ok: true,
    router,
    label: "edgeroute matcher, HTTPRoutes with header and query matches (scripts/bench/httproute-lookup.ts)",
    size,
    buildMs: { parse: t1 - t0, index: t3 - t2, total: t1 - t0 + (t3 - t2) },
    firstPassMs,
    heapPerRoute: (heapAfter - heapBefore) / size,
    indexHeapPerRoute: (heapAfter - heapAtCheckpoint) / size,
    wrong,
    checked,
    ...(firstWrong === undefined ? {} : { firstWrong }),
    mixed,
    first,
    last,
    firstRoute: `${NS}/r0`,
    lastRoute: `${NS}/r${lastHostFirst}`,
    info: {
      compileMs: compiled - started,
      serializeMs: serializedAt - compiled,
      compiledRoutes: result.admitted.length,
      lastCandidateNs: lastCandidate.median,
    },
  };
}

const [router = "gateway-httproute", sizeArg = "10000", samplesArg = "7", sampleMsArg = "50"] = process.argv.slice(2);
try {
  if (typeof gc !== "function") throw new Error("run with --expose-gc");
  const outcome = measure(router, Number(sizeArg), Number(samplesArg), Number(sampleMsArg));
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} catch (error) {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const failure: LookupFailure = { ok: false, router, size: Number(sizeArg), phase: currentPhase(), reason };
  process.stdout.write(`${JSON.stringify(failure)}\n`);
}
