/**
 * @module The Worker's bindings and variables (wrangler.toml). Rate-limiting bindings (`RATE_LIMIT_<n>`) are
 * looked up by the name the route table gives, so they are not listed one by one.
 */
export interface Env {
  /** The route table published by `npm run routes -- push`. */
  ROUTES: KVNamespace;
  /** Seconds between background re-reads of the pointer key. */
  ROUTES_REFRESH_SECONDS?: string;
  /** `resolve-override` (production) or `direct` (local development). */
  FORWARD_MODE?: string;
  /** `true`: one JSON log line per request; otherwise only for 5xx answers. */
  ACCESS_LOG?: string;
  /** `true` only in local development, where the demo backends listen on loopback. */
  ALLOW_LOOPBACK_TARGETS?: string;
  /** The health-check Durable Objects (worker/health/monitor.ts). */
  HEALTH?: DurableObjectNamespace<import("./health/monitor.ts").HealthMonitor>;
  /** How many health objects share the probes (default 16); the same value everywhere. */
  HEALTH_OBJECTS?: string;
  /** Seconds between background re-reads of the health snapshots (default 5). */
  HEALTH_REFRESH_SECONDS?: string;
  /**
   * The host the gateway's own endpoints (`/__edgeroute/health`) answer on, e.g. the workers.dev name; unset or
   * empty: they answer nowhere. Never a route host.
   */
  ADMIN_HOST?: string;
  /** Secret (`wrangler secret put ADMIN_TOKEN`): when set, the admin endpoints need `Authorization: Bearer <it>`. */
  ADMIN_TOKEN?: string;
  [binding: string]: unknown;
}
