/**
 * The shared routing case table (test/cases/routing.cases.ts) through the real Worker over HTTP and HTTPS: the
 * same cases the core matcher passes must hold end to end. Each route has its own backend, so the backend that
 * answers names the route that served the request.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EchoBackend, startEchoBackend } from "../../scripts/dev/echo-backend.ts";
import { PROJECT_ROOT, type RunningGateway, startGateway } from "../../scripts/dev/wrangler-dev.ts";
import { openWranglerKv } from "../../scripts/lib/kv.ts";
import { readLiveState } from "../../scripts/lib/live-table.ts";
import { planPublish, publish } from "../../scripts/lib/publish.ts";
import { TABLE_SCHEMA } from "../../worker/core/index.ts";
import type { CompiledRoute, RouteTable } from "../../worker/core/index.ts";
import { ROUTING_CASES, ROUTING_ROUTES } from "../cases/routing.cases.ts";
import { freePort, send } from "../support/harness.ts";
import { backend } from "../support/route-builder.ts";

let dir: string;
const backends: EchoBackend[] = [];
const gateways: { http?: RunningGateway; https?: RunningGateway } = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgeroute-routing-"));
  const routes: CompiledRoute[] = [];
  for (const r of ROUTING_ROUTES) {
    const echo = await startEchoBackend(r.id);
    backends.push(echo);
    routes.push({
      ...r,
      backends: [backend(`${r.id}-svc`, 100, [{ scheme: "http", host: "127.0.0.1", port: echo.port }])],
    });
  }
  const hosts: Record<string, CompiledRoute[]> = {};
  const wildcards: Record<string, CompiledRoute[]> = {};
  for (const r of routes) {
    const group = r.host.startsWith("*.") ? wildcards : hosts;
    (group[r.host.replace(/^\*\./, "")] ??= []).push(r);
  }
  const table: RouteTable = {
    index: {
      schema: TABLE_SCHEMA,
      shardCount: 1,
      routeCount: routes.length,
      hostCount: 0,
      notFound: 503,
      shardHashes: [],
    },
    shards: [{ schema: TABLE_SCHEMA, hosts, wildcards }],
  };
  const kv = openWranglerKv(
    { mode: "local", config: resolve(PROJECT_ROOT, "wrangler.toml"), persistTo: join(dir, "state"), binding: "ROUTES" },
    process.env,
  );
  await publish(
    kv,
    planPublish(table),
    { publishedAt: new Date().toISOString(), publishedBy: "test", keep: 5 },
    await readLiveState(kv),
  );
  gateways.http = await startGateway({ port: await freePort(), persistTo: join(dir, "state"), stdio: "collect" });
  gateways.https = await startGateway({
    port: await freePort(),
    persistTo: join(dir, "state"),
    protocol: "https",
    stdio: "collect",
  });
});

afterAll(async () => {
  await Promise.all([gateways.http?.stop(), gateways.https?.stop()]);
  await Promise.all(backends.map((b) => b.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("routing cases through the real Worker", () => {
  it.each(ROUTING_CASES)("$id", async ({ url, expect: expected }) => {
    const parsed = new URL(url);
    const gateway = parsed.protocol === "https:" ? gateways.https : gateways.http;
    if (!gateway) throw new Error("gateway not started");
    const res = await send(gateway.url, parsed.host, `${parsed.pathname}${parsed.search}`);
    if (expected === "none") {
      expect(res.status).toBe(503);
      expect(res.body).toContain("Application is not available");
    } else if (expected.startsWith("redirect:")) {
      expect(res.status).toBe(302);
      // wrangler dev's own proxy rewrites absolute URLs in response headers to its listener's scheme, so only the
      // rest of the Location is checked here; test/worker/gateway.test.ts checks the exact https:// value in workerd.
      expect(res.headers.location).toMatch(
        new RegExp(
          `^https?://${parsed.hostname.replace(/\.$/, "").replace(/\./g, "\\.")}${parsed.pathname}\\${parsed.search}$`,
        ),
      );
    } else {
      expect(res.status).toBe(200);
      expect(res.headers["x-backend"]).toBe(expected);
    }
  });
});
