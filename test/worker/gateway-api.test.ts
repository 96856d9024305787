/**
 * HTTPRoute answers the Worker gives by itself, in workerd against its real KV binding: RequestRedirect
 * Locations exactly as written (wrangler dev's proxy rewrites the scheme of same-host Locations, so the e2e run
 * cannot see it), the 500 of an invalid or missing backendRef, and conditions deciding between them.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { TABLE_SCHEMA } from "../../worker/core/table/types.ts";
import type { CompiledRoute, TableIndex } from "../../worker/core/table/types.ts";
import { backend, publishedHash, route, shardsOf } from "../support/route-builder.ts";

const kv = (env as unknown as { ROUTES: KVNamespace }).ROUTES;
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
const get = (url: string, init?: RequestInit) => worker.fetch(new Request(url, init));

const both = { termination: "edge", insecure: "Allow" } as const;
const routes: CompiledRoute[] = [
  route({
    id: "gw/redirect#0.0",
    kind: "HTTPRoute",
    host: "gw.example.com",
    path: "/scheme",
    tls: both,
    backends: [],
    gateway: { redirect: { scheme: "https", statusCode: 302 } },
  }),
  route({
    id: "gw/redirect#1.0",
    kind: "HTTPRoute",
    host: "gw.example.com",
    path: "/old",
    tls: both,
    backends: [],
    gateway: { redirect: { path: { type: "prefix", value: "/new" }, port: 8443, statusCode: 308 } },
  }),
  route({
    id: "gw/invalid#0.0",
    kind: "HTTPRoute",
    host: "gw.example.com",
    path: "/invalid",
    tls: both,
    backends: [{ ...backend("gw/missing", 1), invalid: "Service gw/missing is not in the input" }],
  }),
  route({
    id: "gw/invalid#1.0",
    kind: "HTTPRoute",
    host: "gw.example.com",
    path: "/invalid",
    tls: both,
    backends: [],
    gateway: {
      headers: [{ name: "x-canary", value: "always" }],
      redirect: { hostname: "canary.example.com", statusCode: 302 },
    },
  }),
  route({ id: "gw/none#0.0", kind: "HTTPRoute", host: "gw.example.com", path: "/none", tls: both, backends: [] }),
];

beforeAll(async () => {
  const shards = shardsOf(routes).map((shard) => JSON.stringify(shard));
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount: 1,
    routeCount: routes.length,
    hostCount: 1,
    notFound: 503,
    shardHashes: await Promise.all(shards.map(publishedHash)),
  };
  await kv.put("routes:table:gw1:0", shards[0] as string);
  await kv.put("routes:table:gw1", JSON.stringify(index));
  const { schema, routeCount, hostCount, shardCount, notFound, shardHashes } = index;
  await kv.put(
    "routes:current",
    JSON.stringify({
      version: "gw1",
      schema,
      notFound,
      routeCount,
      hostCount,
      shardCount,
      shardHashes,
      publishedAt: "2026-11-30T00:00:00Z",
      publishedBy: "test",
    }),
  );
});

it("RequestRedirect with scheme https keeps host, path and query, and omits the well-known port", async () => {
  const res = await get("http://gw.example.com/scheme/x?q=1", { redirect: "manual" });
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("https://gw.example.com/scheme/x?q=1");
});

it("RequestRedirect ReplacePrefixMatch with a port and 308", async () => {
  const res = await get("https://gw.example.com/old/a/b", { redirect: "manual" });
  expect(res.status).toBe(308);
  expect(res.headers.get("location")).toBe("https://gw.example.com:8443/new/a/b");
});

it("a missing backendRef answers 500 with a page that names no internal Service", async () => {
  const res = await get("https://gw.example.com/invalid");
  expect(res.status).toBe(500);
  const text = await res.text();
  expect(text).toContain("not valid");
  expect(text).not.toContain("gw/missing");
});

it("a header condition on the same path takes precedence over the route without conditions", async () => {
  const res = await get("https://gw.example.com/invalid", { headers: { "X-Canary": "always" }, redirect: "manual" });
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("https://canary.example.com/invalid");
});

it("a rule without backendRefs answers 500", async () => {
  expect((await get("http://gw.example.com/none")).status).toBe(500);
});
