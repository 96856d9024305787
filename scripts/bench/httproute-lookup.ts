/**
 * @module `node scripts/bench/httproute-lookup.ts [routes] [samples]`: lookup cost with HTTPRoutes that use header,
 * query and method matches. Generates `routes` HTTPRoutes (default 10,000) on hosts of 10 routes each; every route
 * has a PathPrefix match with a header and a query condition and an unconditional sibling on a shorter path, so a
 * lookup walks to a node with conditional candidates and checks them there. Compiles them with the real compiler,
 * then times `resolveRoute` (the Worker's call, with request facts) over 1,024 mixed keys, 1,024 keys of the first
 * route and 1,024 of the last; prints the median ns per lookup of each. Not part of `npm run bench` (whose lookup
 * interface has no headers); the figure is quoted in docs/gateway-api.md.
 */
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../worker/core/compile/index.ts";
import { type RequestFacts, resolveRoute, tableLookup } from "../../worker/core/index.ts";

const size = Number(process.argv[2] ?? 10_000);
const samples = Number(process.argv[3] ?? 15);
const PER_HOST = 10;

interface Key {
  host: string;
  path: string;
  facts: RequestFacts;
  expect: string;
}

const objects: unknown[] = [
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "edge", namespace: "bench" },
    spec: { gatewayClassName: "edgeroute", listeners: [{ name: "http", protocol: "HTTP", port: 80 }] },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "svc", namespace: "bench" },
    spec: { type: "LoadBalancer", ports: [{ name: "http", port: 8080 }] },
    status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } },
  },
];
const keys: Key[] = [];
for (let i = 0; i < size; i++) {
  const host = `h${Math.floor(i / PER_HOST)}.bench.example.com`;
  const j = i % PER_HOST;
  objects.push({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: `r${i}`, namespace: "bench", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: {
      parentRefs: [{ name: "edge" }],
      hostnames: [host],
      rules: [
        {
          matches: [
            {
              path: { type: "PathPrefix", value: `/api/v${j % 3}` },
              headers: [{ name: "x-tenant", value: `t${j}` }],
              queryParams: [{ name: "shard", value: String(i % 7) }],
            },
          ],
          backendRefs: [{ name: "svc", port: 8080 }],
        },
        { matches: [{ path: { type: "PathPrefix", value: "/api" } }], backendRefs: [{ name: "svc", port: 8080 }] },
      ],
    },
  });
  const params = new URLSearchParams(`shard=${i % 7}&page=2`);
  const headers = new Map([
    ["x-tenant", `t${j}`],
    ["accept", "application/json"],
  ]);
  keys.push({
    host,
    path: `/api/v${j % 3}/orders/42`,
    facts: { method: "GET", header: (n) => headers.get(n) ?? null, query: (n) => params.get(n) },
    expect: `bench/r${i}#0.0`,
  });
}

const result = compile(
  objects.map((object, doc) => ({ source: { file: "bench.yaml", doc }, object })),
  DEFAULT_COMPILE_OPTIONS,
);
const errors = result.diagnostics.filter((d) => d.severity === "error");
if (errors.length > 0) throw new Error(`bench routes do not compile: ${errors[0]?.message}`);
const lookup = tableLookup(result.table.shards);

let wrong = 0;
for (const key of keys) {
  const r = resolveRoute(lookup, key.host, key.path, false, key.facts);
  if (r.outcome === "none" || r.route.id !== key.expect) wrong++;
}
if (wrong > 0) throw new Error(`${wrong} wrong answers`);

let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const mixed = Array.from({ length: 1024 }, () => keys[Math.floor(random() * keys.length)] as Key);
const first = Array.from({ length: 1024 }, () => keys[0] as Key);
const last = Array.from({ length: 1024 }, () => keys[keys.length - 1] as Key);

let sink = 0;
function time(set: Key[], iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const key = set[i & 1023] as Key;
    if (resolveRoute(lookup, key.host, key.path, false, key.facts).outcome !== "none") sink++;
  }
  return Number(process.hrtime.bigint() - start) / iterations;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const results: Record<string, number[]> = { mixed: [], first: [], last: [] };
for (let round = 0; round < 5; round++) for (const set of [mixed, first, last]) time(set, 100_000);
for (let s = 0; s < samples; s++) {
  results.mixed?.push(time(mixed, 200_000));
  results.first?.push(time(first, 200_000));
  results.last?.push(time(last, 200_000));
}
if (sink < 0) process.stderr.write("unreachable\n");
console.log(
  `${size} HTTPRoutes (${result.admitted.length} compiled routes, header + query conditions), ns per lookup (median of ${samples}): ` +
    `mixed ${median(results.mixed ?? []).toFixed(0)}, first route ${median(results.first ?? []).toFixed(0)}, last route ${median(results.last ?? []).toFixed(0)}`,
);
