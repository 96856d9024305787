/**
 * @module The active health checks: a Durable Object with alarms (https://developers.cloudflare.com/durable-objects/api/alarms/),
 * so probes run once for the whole deployment, not once per isolate, and run locally under `wrangler dev` too.
 *
 * Probes are sharded over `HEALTH_OBJECTS` objects by the hash of their key (endpoint, route host, path: core
 * `probeKey`), so every isolate registers a probe with the same object and two routes sharing endpoint, host and
 * path share one probe. Isolates register the probes of the routes they serve (./shared.ts); a probe nobody has
 * registered for {@link LEASE_MS} is dropped, so only routes that carry traffic are probed.
 *
 * A probe is an HTTP GET of the route's health path on the endpoint with the route host, every interval; up on an
 * expected status (default 2xx/3xx, HAProxy `option httpchk`), down after {@link FALL} failures in a row or at once
 * when the connection fails (nothing listens), up again after {@link RISE} successes (HAProxy's defaults `fall 3`,
 * `rise 2`, https://docs.haproxy.org/2.8/configuration.html#5.2-fall). On a state change the object writes its
 * snapshot to KV (`health:<object>`), at most once a second (KV allows one write per second per key,
 * https://developers.cloudflare.com/kv/platform/limits/).
 */
import { DurableObject } from "cloudflare:workers";
import type { Endpoint, HealthSnapshot, ProbeState } from "../core/index.ts";
import {
  endpointAddress,
  forbiddenTarget,
  HEALTH_CHECK_USER_AGENT,
  healthKvKey,
  statusExpected,
} from "../core/index.ts";
import { configOf, type Env } from "../env.ts";
import { endpointTarget } from "../pipeline/upstream.ts";

export const RISE = 2;
export const FALL = 3;
/** A probe no isolate has registered for this long is dropped. */
export const LEASE_MS = 10 * 60_000;
/** A probe that has not answered in this time (or its interval, if shorter) failed. */
export const PROBE_TIMEOUT_MS = 2_000;
/** A Worker invocation keeps at most six connections open at once (https://developers.cloudflare.com/workers/platform/limits/#simultaneous-open-connections). */
const CONCURRENCY = 6;
const MIN_WRITE_GAP_MS = 1_000;

/** What an isolate registers. */
export interface ProbeRegistration {
  key: string;
  endpoint: Endpoint;
  cluster?: string;
  host: string;
  path: string;
  intervalMs: number;
  expect: string;
}

interface Probe extends ProbeRegistration {
  up: boolean;
  since: string;
  lastError?: string;
  successes: number;
  failures: number;
  nextAt: number;
  leaseUntil: number;
}

