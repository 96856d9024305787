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
 * 4. Once workerd is idle again (the rest of the table has been read in the background), 20 warm requests to the
 *    same route (other sub-paths), one at a time, same measures; their median is the warm cost. "Cold start to first routed request" = first − warm median.
 *
 * The local KV is Miniflare's simulator running inside the same workerd process, so both figures include the
 * simulator serving the values (in production that is network wait, not CPU), and the first request is also the
 * runtime's first subrequest, on a new connection to the backend. To take both out, the same steps run with the
 * baseline probe (scripts/bench/kv-probe-worker.ts), which reads exactly the same values on its first request and
 * forwards every request as the forward-only Worker does: gateway (first − warm) − probe (first − warm) is the
 * gateway's own cold cost (parsing, restoring and indexing the table, the first lookup and the first run of the
 * pipeline's code).
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { freePort } from "../dev/free-port.ts";
import { firstAndLast } from "./haproxy-config.ts";
import { cpuSeconds } from "./load.ts";
import { keysForRoute, type RequestKey, type RouteSet } from "./routeset.ts";
import type { ServeConfig } from "./serve-worker.ts";
import { startWorker, type Service } from "./services.ts";
import { attribute, type CpuProfile, devtools, SourceMap, untilLastFrameIn } from "./phase-profile.ts";
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
  /**
   * The baseline probe's first and warm requests: what reading the same values from the local KV and the runtime's
   * first subrequest cost.
   */
  kvFirstWallMs: Summary;
  kvWarmWallMs: Summary;
  kvFirstCpuMs: Summary;
  /** Where the first request's time goes, from the V8 CPU profiler (absent in results of older runs). */
  firstProfile?: FirstRequestProfile;
}

/**
 * The first request of fresh workerd processes under the V8 CPU profiler (a sample every 100 µs), each sample
 * charged to a pipeline phase as the `profile` section does (./phase-profile.ts). Samples after the request's last
 * pipeline frame (the shards read in the background) are left out. Medians over the runs, in sampled ms: the
 * profiler slows the isolate down, so read them as proportions of the first request's work.
 */
export interface FirstRequestProfile {
  runs: number;
  /** Sampled ms of the first request by phase (idle excluded). */
  phases: Record<string, number>;
  /** The functions with the most self time, sampled ms. */
  top: [string, number][];
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
  /** The baseline probe's configuration, bundle and vars (its BACKEND_ORIGIN). */
  probe: { wranglerConfig: string; script: string; vars: Record<string, string> };
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

/** Waits until `pid` has used under 2 ms of CPU in 100 ms (at most 20 s). */
async function settle(pid: number): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 100) {
    const before = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (cpuSeconds(pid) - before < 0.002) return;
  }
}

/** Gateway (first − warm) minus baseline probe (first − warm): the cold cost that is the gateway's own work. */
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
    // The warm requests are measured once the isolate has read the rest of the table in the background (up to 128
    // shards at 100,000 routes), so that work is neither in their time nor taken off the first request's.
    await settle(service.pid);
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

/** The pipeline's files whose frames mark the request's own work (./phase-profile.ts SourceMap paths). */
const REQUEST_FILES = /^worker\/pipeline\/(run|forward|upstream|respond|log)\.ts$/;

/** One fresh workerd with its inspector open: the profile of its first request, cut where the request's work ends. */
async function profileFirst(
  config: Omit<ServeConfig, "port">,
  workDir: string,
  key: RequestKey,
  map: SourceMap,
): Promise<{ phases: Map<string, number>; self: Map<string, number> }> {
  const inspectorPort = await freePort();
  const service = await startWorker({ ...config, inspectorPort }, workDir);
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cdp = await devtools(inspectorPort);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    const first = await timedGet(service.port, key.host, key.path);
    if (first.status !== 200) throw new Error(`the profiled first request got HTTP ${first.status}`);
    const { profile } = (await cdp.send("Profiler.stop")) as { profile: CpuProfile };
    cdp.close();
    const trimmed = untilLastFrameIn(profile, map, REQUEST_FILES);
    const { phases, self } = attribute(trimmed, map);
    phases.delete("(idle)");
    self.delete("(idle)");
    return { phases, self };
  } finally {
    await service.stop();
  }
}

async function profileFirstRequests(
  config: Omit<ServeConfig, "port">,
  workDir: string,
  key: RequestKey,
  runs: number,
): Promise<FirstRequestProfile> {
  const map = new SourceMap(readFileSync(config.script, "utf8"));
  const all: { phases: Map<string, number>; self: Map<string, number> }[] = [];
  for (let r = 0; r < runs; r++) all.push(await profileFirst(config, workDir, key, map));
  const medianMs = (pick: (run: (typeof all)[number]) => number): number => summarize(all.map(pick)).median / 1000;
  const phaseNames = new Set(all.flatMap((run) => [...run.phases.keys()]));
  const functionNames = new Set(all.flatMap((run) => [...run.self.keys()]));
  return {
    runs,
    phases: Object.fromEntries([...phaseNames].map((name) => [name, medianMs((run) => run.phases.get(name) ?? 0)])),
    top: [...functionNames]
      .map((name): [string, number] => [name, medianMs((run) => run.self.get(name) ?? 0)])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12),
  };
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
  let firstProfile: FirstRequestProfile;
  try {
    const gatewayConfig = {
      wranglerConfig: gateway.wranglerConfig,
      script: gateway.script,
      persistTo: published.persistTo,
      vars: gatewayVars(),
    };
    for (let r = 0; r < repeats; r++) {
      // Interleaved, so both see the same machine.
      runs.push(await coldRun(gatewayConfig, gateway.workDir, keys, (status) => status === 200));
      const probeConfig = { ...gateway.probe, persistTo: published.persistTo };
      probes.push(await coldRun(probeConfig, gateway.workDir, keys, (status) => status === 200));
    }
    firstProfile = await profileFirstRequests(
      gatewayConfig,
      gateway.workDir,
      keys[0] as RequestKey,
      Math.min(5, Math.max(3, repeats)),
    );
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
    firstProfile,
  };
}
