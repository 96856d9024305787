/**
 * Two clusters through the real gateway: each cluster's export pushed as `NAME=PATH` (east=…, west=…), the same
 * Route in both served as one route whose endpoints are the two clusters' load balancers (here two local echo
 * backends), checked on what each backend received.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseShard, type Pointer, shardKey } from "../../worker/core/index.ts";
import { kvGet, kvJson } from "../cli/helpers.ts";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { eventually, load } from "../support/load.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

/** One cluster's export: shop/web (active-active) and shop/api (active-passive, west first) on its own load balancer. */
const clusterExport = (backend: string, routes: ("web" | "api")[] = ["web", "api"]): string =>
  (routes.includes("web")
    ? routeYaml({ namespace: "shop", name: "web", host: "shop.example.com", backends: [["web", 100]] })
    : "") +
  (routes.includes("api")
    ? routeYaml({
        namespace: "shop",
        name: "api",
        host: "api.example.com",
        backends: [["api", 100]],
        annotations: { "edgeroute.dev/cluster-order": "west, east" },
      })
    : "") +
  lbService("shop", "web", backend) +
  lbService("shop", "api", backend);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    backends: ["east", "west"],
    manifests: { east: clusterExport("east"), west: clusterExport("west") },
  });
}, 300_000);
afterAll(async () => {
  await h?.stop();
});

// Pushes and wrangler calls take tens of seconds on a loaded 2-core machine: generous limits, no timed assertions.
it("serves one route from both clusters (active-active): each cluster's load balancer gets its share", {
  timeout: 180_000,
}, async () => {
  const answered = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const res = await send(h.gateway.url, "shop.example.com", `/cart?i=${i}`);
    expect(res.status).toBe(200);
    const backend = String(res.headers["x-backend"]);
    answered.set(backend, (answered.get(backend) ?? 0) + 1);
  }
  expect([...answered.keys()].sort()).toEqual(["east", "west"]);
  for (const name of ["east", "west"]) {
    const received = h.backends[name]?.received.filter((r) => r.headers["x-forwarded-host"] === "shop.example.com");
    expect(received?.length).toBe(answered.get(name));
    expect(received?.every((r) => r.path === "/cart" && r.query.startsWith("i="))).toBe(true);
  }
});

it("fails over between clusters under load: west killed, no GET fails on the active-active or the active-passive route", {
  timeout: 300_000,
}, async () => {
  // Active-passive (edgeroute.dev/cluster-order: west, east): west alone serves while it has an endpoint up.
  for (let i = 0; i < 10; i++) {
    const res = await send(h.gateway.url, "api.example.com", `/v1?i=${i}`);
    expect(res.status).toBe(200);
    expect(res.headers["x-backend"]).toBe("west");
  }
  // Active-active: west dies a third of the way through; east takes all traffic with no failed GET.
  const web = await load(h.gateway.url, "shop.example.com", {
    total: 300,
    concurrency: 10,
    afterAnswer: async (n) => {
      if (n === 100) await h.kill("west");
    },
  });
  expect(web.failures.map((f) => `${f.status} ${f.body.slice(0, 200)}`)).toEqual([]);
  expect(web.backends.slice(0, 100)).toContain("west");
  expect(web.backends.slice(-100).every((b) => b === "east")).toBe(true);
  // Active-passive: with west gone, east (the next cluster in the order) serves, again with no failed GET.
  const api = await load(h.gateway.url, "api.example.com", { total: 60, concurrency: 5 });
  expect(api.failures.map((f) => `${f.status} ${f.body.slice(0, 200)}`)).toEqual([]);
  expect(api.backends.slice(-30).every((b) => b === "east")).toBe(true);
  await h.restart("west");
});

it("publishes the active-passive route with west preferred, serves it, and follows a push without east", {
  timeout: 300_000,
}, async () => {
  const pointer = await kvJson<Pointer>(h.persistTo, "routes:current");
  const parsed = parseShard((await kvGet(h.persistTo, shardKey(pointer.version, pointer, 0))) ?? "");
  if ("error" in parsed) throw new Error(parsed.error);
  const api = parsed.shard.hosts["api.example.com"]?.[0];
  expect(api?.backends[0]?.endpoints.map((e) => [e.cluster, e.priority ?? 0])).toEqual([
    ["east", 1],
    ["west", 0],
  ]);
  const served = await send(h.gateway.url, "api.example.com", "/v1");
  expect(served.status).toBe(200);
  expect(["east", "west"]).toContain(served.headers["x-backend"]);

  // Cluster east is taken out of the push (its export no longer has the routes): every request goes to west.
  const before = await h.version();
  await h.push({ east: clusterExport("east", []), west: clusterExport("west") });
  await h.waitForChange(before);
  // The previous test killed and restarted west: wait until the health checks have it back up (rise 2).
  await eventually(
    "west serves again",
    async () => (await send(h.gateway.url, "shop.example.com", "/")).status === 200,
  );
  const westBefore = h.backends.west?.received.length ?? 0;
  const eastBefore = h.backends.east?.received.length ?? 0;
  for (let i = 0; i < 20; i++) {
    const res = await send(h.gateway.url, i % 2 === 0 ? "shop.example.com" : "api.example.com", "/");
    expect(res.status).toBe(200);
    expect(res.headers["x-backend"]).toBe("west");
  }
  expect((h.backends.west?.received.length ?? 0) - westBefore).toBe(20);
  expect(h.backends.east?.received.length).toBe(eastBefore);
});
