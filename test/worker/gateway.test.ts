/**
 * The Worker in workerd (@cloudflare/vitest-plugin), against its real KV binding: loading and swapping tables,
 * and every answer the gateway gives by itself (no backend involved). Forwarding is tested end to end in
 * test/e2e with real backends.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { TABLE_SCHEMA } from "../../worker/core/table/types.ts";
import type { CompiledRoute, Pointer, TableIndex } from "../../worker/core/table/types.ts";
import { backend, publishedHash, route, shardsOf } from "../support/route-builder.ts";

const kv = (env as unknown as { ROUTES: KVNamespace }).ROUTES;

async function publish(
  version: string,
  routes: CompiledRoute[],
  shardCount = 1,
  notFound: 503 | 404 = 503,
): Promise<void> {
  const shards = shardsOf(routes, shardCount).map((shard) => JSON.stringify(shard));
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount,
    routeCount: routes.length,
    hostCount: new Set(routes.map((r) => r.host)).size,
    notFound,
    shardHashes: await Promise.all(shards.map(publishedHash)),
  };
  for (const [i, shard] of shards.entries()) await kv.put(`routes:table:${version}:${i}`, shard);
  await kv.put(`routes:table:${version}`, JSON.stringify(index));
  const { schema, routeCount, hostCount, shardHashes } = index;
  await point({ version, schema, notFound, routeCount, hostCount, shardCount, shardHashes });
}

/** The pointer as the CLI writes it; without `schema` and `notFound` (an older CLI) the Worker reads the index. */
async function point(fields: Partial<Pointer> & { version: string }): Promise<void> {
  const pointer = {
    publishedAt: "2026-11-25T00:00:00Z",
    publishedBy: "test",
    routeCount: 0,
    hostCount: 0,
    shardCount: 1,
    ...fields,
  };
  await kv.put("routes:current", JSON.stringify(pointer));
}

const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
const get = (url: string, init?: RequestInit) => worker.fetch(new Request(url, init));

async function health(): Promise<{ ok: boolean; version: string | null }> {
  // ADMIN_HOST is admin.edgeroute.test in the test config (vitest.config.ts).
  const res = await get("http://admin.edgeroute.test/__edgeroute/health");
  return (await res.json()) as { ok: boolean; version: string | null };
}

const unreachable = [{ scheme: "http" as const, host: "192.0.2.1", port: 80 }];

// Routes the tests rely on, published with v1 (tests run in order within this file).
const fixtures: CompiledRoute[] = [
  route({
    id: "tls/redirect",
    host: "secure.example.com",
    tls: { termination: "edge", insecure: "Redirect" },
    backends: [backend("tls/web", 100, unreachable)],
  }),
  route({
    id: "zero/web",
    host: "zero.example.com",
    tls: { termination: "edge", insecure: "None" },
    backends: [backend("zero/a", 0, unreachable), backend("zero/b", 0, unreachable)],
  }),
  route({
    id: "bad/meta-ip",
    host: "metadata-ip.example.com",
    tls: { termination: "edge", insecure: "None" },
    backends: [backend("bad/a", 1, [{ scheme: "http", host: "169.254.169.254", port: 80 }])],
  }),
  route({
    id: "bad/meta-name",
    host: "metadata-name.example.com",
    tls: { termination: "edge", insecure: "None" },
    backends: [backend("bad/b", 1, [{ scheme: "http", host: "metadata.google.internal", port: 80 }])],
  }),
  route({
    id: "bad/loop",
    host: "loopback.example.com",
    tls: { termination: "edge", insecure: "None" },
    backends: [backend("bad/c", 1, [{ scheme: "http", host: "127.0.0.1", port: 80 }])],
  }),
];

