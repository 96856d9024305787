/**
 * @module Section 3: end to end on this machine, 127.0.0.1 only. One backend (Node, 1 KiB body, keep-alive, on
 * the load core with wrk); every system under test alone on the other core:
 *
 * - direct: wrk → backend;
 * - forward-only Worker: wrk → workerd (scripts/bench/forward-worker.ts, a bare fetch) → backend;
 * - gateway: wrk → workerd (the real Worker, the generated table published with the CLI) → backend, with every
 *   request under the map's first (exact-host) route, then under its last one (haproxy-config.ts firstAndLast),
 *   then under a route with policies (policy-route.ts: IP allowlist, JWT with a cached key set, header actions);
 * - HAProxy as the OpenShift router configures it (same routes, one `map_reg` line each), first and last route,
 *   with the default pattern cache (10,000 entries) and with the cache off, plus a paired no-map frontend in
 *   the same process as a noise control (docs/design-notes.md#bench).
 *
 * Every run rotates over 16,384 distinct URLs (more than HAProxy's pattern cache holds, as real traffic with ids
 * in paths does). Two runs per target and round: at saturation (32 connections) and at a fixed rate (connections
 * with a think time). CPU per request is the system under test's CPU time over the run (all threads) divided by
 * the requests wrk completed. Rounds interleave the targets so drift on a shared VM hits all of them; targets
 * that are compared (forward-only and gateway, gateway first and last route) run back to back, so their ratio
 * can be taken per round.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gatewayVars, type GatewayBuild } from "./cold-start.ts";
import { firstAndLast, haproxyConfig, httpMapFile } from "./haproxy-config.ts";
import { runWrk, writeLuaScript, type KeyList, type WrkResult } from "./load.ts";
import { keysForRoute, type RouteSet } from "./routeset.ts";
import { freePort } from "../dev/free-port.ts";
import { startHaproxy, startWorker, type Service } from "./services.ts";
import { summarize } from "./stats.ts";

export interface E2ePlan {
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** Target rate of the fixed-rate runs. */
  rate: number;
  /** Distinct URLs each run rotates over. */
  distinctUrls: number;
  log: (line: string) => void;
}

export type TargetName =
  | "direct"
  | "forward"
  | "gateway-first"
  | "gateway-last"
  | "gateway-policy"
  | "haproxy-baseline"
  | "haproxy-first"
  | "haproxy-last"
  | "haproxy-nocache-baseline"
  | "haproxy-nocache-first"
  | "haproxy-nocache-last";

/** Medians over rounds of one target's runs. */
export interface TargetResult {
  name: TargetName;
  label: string;
  ok: boolean;
  reason?: string;
  saturation?: RunSummary;
  fixed?: RunSummary;
}

export interface RunSummary {
  rps: number;
  p50: number;
  p99: number;
  /** CPU µs per request of the system under test. */
  cpuUs: number;
  /** Other processes' CPU µs per request (e.g. Miniflare's Node host). */
  helperCpuUs: Record<string, number>;
  errors: number;
  requests: number;
  /** rps of each round, to show the spread. */
  roundsRps: number[];
  /** CPU µs per request of each round (for ratios paired by round). */
  roundsCpuUs: number[];
}

interface Target {
  name: TargetName;
  label: string;
  service: Service | undefined;
  /** Why there is no service (not measured). */
  missing?: string;
  /** What wrk sends, round-robin; every answer must be a 2xx or 3xx. */
  keys: KeyList[];
}

function summarizeRuns(runs: WrkResult[], main: string): RunSummary {
  const med = (f: (r: WrkResult) => number): number => summarize(runs.map(f)).median;
  const helpers = Object.keys(runs[0]?.cpuUsPerRequest ?? {}).filter((k) => k !== main);
  return {
    rps: med((r) => r.rps),
    p50: med((r) => r.p50),
    p99: med((r) => r.p99),
    cpuUs: med((r) => r.cpuUsPerRequest[main] ?? Number.NaN),
    helperCpuUs: Object.fromEntries(helpers.map((h) => [h, med((r) => r.cpuUsPerRequest[h] ?? Number.NaN)])),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    roundsRps: runs.map((r) => r.rps),
    roundsCpuUs: runs.map((r) => r.cpuUsPerRequest[main] ?? Number.NaN),
  };
}

