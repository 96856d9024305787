/**
 * @module The Worker entry: hono as the app shell. The gateway's own endpoints (`/__edgeroute/…`) are served only
 * on the operator's admin host (`ADMIN_HOST`, never a route host: route hosts cannot be IP literals and the admin
 * host should be the workers.dev name or a name of its own), and behind `ADMIN_TOKEN` when that secret is set.
 * Everywhere else every path, `/__edgeroute/…` included, goes through the request pipeline, so the gateway neither
 * reveals its table nor shadows a backend's path. The route table is never registered as hono routes: it is data,
 * matched by worker/core.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { newBalanceState, normalizeHost, PassiveHealth } from "./core/index.ts";
import type { Env } from "./env.ts";
import { run } from "./pipeline/run.ts";
import { SharedHealth } from "./health/shared.ts";
import { TableCache } from "./table/load.ts";

export { HealthMonitor } from "./health/monitor.ts";

// Isolate state: the cached table, the balancing counters and what this isolate knows of endpoint health, shared by the requests this isolate serves.
const tables = new TableCache();
const balance = newBalanceState();
const health = { passive: new PassiveHealth(), shared: new SharedHealth() };

type App = { Bindings: Env };

const app = new Hono<App>();

/** Which table version this isolate serves; does not read KV when warm. Admin host only. */
app.get("/__edgeroute/health", async (c) => {
  const admin = await adminAccess(c);
  if (admin === "not-admin") return pipeline(c);
  if (admin === "unauthorized") {
    return c.json({ error: "Unauthorized" }, 401, {
      "Cache-Control": "no-store",
      "WWW-Authenticate": 'Bearer realm="edgeroute admin"',
    });
  }
  try {
    const table = await tables.get(c.env, (p) => c.executionCtx.waitUntil(p));
    return c.json({ ok: true, version: table.version, routes: table.index.routeCount }, 200, {
      "Cache-Control": "no-store",
    });
  } catch {
    return c.json({ ok: false, version: null }, 503, { "Cache-Control": "no-store" });
  }
});

app.all("*", pipeline);

function pipeline(c: Context<App>): Promise<Response> {
  return run(c.req.raw, { env: c.env, tables, balance, health, waitUntil: (p) => c.executionCtx.waitUntil(p) });
}

/**
 * `admin`: the request is for the admin host (and carries the token when one is configured); `not-admin`: any
 * other host, or no admin host configured (the path is then an ordinary path of that host); `unauthorized`: the
 * admin host without the right `Authorization: Bearer <ADMIN_TOKEN>`.
 */
async function adminAccess(c: Context<App>): Promise<"admin" | "not-admin" | "unauthorized"> {
  const configured = c.env.ADMIN_HOST?.trim();
  if (!configured) return "not-admin";
  const host = normalizeHost(new URL(c.req.url).host);
  if (host === null || host !== normalizeHost(configured)) return "not-admin";
  const token = c.env.ADMIN_TOKEN;
  if (token === undefined || token === "") return "admin";
  const given = c.req.header("authorization") ?? "";
  return (await sameSecret(given, `Bearer ${token}`)) ? "admin" : "unauthorized";
}

/** Constant-time comparison (of SHA-256 digests, so lengths do not leak either). */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}

export default app;
