/** `routes status` end to end against the real local KV. */
import { describe, expect, it } from "vitest";
import type { HealthSnapshot, Pointer } from "../../../worker/core/index.ts";
import type { EndpointHealth } from "../../../scripts/lib/health.ts";
import { EXAMPLE, kvPut, routes, tempDir } from "../helpers.ts";

describe("status", { timeout: 180_000 }, () => {
  it("says when nothing is published, then shows the live version, who published it, counts and history", async () => {
    const kv = await tempDir("edgeroute-kv-");
    const empty = await routes(["status", "--persist-to", kv]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^no route table is published in local KV ROUTES \(/);

    expect((await routes(["push", EXAMPLE, "--persist-to", kv])).code).toBe(0);
    const text = await routes(["status", "--persist-to", kv]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^live version {3}([0-9a-f]{16})\npublished {6}\S+Z by cli-test@ci \(\d+ seconds? ago\)\ntable {10}6 routes, 3 hosts, 1 shard\nkv {13}local KV ROUTES/,
    );
    expect(text.stdout).toMatch(
      /History \(newest first, \* = live\):\n {3}VERSION {11}PUBLISHED {17}BY {11}ROUTES {2}HOSTS {2}SHARDS\n\* {2}[0-9a-f]{16} {2}\S+Z {2}cli-test@ci {2}6 {7}3 {6}1\n\nHealth/,
    );

    const json = await routes(["status", "--persist-to", kv, "--output", "json"]);
    const document = JSON.parse(json.stdout) as { live: Pointer; history: Pointer[] };
    expect(document.live).toMatchObject({ publishedBy: "cli-test@ci", routeCount: 6, hostCount: 3, shardCount: 1 });
    expect(document.history).toEqual([document.live]);
  });

  it("shows every endpoint's health as the health objects published it: up, down since when, last error, eligible", async () => {
    const kv = await tempDir("edgeroute-kv-");
    expect((await routes(["push", EXAMPLE, "--persist-to", kv])).code).toBe(0);
    const before = JSON.parse((await routes(["status", "--persist-to", kv, "--output", "json"])).stdout) as {
      health: EndpointHealth[];
    };
    // Nothing has been probed yet (no traffic): every endpoint is unknown, and eligible.
    const web = before.health.filter((h) => h.route === "shop/web");
    expect(web.map((h) => [h.backend, h.endpoint, h.state, h.eligible])).toEqual([
      ["shop/web-blue", "http://127.0.0.1:8081", "unknown", true],
      ["shop/web-green", "http://127.0.0.1:8082", "unknown", true],
      ["shop/web-green", "http://127.0.0.2:8082", "unknown", true],
    ]);

    const snapshot: HealthSnapshot = {
      object: 1,
      writtenAt: "2026-11-30T10:00:00.000Z",
      probes: {
        "http://127.0.0.1:8082 shop.example.com /": {
          endpoint: "http://127.0.0.1:8082",
          host: "shop.example.com",
          path: "/",
          up: false,
          since: "2026-11-30T09:59:58.000Z",
          lastError: "HTTP 503",
        },
        "http://127.0.0.2:8082 shop.example.com /": {
          endpoint: "http://127.0.0.2:8082",
          host: "shop.example.com",
          path: "/",
          up: true,
          since: "2026-11-30T09:00:00.000Z",
        },
      },
    };
    await kvPut(kv, "health:1", JSON.stringify(snapshot));
    const json = JSON.parse((await routes(["status", "--persist-to", kv, "--output", "json"])).stdout) as {
      health: EndpointHealth[];
    };
    expect(json.health.filter((h) => h.route === "shop/web" && h.backend === "shop/web-green")).toEqual([
      {
        route: "shop/web",
        backend: "shop/web-green",
        endpoint: "http://127.0.0.1:8082",
        cluster: null,
        priority: 0,
        host: "shop.example.com",
        state: "down",
        since: "2026-11-30T09:59:58.000Z",
        lastError: "HTTP 503",
        eligible: false,
      },
      {
        route: "shop/web",
        backend: "shop/web-green",
        endpoint: "http://127.0.0.2:8082",
        cluster: null,
        priority: 0,
        host: "shop.example.com",
        state: "up",
        since: "2026-11-30T09:00:00.000Z",
        lastError: null,
        eligible: true,
      },
    ]);
    const text = (await routes(["status", "--persist-to", kv])).stdout;
    expect(text).toMatch(
      /shop\/web +shop\/web-green +- +http:\/\/127\.0\.0\.1:8082 +shop\.example\.com +down +2026-11-30T09:59:58\.000Z \(\d+ \w+ ago\) +no +HTTP 503/,
    );
  });
});