export interface E2eInputs {
  set: RouteSet;
  backend: Service;
  gateway: Omit<GatewayBuild, "probe"> & { persistTo: string | undefined; reason?: string };
  forward: { wranglerConfig: string; script: string } | { reason: string };
  /** Requests for the route with policies (published in the gateway's table), or why there is none. */
  policyKeys: ((count: number) => KeyList[]) | { reason: string };
  haproxyReason: string | undefined;
  workDir: string;
}

export async function runEndToEnd(inputs: E2eInputs, plan: E2ePlan): Promise<TargetResult[]> {
  const { set, backend, workDir } = inputs;
  mkdirSync(workDir, { recursive: true });
  const { first, last } = firstAndLast(set.routes);
  const firstKeys = keysForRoute(first, plan.distinctUrls);
  const lastKeys = keysForRoute(last, plan.distinctUrls);
  const services: Service[] = [];
  const start = async (what: string, starter: () => Promise<Service>): Promise<Service | string> => {
    try {
      const service = await starter();
      services.push(service);
      return service;
    } catch (error) {
      const reason = `${what} did not start: ${error instanceof Error ? error.message : String(error)}`;
      plan.log(`  ${reason}`);
      return reason;
    }
  };
  try {
    const forward =
      "reason" in inputs.forward
        ? inputs.forward.reason
        : await start("the forward-only Worker", () => {
            const f = inputs.forward as { wranglerConfig: string; script: string };
            return startWorker(
              {
                wranglerConfig: f.wranglerConfig,
                script: f.script,
                vars: { BACKEND_ORIGIN: `http://127.0.0.1:${backend.port}` },
              },
              workDir,
            );
          });
    const gateway =
      inputs.gateway.persistTo === undefined
        ? (inputs.gateway.reason ?? "no table was published")
        : await start("the gateway Worker", () =>
            startWorker(
              {
                wranglerConfig: inputs.gateway.wranglerConfig,
                script: inputs.gateway.script,
                persistTo: inputs.gateway.persistTo,
                vars: gatewayVars(),
              },
              workDir,
            ),
          );
    const haproxy = async (cacheSize: number): Promise<{ main: Service | string; baselinePort: number }> => {
      if (inputs.haproxyReason) return { main: inputs.haproxyReason, baselinePort: 0 };
      const dir = join(workDir, `haproxy-cache-${cacheSize}`);
      mkdirSync(dir, { recursive: true });
      const mapFile = join(dir, "os_http_be.map");
      writeFileSync(mapFile, httpMapFile(set.routes));
      const port = await freePort();
      const baselinePort = await freePort();
      const cfg = join(dir, "haproxy.cfg");
      writeFileSync(
        cfg,
        haproxyConfig(set.routes, {
          mapFile,
          port,
          baselinePort,
          backend: { ip: "127.0.0.1", port: backend.port },
          patternCacheSize: cacheSize,
        }),
      );
      return { main: await start(`HAProxy (pattern cache ${cacheSize})`, () => startHaproxy(cfg, port)), baselinePort };
    };
    const cached = await haproxy(10_000);
    const uncached = await haproxy(0);
    const svc = (s: Service | string): Service | undefined => (typeof s === "string" ? undefined : s);
    const why = (s: Service | string): string | undefined => (typeof s === "string" ? s : undefined);
    const withPort = (s: Service | string, port: number): Service | undefined => {
      const service = svc(s);
      return service ? { ...service, port } : undefined;
    };
    const targets: Target[] = [
      { name: "direct", label: "direct to the backend", service: backend, keys: firstKeys },
      {
        name: "forward",
        label: "forward-only Worker (workerd, bare fetch)",
        service: svc(forward),
        missing: why(forward),
        keys: firstKeys,
      },
      {
        name: "gateway-first",
        label: `gateway (workerd), first route of ${set.size.toLocaleString("en-US")}`,
        service: svc(gateway),
        missing: why(gateway),
        keys: firstKeys,
      },
      {
        name: "gateway-last",
        label: `gateway (workerd), last route of ${set.size.toLocaleString("en-US")}`,
        service: svc(gateway),
        missing: why(gateway),
        keys: lastKeys,
      },
      {
        name: "gateway-policy",
        label: "gateway (workerd), route with policies (allowlist, JWT with a cached key set, header actions)",
        service: "reason" in inputs.policyKeys ? undefined : svc(gateway),
        missing: "reason" in inputs.policyKeys ? inputs.policyKeys.reason : why(gateway),
        keys: "reason" in inputs.policyKeys ? [] : inputs.policyKeys(plan.distinctUrls),
      },
      {
        name: "haproxy-baseline",
        label: "HAProxy, no map (paired baseline)",
        service: withPort(cached.main, cached.baselinePort),
        missing: why(cached.main),
        keys: firstKeys,
      },
      {
        name: "haproxy-first",
        label: "HAProxy map_reg, cache 10,000, first route",
        service: svc(cached.main),
        missing: why(cached.main),
        keys: firstKeys,
      },
      {
        name: "haproxy-last",
        label: "HAProxy map_reg, cache 10,000, last route",
        service: svc(cached.main),
        missing: why(cached.main),
        keys: lastKeys,
      },
      {
        name: "haproxy-nocache-baseline",
        label: "HAProxy, no map, cache off (paired baseline)",
        service: withPort(uncached.main, uncached.baselinePort),
        missing: why(uncached.main),
        keys: firstKeys,
      },
      {
        name: "haproxy-nocache-first",
        label: "HAProxy map_reg, cache off, first route",
        service: svc(uncached.main),
        missing: why(uncached.main),
        keys: firstKeys,
      },
      {
        name: "haproxy-nocache-last",
        label: "HAProxy map_reg, cache off, last route",
        service: svc(uncached.main),
        missing: why(uncached.main),
        keys: lastKeys,
      },
    ];
    const connections = 32;
    const fixedConnections = 16;
    const thinkMs = Math.max(1, Math.round((fixedConnections * 1000) / plan.rate));
    const scripts = new Map<Target, { sat: string; fixed: string }>();
    targets.forEach((t, i) => {
      const sat = join(workDir, `keys-${i}.lua`);
      const fixed = join(workDir, `keys-${i}-fixed.lua`);
      writeLuaScript(sat, t.keys);
      writeLuaScript(fixed, t.keys, thinkMs);
      scripts.set(t, { sat, fixed });
    });
    const runs = new Map<TargetName, { sat: WrkResult[]; fixed: WrkResult[]; failure?: string }>();
    for (let round = 0; round < plan.rounds; round++) {
      for (const target of targets) {
        const service = target.service;
        const entry = runs.get(target.name) ?? { sat: [], fixed: [] };
        runs.set(target.name, entry);
        if (!service || entry.failure) continue;
        const files = scripts.get(target) as { sat: string; fixed: string };
        const url = `http://127.0.0.1:${service.port}/`;
        const watch = { main: service.pid, ...service.helpers };
        try {
          await runWrk({ url, script: files.sat, connections, seconds: plan.warmupSeconds, watch });
          const sat = await runWrk({ url, script: files.sat, connections, seconds: plan.seconds, watch });
          const fixed = await runWrk({
            url,
            script: files.fixed,
            connections: fixedConnections,
            seconds: plan.seconds,
            watch,
          });
          if (sat.requests === 0) throw new Error("no request completed");
          if (sat.errors > sat.requests / 100)
            throw new Error(`${sat.errors} of ${sat.requests} requests failed (non-2xx or socket errors)`);
          entry.sat.push(sat);
          entry.fixed.push(fixed);
          plan.log(
            `  e2e round ${round + 1} ${target.name.padEnd(24)} ${sat.rps.toFixed(0).padStart(6)} req/s, ` +
              `${(sat.cpuUsPerRequest.main ?? Number.NaN).toFixed(1)} µs CPU/req, p50 ${sat.p50} ms, p99 ${sat.p99} ms; ` +
              `fixed ${fixed.rps.toFixed(0)} req/s p50 ${fixed.p50} ms p99 ${fixed.p99} ms`,
          );
        } catch (error) {
          entry.failure = error instanceof Error ? error.message : String(error);
          plan.log(`  e2e ${target.name}: FAILED: ${entry.failure}`);
        }
      }
    }
    return targets.map((t) => {
      const entry = runs.get(t.name);
      if (!t.service) return { name: t.name, label: t.label, ok: false, reason: t.missing ?? "not started" };
      if (!entry || entry.failure || entry.sat.length === 0)
        return { name: t.name, label: t.label, ok: false, reason: entry?.failure ?? "no run" };
      return {
        name: t.name,
        label: t.label,
        ok: true,
        saturation: summarizeRuns(entry.sat, "main"),
        fixed: summarizeRuns(entry.fixed, "main"),
      };
    });
  } finally {
    for (const service of services) await service.stop();
  }
}
