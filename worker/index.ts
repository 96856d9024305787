/**
 * @module The Worker entry: hono as the app shell. The gateway's own endpoints live under the reserved prefix
 * `/__edgeroute/`; everything else goes through the request pipeline. The route table is never registered as
 * hono routes: it is data, matched by worker/core.
 */
import { Hono } from "hono";
import { newBalanceState, PassiveHealth } from "./core/index.ts";
import type { Env } from "./env.ts";
import { run } from "./pipeline/run.ts";
import { SharedHealth } from "./health/shared.ts";
import { TableCache } from "./table/load.ts";

export { HealthMonitor } from "./health/monitor.ts";

// Isolate state: the cached table, the balancing counters and what this isolate knows of endpoint health, shared by the requests this isolate serves.
const tables = new TableCache();
const balance = newBalanceState();
const health = { passive: new PassiveHealth(), shared: new SharedHealth() };

const app = new Hono<{ Bindings: Env }>();

/** Which table version this isolate serves; does not read KV when warm. */
app.get("/__edgeroute/health", async (c) => {
  try {
    const table = await tables.get(c.env, (p) => c.executionCtx.waitUntil(p));
    return c.json({ ok: true, version: table.version, routes: table.index.routeCount }, 200, {
      "Cache-Control": "no-store",
    });
  } catch {
    return c.json({ ok: false, version: null }, 503, { "Cache-Control": "no-store" });
  }
});

app.all("*", (c) =>
  run(c.req.raw, { env: c.env, tables, balance, health, waitUntil: (p) => c.executionCtx.waitUntil(p) }),
);

export default app;
