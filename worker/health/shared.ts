/**
 * @module Active health as this isolate knows it: which probes the health objects (./monitor.ts) report down. No
 * request ever waits for it. An isolate tells the objects which endpoints its routes use (in `waitUntil`, once per
 * route and host every {@link REGISTER_EVERY_MS}); the object answers with its current snapshot, and afterwards
 * the isolate re-reads the objects' KV snapshots in the background every `HEALTH_REFRESH_SECONDS`, the way the
 * table pointer is re-read (worker/table/load.ts).
 */
import {
  type CompiledRoute,
  type HealthSnapshot,
  healthKvKey,
  healthObjectOf,
  parseHealthSnapshot,
  probeKey,
  Registrations,
} from "../core/index.ts";
import { logEvent } from "../answers.ts";
import type { AfterResponse } from "../background.ts";
import type { Env } from "../env.ts";
import type { ProbeRegistration } from "./monitor.ts";

/** An isolate re-registers a route it still serves this often; an object drops probes unused for 10 minutes. */
export const REGISTER_EVERY_MS = 60_000;
/** Objects when `HEALTH_OBJECTS` is unset (docs/health.md: the scale plan). */
export const DEFAULT_HEALTH_OBJECTS = 16;

export class SharedHealth {
  /** Probe keys reported down, from every object this isolate heard from. */
  private down = new Map<string, { since: string; lastError?: string }>();
  private readonly snapshots = new Map<number, HealthSnapshot>();
  private readonly registrations = new Registrations();
  private lastRead = 0;
  private reading = false;

  /** True while no probe is down anywhere this isolate knows of. */
  get quiet(): boolean {
    return this.down.size === 0;
  }

  isDown(key: string): boolean {
    return this.down.get(key) !== undefined;
  }

  /**
   * Called for every proxied request; costs a WeakMap and a Map probe when nothing is due. Registers the route's
   * probes when this isolate has not done so recently (after the response: on a cold isolate every route is due)
   * and refreshes the snapshots when they are due, both in the background.
   */
  touch(
    route: CompiledRoute,
    host: string,
    env: Env,
    after: AfterResponse,
    waitUntil: (p: Promise<unknown>) => void,
    now: number,
  ): void {
    const namespace = env.HEALTH;
    if (namespace === undefined) return;
    if (this.registrations.due(route, host, now, REGISTER_EVERY_MS)) {
      after.add(() => this.register(route, host, env, namespace).catch((error) => logHealthError("register", error)));
    }
    if (this.reading || this.snapshots.size === 0) return;
    if (now - this.lastRead >= Number(env.HEALTH_REFRESH_SECONDS ?? "5") * 1000) {
      this.reading = true;
      this.lastRead = now;
      waitUntil(
        this.refresh(env)
          .catch((error) => logHealthError("refresh", error))
          .finally(() => {
            this.reading = false;
          }),
      );
    }
  }

  private async register(
    route: CompiledRoute,
    host: string,
    env: Env,
    namespace: DurableObjectNamespace<import("./monitor.ts").HealthMonitor>,
  ): Promise<void> {
    const count = healthObjects(env);
    const byObject = new Map<number, ProbeRegistration[]>();
    for (const backend of route.backends) {
      // A backend at weight 0 never receives a request, so it is not probed.
      if (backend.weight === 0) continue;
      for (const endpoint of backend.endpoints) {
        const key = probeKey(endpoint, host, route.healthPath);
        const object = healthObjectOf(key, count);
        let list = byObject.get(object);
        if (list === undefined) {
          list = [];
          byObject.set(object, list);
        }
        if (list.some((p) => p.key === key)) continue;
        list.push({
          key,
          endpoint: { scheme: endpoint.scheme, host: endpoint.host, port: endpoint.port },
          ...(endpoint.cluster === undefined ? {} : { cluster: endpoint.cluster }),
          host,
          path: route.healthPath,
          intervalMs: route.healthIntervalMs,
          expect: route.healthExpect,
        });
      }
    }
    await Promise.all(
      [...byObject].map(async ([object, probes]) => {
        const stub = namespace.get(namespace.idFromName(`health-${object}`));
        this.learn(await stub.register(object, probes));
      }),
    );
  }

  private async refresh(env: Env): Promise<void> {
    await Promise.all(
      [...this.snapshots.keys()].map(async (object) => {
        const snapshot = parseHealthSnapshot(await env.ROUTES.get(healthKvKey(object)));
        if (snapshot !== undefined) this.learn(snapshot);
      }),
    );
  }

  /** Replace what this isolate knows from one object, then rebuild the down set. */
  learn(snapshot: HealthSnapshot): void {
    const known = this.snapshots.get(snapshot.object);
    if (known !== undefined && known.writtenAt > snapshot.writtenAt) return;
    this.snapshots.set(snapshot.object, snapshot);
    const down = new Map<string, { since: string; lastError?: string }>();
    for (const s of this.snapshots.values()) {
      for (const [key, probe] of Object.entries(s.probes)) if (!probe.up) down.set(key, probe);
    }
    this.down = down;
  }
}

/** `HEALTH_OBJECTS`: how many health objects share the probes (the same number everywhere, or keys move). */
export function healthObjects(env: Env): number {
  const n = Number(env.HEALTH_OBJECTS ?? DEFAULT_HEALTH_OBJECTS);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_HEALTH_OBJECTS;
}

function logHealthError(phase: string, error: unknown): void {
  logEvent("error", "health-error", { phase, error: error instanceof Error ? error.message : String(error) });
}