export class HealthMonitor extends DurableObject<Env> {
  private readonly probes = new Map<string, Probe>();
  private object = -1;
  private dirty = false;
  private lastWrite = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.object = (await ctx.storage.get<number>("object")) ?? -1;
      for (const probe of (await ctx.storage.list<Probe>({ prefix: "p:" })).values()) this.probes.set(probe.key, probe);
    });
  }

  /** An isolate's probes (RPC, called in `waitUntil`); answers with this object's current snapshot. */
  async register(object: number, registrations: ProbeRegistration[]): Promise<HealthSnapshot> {
    const now = Date.now();
    if (this.object !== object) {
      this.object = object;
      await this.ctx.storage.put("object", object);
    }
    const { allowLoopback } = configOf(this.env);
    for (const r of registrations) {
      // Only the Worker's own isolates can call this object, but a target rule is never skipped.
      if (forbiddenTarget(r.endpoint.host, allowLoopback) !== null) continue;
      const known = this.probes.get(r.key);
      if (known !== undefined) {
        const renew = known.leaseUntil - now < LEASE_MS / 2 || known.intervalMs !== r.intervalMs;
        known.leaseUntil = now + LEASE_MS;
        known.intervalMs = r.intervalMs;
        known.expect = r.expect;
        if (renew) await this.save(known);
        continue;
      }
      const probe: Probe = {
        ...r,
        up: true,
        since: new Date(now).toISOString(),
        successes: 0,
        failures: 0,
        nextAt: now,
        leaseUntil: now + LEASE_MS,
      };
      this.probes.set(r.key, probe);
      this.dirty = true;
      await this.save(probe);
    }
    await this.schedule(now);
    return this.snapshot();
  }

  /** The current snapshot (tests and `register`). */
  async snapshot(): Promise<HealthSnapshot> {
    const probes: Record<string, ProbeState> = {};
    for (const p of this.probes.values()) {
      probes[p.key] = {
        endpoint: endpointAddress(p.endpoint),
        ...(p.cluster === undefined ? {} : { cluster: p.cluster }),
        host: p.host,
        path: p.path,
        up: p.up,
        since: p.since,
        ...(p.lastError === undefined ? {} : { lastError: p.lastError }),
      };
    }
    return { object: this.object, writtenAt: new Date().toISOString(), probes };
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const probe of [...this.probes.values()]) {
      if (probe.leaseUntil < now) {
        this.probes.delete(probe.key);
        await this.ctx.storage.delete(`p:${probe.key}`);
        this.dirty = true;
      }
    }
    const due = [...this.probes.values()].filter((p) => p.nextAt <= now);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < due.length) {
        const probe = due[next++] as Probe;
        await this.check(probe);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
    const after = Date.now();
    if (this.dirty && after - this.lastWrite >= MIN_WRITE_GAP_MS) {
      this.dirty = false;
      this.lastWrite = after;
      await this.env.ROUTES.put(healthKvKey(this.object), JSON.stringify(await this.snapshot()));
    }
    await this.schedule(after);
  }

  private async check(probe: Probe): Promise<void> {
    const result = await runProbe(probe, this.env);
    const now = Date.now();
    probe.nextAt = now + probe.intervalMs;
    const wasUp = probe.up;
    if (result.ok) {
      probe.failures = 0;
      probe.successes++;
      if (!probe.up && probe.successes >= RISE) probe.up = true;
    } else {
      probe.successes = 0;
      probe.failures++;
      probe.lastError = result.error;
      if (probe.up && (result.connection || probe.failures >= FALL)) probe.up = false;
    }
    if (probe.up !== wasUp) {
      probe.since = new Date(now).toISOString();
      this.dirty = true;
      await this.save(probe);
    }
  }

  private async schedule(now: number): Promise<void> {
    let at = Number.POSITIVE_INFINITY;
    for (const p of this.probes.values()) at = Math.min(at, p.nextAt);
    if (this.dirty) at = Math.min(at, Math.max(now, this.lastWrite + MIN_WRITE_GAP_MS));
    if (at !== Number.POSITIVE_INFINITY) await this.ctx.storage.setAlarm(Math.max(at, now));
  }

  private async save(probe: Probe): Promise<void> {
    await this.ctx.storage.put(`p:${probe.key}`, probe);
  }
}

/** One probe: ok, or why not (`connection`: no HTTP answer at all). */
async function runProbe(probe: Probe, env: Env): Promise<{ ok: boolean; error?: string; connection?: boolean }> {
  const mode = configOf(env).forwardMode;
  const target = endpointTarget(probe.endpoint, probe.host, probe.path, mode);
  const timeoutMs = Math.min(PROBE_TIMEOUT_MS, probe.intervalMs);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(target.url, {
      method: "GET",
      redirect: "manual",
      signal: controller.signal,
      // Locally the endpoint is fetched by address; the route host travels as the gateway's requests send it.
      headers: { "user-agent": HEALTH_CHECK_USER_AGENT, "x-forwarded-host": probe.host },
      ...(target.cf === undefined ? {} : { cf: target.cf }),
    });
    await response.body?.cancel();
    if (statusExpected(response.status, probe.expect)) return { ok: true };
    // Cloudflare's own "origin unreachable" answers mean no connection was made.
    const connection = mode === "resolve-override" && response.status >= 521 && response.status <= 523;
    return { ok: false, error: `HTTP ${response.status}`, connection };
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, error: `no answer within ${timeoutMs} ms` };
    return { ok: false, error: error instanceof Error ? error.message : String(error), connection: true };
  } finally {
    clearTimeout(timer);
  }
}
