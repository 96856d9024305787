import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import {
  canonicalJson,
  CorruptShard,
  openShard,
  parseShard,
  serializeTable,
  SHARD_TARGET_BYTES,
} from "../../../worker/core/table/codec.ts";
import { buildWildcardFilter, mayHoldWildcard, shardsForHost } from "../../../worker/core/table/index.ts";
import { shardOf } from "../../../worker/core/table/shard.ts";
import { backendId } from "../../../worker/core/table/defaults.ts";
import { TABLE_SCHEMA, type Backend, type CompiledRoute, type TableIndex } from "../../../worker/core/table/types.ts";
import type { SourceObject } from "../../../worker/core/compile/types.ts";
import { ingress, problems, route, rule, run, service, sources } from "../compile/fixtures.ts";
import { TABLE_V1 } from "../../fixtures/table-v1.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Deterministic shuffle (seeded LCG) so a failure is reproducible. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const mixed = [
  route("web", {
    host: "shop.example.com",
    annotations: { "haproxy.router.openshift.io/timeout": "5s" },
    tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
  }),
  route("api", {
    host: "shop.example.com",
    path: "/api",
    created: "2024-02-01T00:00:00Z",
    spec: { alternateBackends: [{ kind: "Service", name: "api", weight: 20 }] },
  }),
  route("late", { host: "shop.example.com", created: "2024-03-01T00:00:00Z" }),
  ingress("ing", { rules: [rule("*.apps.example.com"), rule("b.example.com", [{ path: "/x", pathType: "Exact" }])] }),
  service("web"),
  service("api", { hostname: "api-lb.example.net" }),
];

