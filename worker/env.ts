/**
 * @module The Worker's bindings and variables (wrangler.toml). Rate-limiting bindings (`RATE_LIMIT_<n>`) are
 * looked up by the name the route table gives, so they are not listed one by one.
 */
import { normalizeHost } from "./core/index.ts";

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

/** `resolve-override` (production) or `direct` (local development): how the gateway reaches an endpoint. */
export type ForwardMode = "resolve-override" | "direct";

/** What the request path reads from the variables above, parsed once per `env` object (see {@link configOf}). */
export interface Config {
  forwardMode: ForwardMode;
  /** `ACCESS_LOG=true`: a log line for every request, not only for 5xx answers. */
  accessLog: boolean;
  /** `ALLOW_LOOPBACK_TARGETS=true`: loopback endpoints are allowed (local development only). */
  allowLoopback: boolean;
  /** `ADMIN_HOST` as a routing key (lowercase, no port), or null when the admin endpoints answer nowhere. */
  adminHost: string | null;
  /** `ROUTES_REFRESH_SECONDS` in ms: how often a warm isolate re-reads the table pointer (default 30 s). */
  refreshMs: number;
}

const DEFAULT_REFRESH_SECONDS = 30;

const configs = new WeakMap<Env, Config>();

/**
 * The parsed variables of `env`. workerd hands an isolate's requests the same `env` object, so a warm request
 * parses nothing; a different object (a test's own env) gets its own parse.
 */
export function configOf(env: Env): Config {
  let config = configs.get(env);
  if (config === undefined) {
    const adminHost = env.ADMIN_HOST?.trim();
    config = {
      forwardMode: env.FORWARD_MODE === "direct" ? "direct" : "resolve-override",
      accessLog: env.ACCESS_LOG === "true",
      allowLoopback: env.ALLOW_LOOPBACK_TARGETS === "true",
      adminHost: adminHost ? normalizeHost(adminHost) : null,
      refreshMs: refreshMs(env),
    };
    configs.set(env, config);
  }
  return config;
}

function refreshMs(env: Env): number {
  const seconds = Number(env.ROUTES_REFRESH_SECONDS ?? DEFAULT_REFRESH_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_REFRESH_SECONDS) * 1000;
}
