/**
 * @module Health state shared by the Worker, its health-check Durable Object and the routes CLI: the keys that
 * name an endpoint as seen by one route host, which object probes it, and the snapshot each object publishes to
 * KV (docs/health.md). Pure: no I/O.
 */
import { fnv1a } from "./hash.ts";
import type { Endpoint } from "./table/types.ts";

/** The User-Agent of every health-check probe, so backends (and the demo backend) can tell probes from clients. */
export const HEALTH_CHECK_USER_AGENT = "edgeroute-health-check";

/** KV key of health object `i`'s snapshot (next to the route table, in the same namespace). */
export function healthKvKey(object: number): string {
  return `health:${object}`;
}

/** `scheme://address:port`, IPv6 in brackets: how logs, status and keys print an endpoint. */
export function endpointAddress(endpoint: Endpoint): string {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.scheme}://${host}:${endpoint.port}`;
}

/**
 * One endpoint as one route host reaches it: the unit of passive health. A cluster router serves many hosts, so
 * one application answering 503 must not take the load balancer out for the others.
 */
export function healthKey(endpoint: Endpoint, host: string): string {
  return `${endpointAddress(endpoint)} ${host}`;
}

/** One active probe: endpoint, route host and path. Routes sharing all three share one probe. */
export function probeKey(endpoint: Endpoint, host: string, path: string): string {
  return `${healthKey(endpoint, host)} ${path}`;
}

/** Which of `count` health objects probes `key`: a stable hash, so every isolate asks the same object. */
export function healthObjectOf(key: string, count: number): number {
  return fnv1a(key) % count;
}

/** A probe's state as an object publishes it. */
export interface ProbeState {
  /** `scheme://address:port`. */
  endpoint: string;
  cluster?: string;
  host: string;
  path: string;
  up: boolean;
  /** ISO time of the last up/down change (or of the first registration). */
  since: string;
  /** The last failed probe's reason, when one failed. */
  lastError?: string;
}

/** The value at `health:<i>`: every probe object `i` runs, rewritten on a state change at most once a second. */
export interface HealthSnapshot {
  object: number;
  writtenAt: string;
  probes: Record<string, ProbeState>;
}

/** A snapshot from its KV text; `undefined` for anything else (a bad value never breaks a request). */
export function parseHealthSnapshot(text: string | null): HealthSnapshot | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<HealthSnapshot> | null;
    if (typeof value !== "object" || value === null || typeof value.probes !== "object" || value.probes === null)
      return undefined;
    return value as HealthSnapshot;
  } catch {
    return undefined;
  }
}

/**
 * Whether `status` is in `expect`, a list of statuses and ranges (`200-399,404`).
 * @example statusExpected(302, "200-399") === true; statusExpected(503, "200-399") === false
 */
export function statusExpected(status: number, expect: string): boolean {
  for (const range of expect.split(",")) {
    const dash = range.indexOf("-");
    const from = Number(dash < 0 ? range : range.slice(0, dash));
    const to = dash < 0 ? from : Number(range.slice(dash + 1));
    if (status >= from && status <= to) return true;
  }
  return false;
}