describe("serializeTable", () => {
  it("writes canonical JSON: sorted keys, no whitespace, defaults omitted, restorable", () => {
    const result = run(mixed);
    const out = serializeTable(result.table, sha256);
    expect(out.shards).toHaveLength(1);
    const shard = out.shards[0] as string;
    expect(shard).not.toMatch(/\s/);
    // Positional (schema v2): backend lists and endpoints once, in order of first use (b.example.com comes first);
    // a host is [id prefix, its first route's list, route tuples…] with trailing defaults dropped.
    expect(shard).toBe(
      '{"backends":[[["shop/web",[0]]],[["shop/web",[0]],["shop/api",[1],20]]],' +
        '"endpoints":[["203.0.113.10",80],["api-lb.example.net",80]],' +
        '"hosts":{"b.example.com":["shop/ing#1.0",0,["","/x",0,{"kind":"Ingress","match":"exact"}]],' +
        '"shop.example.com":["shop/",1,["api","/api"],["web","",0,{"timeoutMs":5000,"tls":{"insecure":"Redirect","termination":"edge"}}]]},' +
        '"schema":"edgeroute/route-table/v2",' +
        '"wildcards":{"apps.example.com":["shop/ing#0.0",0,["","",0,{"kind":"Ingress"}]]}}',
    );
    expect(shard).not.toContain('"rateLimit"');
    expect(shard).not.toContain('"cookie"');
    expect(shard).toContain('"timeoutMs":5000');
    const parsed = parseShard(shard);
    if (!("shard" in parsed)) throw new Error(parsed.error);
    expect(parsed.shard).toEqual(result.table.shards[0]);
    // Routes with the same backends share one restored list.
    const [apiRoute, webRoute] = parsed.shard.hosts["shop.example.com"] ?? [];
    expect(webRoute?.backends).toBe(parsed.shard.wildcards["apps.example.com"]?.[0]?.backends);
    expect(apiRoute?.backends).not.toBe(webRoute?.backends);
    const index = JSON.parse(out.index) as TableIndex;
    expect(index).toEqual({
      catchAll: false,
      hostCount: 3,
      layout: "content",
      notFound: 503,
      routeCount: 4,
      schema: "edgeroute/route-table/v2",
      shardCount: 1,
      shardHashes: [sha256(shard)],
      wildcardFilter: buildWildcardFilter(["apps.example.com"]),
      wildcardLabels: [3],
    });
    expect(out.index).toBe(canonicalJson(index));
    expect(out.version).toBe(sha256(out.index));
  });

  it("keeps non-default values of derived fields", () => {
    const custom = [
      route("web", {
        annotations: {
          "haproxy.router.openshift.io/balance": "roundrobin",
          "router.openshift.io/cookie-same-site": "Lax",
        },
      }),
      route("nocookie", { annotations: { "haproxy.router.openshift.io/disable_cookies": "true" } }),
      service("web"),
    ];
    const result = run(custom);
    const out = serializeTable(result.table, sha256);
    const parsed = parseShard(out.shards[0] as string);
    expect("shard" in parsed && parsed.shard).toEqual(result.table.shards[0]);
    expect(out.shards[0]).toContain('"balance":"roundrobin"');
    expect(out.shards[0]).toContain('"cookie":null');
  });

  it("gives identical bytes and version for shuffled input", () => {
    const objects = sources(mixed);
    const reference = serializeTable(compile(objects, DEFAULT_COMPILE_OPTIONS).table, sha256);
    for (const seed of [1, 2, 3, 4, 5]) {
      const again = compile(shuffled(objects, seed), DEFAULT_COMPILE_OPTIONS);
      expect(serializeTable(again.table, sha256)).toEqual(reference);
    }
  });

  it("changes the version when any route changes", () => {
    const a = serializeTable(run(mixed).table, sha256);
    const changed = [...mixed];
    changed[0] = route("web", {
      host: "shop.example.com",
      annotations: { "haproxy.router.openshift.io/timeout": "6s" },
      tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
    });
    expect(serializeTable(run(changed).table, sha256).version).not.toBe(a.version);
  });

  it("also reads a plain JSON.stringify of a TableShard (every field written)", () => {
    const shard = run(mixed).table.shards[0];
    const parsed = parseShard(JSON.stringify(shard));
    expect("shard" in parsed && parsed.shard).toEqual(shard);
  });

  it("reports an unreadable shard as an error value", () => {
    expect(parseShard("{")).toEqual({ error: "the shard is not valid JSON" });
    expect(parseShard('{"schema":"other"}')).toHaveProperty("error");
    expect(parseShard('{"schema":"edgeroute/route-table/v3"}')).toEqual({
      error:
        "the shard's schema is edgeroute/route-table/v3; this code reads edgeroute/route-table/v1 and edgeroute/route-table/v2",
    });
    expect(
      parseShard(
        '{"backends":{},"hosts":{"a.example.com":[{"backends":3,"id":"shop/a"}]},"schema":"edgeroute/route-table/v1","wildcards":{}}',
      ),
    ).toEqual({ error: "the shard refers to backend list 3, which it does not contain" });
    const v2 = (hosts: string, backends = '[[["shop/a",[0]]]]') =>
      parseShard(
        `{"backends":${backends},"endpoints":[["a.example.net",80]],"hosts":{${hosts}},"schema":"edgeroute/route-table/v2","wildcards":{}}`,
      );
    expect(v2('"a.example.com":["shop/",0,["a","/x",2]]')).toEqual({
      error: "the shard refers to backend list 2, which it does not contain",
    });
    expect(v2('"a.example.com":["shop/",1]')).toEqual({
      error: "the shard refers to backend list 1, which it does not contain",
    });
    expect(v2('"a.example.com":["shop/",0,"a"]')).toEqual({ error: "a route is not a tuple" });
    expect(v2('"a.example.com":["shop/",0,["a"]]', '[[["shop/a",[4]]]]')).toEqual({
      error: "a backend refers to endpoint 4, which the shard does not contain",
    });
    expect(v2('"a.example.com":["shop/",0,["a"]]')).toHaveProperty("shard.hosts.a\\.example\\.com.0.id", "shop/a");
  });

  it("with a lazy check, opens a shard whose group for one host does not resolve and refuses only that host", () => {
    const text =
      '{"backends":[[["shop/a",[0]]]],"endpoints":[["a.example.net",80]],"hosts":{"a.example.com":["shop/",0,["a"]],' +
      '"b.example.com":["shop/",7,["b"]]},"schema":"edgeroute/route-table/v2","wildcards":{}}';
    expect(openShard(text)).toEqual({ error: "the shard refers to backend list 7, which it does not contain" });
    const opened = openShard(text, "light", "lazy");
    if ("error" in opened) throw new Error(opened.error);
    expect(opened.reader.routes("hosts", "a.example.com").map((r) => r.id)).toEqual(["shop/a"]);
    expect(() => opened.reader.routes("hosts", "b.example.com")).toThrow(
      new CorruptShard("the shard refers to backend list 7, which it does not contain"),
    );
  });

  it("compiles and shards 100,000 routes: every host in shardOf(host), every shard well under the KV limit", () => {
    const count = 100_000;
    const objects: SourceObject[] = Array.from({ length: count }, (_, i) => ({
      source: { file: "big.yaml", doc: i },
      object: route(`r${i}`, { host: `app-${i}.tenant-${i % 97}.example.com`, path: i % 3 === 0 ? "/api" : undefined }),
    }));
    objects.push({ source: { file: "big.yaml", doc: count }, object: service("web") });
    const result = compile(objects, DEFAULT_COMPILE_OPTIONS);
    expect(result.diagnostics).toEqual([]);
    expect(result.admitted).toHaveLength(count);
    expect(result.table.index).toMatchObject({ routeCount: count, hostCount: count });

    const out = serializeTable(result.table, sha256);
    const index = JSON.parse(out.index) as TableIndex;
    expect(index.shardCount).toBeGreaterThan(1);
    expect(out.shards).toHaveLength(index.shardCount);
    expect(index).toMatchObject({ routeCount: count, hostCount: count });
    let routes = 0;
    out.shards.forEach((text, i) => {
      expect(Buffer.byteLength(text)).toBeLessThan(25 * 1024 * 1024);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SHARD_TARGET_BYTES);
      expect(index.shardHashes[i]).toBe(sha256(text));
      const parsed = parseShard(text);
      if (!("shard" in parsed)) throw new Error(parsed.error);
      for (const [host, list] of Object.entries(parsed.shard.hosts)) {
        expect(shardOf(host, index.shardCount)).toBe(i);
        routes += list.length;
      }
    });
    expect(routes).toBe(count);
  });
});