describe("the gateway in workerd", () => {
  it("answers 503 with a clear page while no table has ever been published", async () => {
    const res = await get("http://shop.example.com/");
    expect(res.status).toBe(503);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain("no route table");
    expect((await health()).ok).toBe(false);
  });

  it("loads the published table and answers the router's 503 page for unknown hosts", async () => {
    await publish("v1", [
      route({ id: "shop/web", host: "shop.example.com", backends: [backend("shop/web", 100, unreachable)] }),
      ...fixtures,
    ]);
    expect(await health()).toMatchObject({ ok: true, version: "v1" });
    const res = await get("http://nobody.example.com/");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain("Application is not available");
  });

  it("redirects plain HTTP to HTTPS on a Redirect route: host without port, original URI and query", async () => {
    const res = await get("http://Secure.Example.com:8080/a/b?x=1&y=%20", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://secure.example.com/a/b?x=1&y=%20");
  });

  it("answers 503 when every backend has weight 0", async () => {
    const res = await get("https://zero.example.com/");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("weight 0");
  });

  it("never forwards to link-local, metadata or (outside local development) loopback targets", async () => {
    const logged = vi.spyOn(console, "error");
    for (const host of ["metadata-ip.example.com", "metadata-name.example.com", "loopback.example.com"]) {
      const res = await get(`https://${host}/`);
      expect(res.status, host).toBe(502);
      const page = await res.text();
      expect(page, host).toContain("an address that is not allowed");
      // The page names no address; the log line does, with the request id the page shows.
      expect(page, host).not.toMatch(/169\.254|metadata\.google|127\.0\.0\.1/);
      const id = /request ([0-9a-f-]{36})/.exec(page)?.[1] as string;
      const line = logged.mock.calls.map((c) => String(c[0])).find((l) => l.includes(id)) as string;
      expect(JSON.parse(line)).toMatchObject({ code: "ForbiddenTarget", status: 502, ray: id });
      expect(JSON.parse(line).detail, host).toMatch(/never a target|only in local development/);
    }
    logged.mockRestore();
  });

  it("refuses paths a backend could read differently: encoded slash or backslash, bad escapes, NUL", async () => {
    for (const path of ["/a%2Fb", "/a%2fb", "/a%5Cb", "/a%zz", "/a%00"]) {
      const res = await get(`https://secure.example.com${path}`);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("keeps the last good table when the pointer names a missing or corrupt table", async () => {
    await point({ version: "missing", schema: TABLE_SCHEMA, notFound: 503 });
    await waitForRefresh();
    expect((await health()).version).toBe("v1");
    await kv.put("routes:table:corrupt", JSON.stringify({ schema: "something/else/v9", shardCount: 1 }));
    await point({ version: "corrupt" });
    await waitForRefresh();
    expect((await health()).version).toBe("v1");
  });

  it("swaps to a new version, and serves 404 instead of 503 when the table says so", async () => {
    await publish(
      "v2",
      [route({ id: "shop/web", host: "shop.example.com", backends: [backend("shop/web", 100, unreachable)] })],
      1,
      404,
    );
    await waitForRefresh();
    expect((await health()).version).toBe("v2");
    const res = await get("http://nobody.example.com/");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Application is not available");
  });

  it("reads a sharded table shard by shard and routes hosts in every shard", async () => {
    const routes = Array.from({ length: 40 }, (_, i) =>
      route({ id: `ns${i}/r`, host: `h${i}.example.com`, tls: { termination: "edge", insecure: "Redirect" } }),
    );
    await publish("v3", routes, 8);
    await waitForRefresh();
    expect((await health()).version).toBe("v3");
    for (const i of [0, 7, 13, 39]) {
      const res = await get(`http://h${i}.example.com/x`, { redirect: "manual" });
      expect(res.status, `h${i}`).toBe(302);
      expect(res.headers.get("location")).toBe(`https://h${i}.example.com/x`);
    }
    expect((await get("http://h40.example.com/")).status).toBe(503);
  });
});

/** The test config sets ROUTES_REFRESH_SECONDS to 1 (vitest.config.ts): wait past it, then trigger a re-read. */
async function waitForRefresh(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100));
  await health(); // triggers the background re-read
  await new Promise((r) => setTimeout(r, 200));
}
