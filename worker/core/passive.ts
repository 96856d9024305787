/**
 * @module Passive health, per isolate and immediate: what this isolate's own requests saw. An endpoint (as one
 * route host reaches it, core `healthKey`) that refused a connection, or failed {@link FAILURES_TO_EJECT} times in a
 * row (5xx, reset, timeout), is ejected for a while: 1 s, doubling on each ejection in a row, at most 30 s — like
 * Envoy's outlier detection (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier).
 * Any success forgets the endpoint. Ejection is advice: when every endpoint of a route is ejected the Worker tries
 * them anyway (panic mode, logged), so passive health alone never makes a route unavailable.
 * Pure (the Worker keeps one per isolate), so the benchmarks can time it.
 */

/** Failed answers in a row that eject an endpoint; a refused connection ejects at once (nothing listens). */
export const FAILURES_TO_EJECT = 3;
export const FIRST_EJECTION_MS = 1_000;
export const MAX_EJECTION_MS = 30_000;

interface Outlier {
  failures: number;
  /** Ejections in a row without a success in between. */
  ejections: number;
  ejectedUntil: number;
}

export type Failure = "refused" | "failed";

export class PassiveHealth {
  private readonly outliers = new Map<string, Outlier>();

  /** True while no endpoint has failed: the happy path then skips every health lookup. */
  get quiet(): boolean {
    return this.outliers.size === 0;
  }

  ejected(key: string, now: number): boolean {
    const outlier = this.outliers.get(key);
    return outlier !== undefined && outlier.ejectedUntil > now;
  }

  /** Milliseconds of ejection left (0 when not ejected): for `routes explain`-like views and tests. */
  ejectedFor(key: string, now: number): number {
    const outlier = this.outliers.get(key);
    return outlier === undefined ? 0 : Math.max(0, outlier.ejectedUntil - now);
  }

  success(key: string): void {
    if (this.outliers.size > 0) this.outliers.delete(key);
  }

  /** Records a failure; true when it ejected the endpoint. */
  failure(key: string, kind: Failure, now: number): boolean {
    let outlier = this.outliers.get(key);
    if (outlier === undefined) {
      outlier = { failures: 0, ejections: 0, ejectedUntil: 0 };
      this.outliers.set(key, outlier);
    }
    if (outlier.ejectedUntil > now) return false;
    outlier.failures++;
    if (kind === "failed" && outlier.failures < FAILURES_TO_EJECT) return false;
    outlier.ejectedUntil = now + Math.min(FIRST_EJECTION_MS * 2 ** outlier.ejections, MAX_EJECTION_MS);
    outlier.ejections++;
    // After an ejection one more failure ejects again (for twice as long); a success forgets it all.
    outlier.failures = FAILURES_TO_EJECT - 1;
    return true;
  }
}

/**
 * When an isolate last told the health objects about a route (per host: a wildcard route is probed with the hosts
 * it served). Keyed by the route object, so a new table version registers again.
 */
export class Registrations {
  private readonly at = new WeakMap<object, Map<string, number>>();

  /** True (and noted as done now) when the route's probes for `host` are due to be registered again. */
  due(route: object, host: string, now: number, everyMs: number): boolean {
    let hosts = this.at.get(route);
    if (hosts === undefined) {
      hosts = new Map();
      this.at.set(route, hosts);
    }
    const last = hosts.get(host);
    if (last !== undefined && now - last < everyMs) return false;
    hosts.set(host, now);
    return true;
  }
}