describe("openShard (the Worker's reader)", () => {
  it("gives routes whose every field reads as parseShard's plain objects, light or not", () => {
    const tables = [serializeTable(run(mixed).table, sha256).shards, TABLE_V1.shards];
    let light = 0;
    for (const texts of tables) {
      for (const text of texts) {
        const opened = openShard(text);
        const parsed = parseShard(text);
        if ("error" in opened || "error" in parsed) throw new Error("a shard does not open");
        for (const group of ["hosts", "wildcards"] as const) {
          const keys = group === "hosts" ? opened.reader.hostKeys : opened.reader.wildcardKeys;
          for (const key of keys) {
            const routes = opened.reader.routes(group, key);
            expect(routes).toHaveLength(parsed.shard[group][key]?.length ?? -1);
            routes.forEach((route, i) => {
              const plain = parsed.shard[group][key]?.[i] as CompiledRoute;
              if (Object.getPrototypeOf(route) !== Object.prototype) light++;
              for (const field of Object.keys(plain) as (keyof CompiledRoute)[])
                expect(route[field], `${route.id} ${field}`).toEqual(plain[field]);
            });
          }
        }
      }
    }
    // Most routes of these tables hold every default beyond their own fields (shop/web of mixed has a timeout).
    expect(light).toBeGreaterThan(5);
  });
});

describe("serializeTable: backend lists", () => {
  it("writes apart lists that share an endpoint list object but differ in weight, Service, id or a further field", () => {
    const table = run(mixed).table;
    const template = table.shards[0]?.hosts["shop.example.com"]?.find((r) => r.id === "shop/web");
    if (template === undefined) throw new Error("no shop/web in the fixture");
    // One endpoint list object, as the compiler shares it among the routes of a Service port.
    const endpoints = template.backends[0]?.endpoints ?? [];
    const plain = (service: string, weight = 100, id = backendId(service)): Backend => ({
      service,
      weight,
      id,
      endpoints,
    });
    const variants: Backend[][] = [
      [plain("shop/web")],
      [plain("shop/web", 50)],
      [plain("shop/other")],
      [plain("shop/web", 100, "custom")],
      [{ ...plain("shop/web"), invalid: "the Service has no port 80" }],
      [plain("shop/web", 90), plain("shop/other", 10)],
      // The same as the first, with an endpoint list object of its own: the same list.
      [{ ...plain("shop/web"), endpoints: endpoints.map((e) => ({ ...e })) }],
    ];
    const hosts: Record<string, CompiledRoute[]> = {};
    variants.forEach((backends, i) => {
      hosts[`h${i}.example.com`] = [{ ...template, id: `shop/r${i}`, host: `h${i}.example.com`, backends }];
    });
    const out = serializeTable(
      { index: table.index, shards: [{ schema: TABLE_SCHEMA, hosts, wildcards: {} }] },
      sha256,
    );
    expect(out.shards).toHaveLength(1);
    const parsed = parseShard(out.shards[0] as string);
    if ("error" in parsed) throw new Error(parsed.error);
    variants.forEach((backends, i) => {
      expect(parsed.shard.hosts[`h${i}.example.com`]?.[0]?.backends).toEqual(backends);
    });
    expect((JSON.parse(out.shards[0] as string) as { backends: unknown[] }).backends).toHaveLength(variants.length - 1);
  });
});

