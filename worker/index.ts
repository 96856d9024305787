/**
 * @module The Worker entry. The gateway's own endpoints (`/__edgeroute/…`) are served only on the operator's admin
 * host (`ADMIN_HOST`, never a route host: route hosts cannot be IP literals and the admin host should be the
 * workers.dev name or a name of its own), and behind `ADMIN_TOKEN` when that secret is set; hono is the app shell
 * of that host only. Every other request goes straight to the request pipeline, with no framework dispatch on the
 * hot path (BENCHMARKS.md, gateway CPU per request): every path, `/__edgeroute/…` included, so the gateway neither
 * reveals its table nor shadows a backend's path. The route table is never registered as hono routes: it is data,
 * matched by worker/core.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { newBalanceState, normalizeHost, PassiveHealth } from "./core/index.ts";
import { configOf, type Env } from "./env.ts";
import { run } from "./pipeline/run.ts";
import { SharedHealth } from "./health/shared.ts";
import { TableCache } from "./table/load.ts";
import { startWarmUp } from "./warm-up.ts";

export { HealthMonitor } from "./health/monitor.ts";

// Isolate state: the cached table, the balancing counters and what this isolate knows of endpoint health, shared by the requests this isolate serves.
const tables = new TableCache();
const balance = newBalanceState();
const health = { passive: new PassiveHealth(), shared: new SharedHealth() };
// The request path's first run happens while the isolate starts (worker/warm-up.ts), not on its first request.
startWarmUp();

type App = { Bindings: Env };

/** The admin host's app: its endpoints, and the pipeline for every other path. */
const admin = new Hono<App>();

/** Which table version this isolate serves; does not read KV when warm. */
admin.get("/__edgeroute/health", async (c) => {
  if (!(await authorized(c))) {
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

admin.all("*", (c) => pipeline(c.req.raw, new URL(c.req.url), c.env, (p) => c.executionCtx.waitUntil(p)));

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const adminHost = configOf(env).adminHost;
    // Only an admin host that is configured is compared with (no host is the admin host when ADMIN_HOST is unset).
    if (adminHost !== null && normalizeHost(url.host) === adminHost) {
      return Promise.resolve(admin.fetch(request, env, ctx));
    }
    return pipeline(request, url, env, (p) => ctx.waitUntil(p));
  },
} satisfies ExportedHandler<Env>;

function pipeline(
  request: Request,
  url: URL,
  env: Env,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Response> {
  return run(request, url, { env, config: configOf(env), tables, balance, health, waitUntil });
}

/** True without a configured `ADMIN_TOKEN`, else only with `Authorization: Bearer <ADMIN_TOKEN>`. */
async function authorized(c: Context<App>): Promise<boolean> {
  const token = c.env.ADMIN_TOKEN;
  if (token === undefined || token === "") return true;
  return sameSecret(c.req.header("authorization") ?? "", `Bearer ${token}`);
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
