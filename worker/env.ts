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
  [binding: string]: unknown;
}