describe("a table of the previous schema (v1)", () => {
  // As the routes CLI published it before schema v2 (see the fixture's comment): index and shards, byte for byte.
  const v1 = TABLE_V1;
  const hash16 = (text: string) => sha256(text).slice(0, 16);

  it("is the published bytes (its hashes check) and restores to the same routes as after republishing in v2", () => {
    const index = JSON.parse(v1.index) as TableIndex;
    expect(index.schema).toBe("edgeroute/route-table/v1");
    expect(v1.shards.map(hash16)).toEqual(index.shardHashes);
    const shards = v1.shards.map((text) => {
      const parsed = parseShard(text);
      if ("error" in parsed) throw new Error(parsed.error);
      return parsed.shard;
    });
    // What a v1 shard carries arrives whole: an HTTPRoute header match, a route handed to a cluster router, the
    // canary and split of shop/web, a backend answering 500 with its reason, two endpoints of one Service.
    const all = shards.flatMap((shard) => Object.values(shard.hosts).flat());
    const byId = (id: string) => all.find((r) => r.id === id);
    expect(byId("default/foo-route#1.0")?.gateway?.headers).toEqual([{ name: "env", value: "canary" }]);
    expect(byId("store/frontend")?.backends[0]?.router).toEqual({ name: "default", from: "status" });
    expect(byId("shop/web")?.canary).toEqual({ backend: "886897ea", cookie: "canary", header: { name: "x-canary" } });
    expect(byId("shop/web")?.backends.map((b) => [b.service, b.weight, b.endpoints.length])).toEqual([
      ["shop/web-blue", 90, 1],
      ["shop/web-green", 10, 2],
    ]);
    expect(byId("default/foo-route#2.0")?.backends[0]?.invalid).toMatch(/no ReferenceGrant/);
    expect(byId("shop/api#0.0")).toMatchObject({ kind: "Ingress", match: "exact", path: "/healthz" });

    const again = serializeTable({ index, shards }, sha256);
    expect(JSON.parse(again.index)).toMatchObject({ schema: "edgeroute/route-table/v2", routeCount: index.routeCount });
    const reread = again.shards.map((text) => {
      const parsed = parseShard(text);
      if ("error" in parsed) throw new Error(parsed.error);
      return parsed.shard;
    });
    expect(reread).toEqual(shards);
    // The positional form is the smaller one.
    expect(again.shards.join("").length).toBeLessThan(v1.shards.join("").length * 0.7);
  });
});

describe("serializeTable: a change to one route changes one shard", () => {
  /** 12,000 routes over 40 Services (40 backend lists), several shards. */
  function table(changed: Record<number, { service?: string; weight?: number }>) {
    const objects: SourceObject[] = Array.from({ length: 12_000 }, (_, i) => ({
      source: { file: "big.yaml", doc: i },
      object: route(`r${i}`, { host: `app-${i}.example.com`, service: `svc-${i % 40}`, ...changed[i] }),
    }));
    for (let s = 0; s <= 40; s++) {
      objects.push({
        source: { file: "big.yaml", doc: 20_000 + s },
        object: service(`svc-${s}`, { ip: `203.0.113.${s + 1}` }),
      });
    }
    const result = compile(objects, DEFAULT_COMPILE_OPTIONS);
    expect(result.diagnostics).toEqual([]);
    return serializeTable(result.table, sha256);
  }

  it("keeps every other shard byte for byte, even when the route's backend list is new to the table", () => {
    const before = table({});
    expect(before.shards.length).toBeGreaterThan(1);
    // Route r0 (the first host in sorted order) gets a backend list of its own. Numbered over the whole table, it
    // would shift the numbers of every later list, and so the bytes of most shards.
    for (const change of [{ weight: 7 }, { service: "svc-40" }]) {
      const after = table({ 0: change });
      expect(after.shards).toHaveLength(before.shards.length);
      const differing = after.shards.flatMap((text, i) => (text === before.shards[i] ? [] : [i]));
      expect(differing).toEqual([shardOf("app-0.example.com", before.shards.length)]);
      expect(after.version).not.toBe(before.version);
    }
  });
});

