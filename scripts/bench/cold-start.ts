/**
 * @module Section 2b: cold start in workerd. What is measured, per table size, `repeats` times:
 *
 * 1. The table is published once with the CLI (`routes push --local --persist-to DIR`) into a fresh local KV.
 * 2. A fresh workerd process runs the bundled gateway (Miniflare, one process, pinned to the test core). Its
 *    isolate has evaluated the Worker's module but has served nothing, so it holds no table ("cold isolate").
 * 3. First request: GET of a path under the first route, Host = its host, on a new connection. The Worker reads
 *    `routes:current` (which carries the index's shard count) and the shard(s) its host needs from the local KV, opens and indexes them,
 *    routes, and forwards to the local backend (the other shards are read afterwards, in `waitUntil`). Measured: the client's wall time until the full response, and the CPU
 *    time of the whole workerd process (all threads, /proc schedstat) during it.
 * 4. Then 20 warm requests to the same route (other sub-paths), one at a time, same measures; their median is
 *    the warm cost. "Cold start to first routed request" = first − warm median.
 *
 * The local KV is Miniflare's simulator running inside the same workerd process, so both figures include the
 * simulator serving the values (in production that is network wait, not CPU). To take it out, the same steps
 * run with the KV probe (scripts/bench/kv-probe-worker.ts), which reads exactly the same values on its first
 * request and does nothing else: gateway (first − warm) − probe (first − warm) is the gateway's own cold cost
 * (parsing, restoring and indexing the table, first lookup).
 */
import { request } from "node:http";
import { firstAndLast } from "./haproxy-config.ts";
import { cpuSeconds } from "./load.ts";
import { keysForRoute, type RequestKey, type RouteSet } from "./routeset.ts";
import type { ServeConfig } from "./serve-worker.ts";
import { startWorker, type Service } from "./services.ts";
import { summarize, type Summary } from "./stats.ts";
import type { Published } from "./worker-builds.ts";

export interface ColdStartSuccess {
  ok: true;
  size: number;
  pushMs: number;
  manifestBytes: number;
  /** The push of the same table with one route changed (scripts/bench/worker-builds.ts publishLocal). */
  incremental: Published["incremental"];
  repeats: number;
  /** Miniflare start until workerd accepts requests. */
  startupMs: Summary;
  firstWallMs: Summary;
  warmWallMs: Summary;
  firstCpuMs: Summary;
  warmCpuMs: Summary;
  /** HTTP status of the first request (200 expected: the route's backend answered). */
  firstStatus: number;
  /** The KV probe's first and warm requests: what reading the same values from the local KV costs. */
  kvFirstWallMs: Summary;
  kvWarmWallMs: Summary;
  kvFirstCpuMs: Summary;
}

export interface ColdStartFailure {
  ok: false;
  size: number;
  reason: string;
}

export type ColdStartOutcome = ColdStartSuccess | ColdStartFailure;

export interface GatewayBuild {
  wranglerConfig: string;
  script: string;
  workDir: string;
  /** The KV probe's configuration and bundle. */
  probe: { wranglerConfig: string; script: string };
}

/** The gateway's vars for local benchmarking: forward to the endpoint address itself, loopback allowed. */
export function gatewayVars(): Record<string, string> {
  return { FORWARD_MODE: "direct", ALLOW_LOOPBACK_TARGETS: "true", ROUTES_REFRESH_SECONDS: "3600" };
}

/** One GET on a fresh connection: status and wall milliseconds until the body has been read. */
export function timedGet(port: number, host: string, path: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: "127.0.0.1", port, path, headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer from 127.0.0.1:${port} within 60 s`)));
    req.on("error", reject);
    req.end();
  });
}

async function timedWithCpu(
  service: Service,
  host: string,
  path: string,
): Promise<{ status: number; ms: number; cpuMs: number }> {
  const cpu0 = cpuSeconds(service.pid);
  const { status, ms } = await timedGet(service.port, host, path);
  return { status, ms, cpuMs: (cpuSeconds(service.pid) - cpu0) * 1000 };
}

/** Gateway (first − warm) minus KV probe (first − warm): the cold cost that is the gateway's own work. */
export function ownColdMs(c: ColdStartSuccess): number {
  return c.firstWallMs.median - c.warmWallMs.median - (c.kvFirstWallMs.median - c.kvWarmWallMs.median);
}

interface ColdRun {
  startupMs: number;
  first: { status: number; ms: number; cpuMs: number };
  warmMs: number;
  warmCpuMs: number;
}

/** One fresh workerd: its first request, then 20 warm ones (median). */
async function coldRun(
  config: Omit<ServeConfig, "port">,
  workDir: string,
  keys: RequestKey[],
  expect: (status: number) => boolean,
): Promise<ColdRun> {
  const started = performance.now();
  const service = await startWorker(config, workDir);
  const startupMs = performance.now() - started;
  try {
    // Let workerd finish whatever it does right after start-up before timing anything.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [key0, ...rest] = keys;
    if (!key0) throw new Error("no key");
    const first = await timedWithCpu(service, key0.host, key0.path);
    if (!expect(first.status)) throw new Error(`the first request got HTTP ${first.status}`);
    const walls: number[] = [];
    const cpus: number[] = [];
    for (const key of rest) {
      const warm = await timedWithCpu(service, key.host, key.path);
      if (!expect(warm.status)) throw new Error(`a warm request got HTTP ${warm.status}`);
      walls.push(warm.ms);
      cpus.push(warm.cpuMs);
    }
    return { startupMs, first, warmMs: summarize(walls).median, warmCpuMs: summarize(cpus).median };
  } finally {
    await service.stop();
  }
}

export async function measureColdStart(
  set: RouteSet,
  published: Published,
  gateway: GatewayBuild,
  repeats: number,
): Promise<ColdStartOutcome> {
  const { first } = firstAndLast(set.routes);
  const keys = keysForRoute(first, 21);
  const runs: ColdRun[] = [];
  const probes: ColdRun[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      // Interleaved, so both see the same machine.
      const gatewayConfig = {
        wranglerConfig: gateway.wranglerConfig,
        script: gateway.script,
        persistTo: published.persistTo,
        vars: gatewayVars(),
      };
      runs.push(await coldRun(gatewayConfig, gateway.workDir, keys, (status) => status === 200));
      const probeConfig = { ...gateway.probe, persistTo: published.persistTo, vars: {} };
      probes.push(await coldRun(probeConfig, gateway.workDir, keys, (status) => status === 200));
    }
  } catch (error) {
    return { ok: false, size: set.size, reason: error instanceof Error ? error.message : String(error) };
  }
  return {
    ok: true,
    size: set.size,
    pushMs: published.pushMs,
    manifestBytes: published.manifestBytes,
    incremental: published.incremental,
    repeats,
    startupMs: summarize(runs.map((r) => r.startupMs)),
    firstWallMs: summarize(runs.map((r) => r.first.ms)),
    warmWallMs: summarize(runs.map((r) => r.warmMs)),
    firstCpuMs: summarize(runs.map((r) => r.first.cpuMs)),
    warmCpuMs: summarize(runs.map((r) => r.warmCpuMs)),
    firstStatus: runs[0]?.first.status ?? 0,
    kvFirstWallMs: summarize(probes.map((r) => r.first.ms)),
    kvWarmWallMs: summarize(probes.map((r) => r.warmMs)),
    kvFirstCpuMs: summarize(probes.map((r) => r.first.cpuMs)),
  };
}