describe("shardsForHost", () => {
  it("without reach fields (an older table), names the host's own shard, then every suffix's and the catch-all's", () => {
    expect(shardsForHost("shop.example.com", { shardCount: 1 })).toEqual([0]);
    const keys = ["a.shop.example.com", "shop.example.com", "example.com", "com", "*"];
    const expected = [...new Set(keys.map((key) => shardOf(key, 64)))];
    expect(shardsForHost("a.shop.example.com", { shardCount: 64 })).toEqual(expected);
    expect(shardsForHost("localhost", { shardCount: 64 })).toEqual([
      ...new Set([shardOf("localhost", 64), shardOf("*", 64)]),
    ]);
  });

  it("names only the suffixes of the label counts the table has wildcards for, and the catch-all only if it has one", () => {
    const reach = { shardCount: 64, wildcardLabels: [3], catchAll: false };
    const own = shardOf("a.b.shop.example.com", 64);
    expect(shardsForHost("a.b.shop.example.com", reach)).toEqual([...new Set([own, shardOf("shop.example.com", 64)])]);
    expect(shardsForHost("a.b.shop.example.com", { ...reach, wildcardLabels: [], catchAll: true })).toEqual([
      ...new Set([own, shardOf("*", 64)]),
    ]);
  });

  it("is written by serializeTable from the table's wildcard suffixes and catch-all", () => {
    const result = run([
      service("web"),
      ingress("shop", { rules: [rule("a.example.com"), rule("*.apps.example.com"), rule(undefined)] }),
    ]);
    expect(problems(result)).toEqual([]);
    const index = JSON.parse(serializeTable(result.table, sha256).index) as TableIndex;
    expect(index).toMatchObject({ wildcardLabels: [3], catchAll: true });
    expect(index.wildcardFilter && mayHoldWildcard(index.wildcardFilter, "apps.example.com")).toBe(true);
  });

  it("skips a suffix of a wildcard label count that the wildcard filter does not hold", () => {
    const filter = buildWildcardFilter(["apps.example.com"]);
    if (filter === undefined) throw new Error("no filter");
    const reach = { shardCount: 64, wildcardLabels: [3], catchAll: false };
    const own = shardOf("a.web.apps.example.com", 64);
    expect(shardsForHost("a.web.apps.example.com", { ...reach, wildcardFilter: filter })).toEqual([
      ...new Set([own, shardOf("apps.example.com", 64)]),
    ]);
    expect(shardsForHost("web.team.example.org", { ...reach, wildcardFilter: filter })).toEqual([
      shardOf("web.team.example.org", 64),
    ]);
  });
});

describe("wildcard filter", () => {
  const suffixes = Array.from({ length: 5_000 }, (_, i) => `t${i}.tenant-${i % 37}.example.net`);
  const filter = buildWildcardFilter(suffixes);

  it("holds every suffix it was built from (a Bloom filter has no false negatives)", () => {
    if (filter === undefined) throw new Error("no filter");
    expect(suffixes.filter((s) => !mayHoldWildcard(filter, s))).toEqual([]);
  });

  it("rarely holds other suffixes (about 1% false positives at 10 bits per suffix)", () => {
    if (filter === undefined) throw new Error("no filter");
    const others = Array.from({ length: 10_000 }, (_, i) => `web-${i}.team-${i % 53}.apps.example.com`);
    const falsePositives = others.filter((s) => mayHoldWildcard(filter, s)).length;
    expect(falsePositives).toBeLessThan(300);
  });

  it("is absent without wildcards, and a filter that does not decode holds everything (the shard is read)", () => {
    expect(buildWildcardFilter([])).toBeUndefined();
    expect(mayHoldWildcard({ hashes: 3, bits: "not hex!" }, "a.example.com")).toBe(true);
    expect(mayHoldWildcard({ hashes: 3, bits: "000" }, "a.example.com")).toBe(true);
    expect(mayHoldWildcard({ hashes: 0, bits: "0000" }, "a.example.com")).toBe(true);
    expect(mayHoldWildcard({ hashes: 3, bits: "0000" }, "a.example.com")).toBe(false);
  });

  it("stays at most 8 KiB however many wildcards a table has", () => {
    const many = buildWildcardFilter(Array.from({ length: 100_000 }, (_, i) => `w${i}.example.net`));
    expect(many?.bits.length).toBe(2 * 8 * 1024);
  });
});
