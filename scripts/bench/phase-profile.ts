/**
 * @module Where workerd's CPU goes per request (the bench's `profile` section, and `npm run bench:profile
 * [-- --baseline main] [-- --seconds 5 --rounds 3 --routes 1000]` on its own, scripts/bench/profile.ts), phase by phase, for the forward-only Worker, the gateway on a plain route and the gateway
 * on a route with policies (scripts/bench/policy-route.ts), and with `--baseline REF` the same two for the gateway
 * as of that git ref, side by side. Each Worker runs in its own workerd (serve-worker.ts, the same setup as the
 * end-to-end section) with its V8 inspector open. First, rounds at saturation that interleave the Workers measure
 * workerd's CPU per request from /proc (profiler off); then one run per Worker under the V8 CPU profiler (Chrome
 * DevTools Protocol `Profiler.start`/`stop`, https://chromedevtools.github.io/devtools-protocol/v8/Profiler/).
 *
 * Each sample is charged to a phase: walking its stack from the innermost frame outwards, the first frame that lies
 * in a pipeline phase's file (the bundle's `// worker/pipeline/<phase>.ts` markers give each line its source file).
 * Helpers (headers.ts, cookies.ts, worker/core, jose) are charged to the phase that called them; samples with no
 * JavaScript on the stack are workerd's own work (HTTP parsing, sockets, the subrequest: "(program)") or garbage
 * collection. A phase's µs per request = its share of the samples × the CPU per request measured without the
 * profiler (the profiler's own cost and its wall-clock timestamps would inflate absolute figures). Each profile is
 * also written as a .cpuprofile file (open it in Chrome DevTools).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../dev/free-port.ts";
import { gatewayVars } from "./cold-start.ts";
import { firstAndLast } from "./haproxy-config.ts";
import { type KeyList, runWrk, type WrkResult, writeLuaScript } from "./load.ts";
import { REPO_ROOT } from "./machine.ts";
import { startPolicyRoute } from "./policy-route.ts";
import { generateRouteSet, keysForRoute } from "./routeset.ts";
import type { ServeConfig } from "./serve-worker.ts";
import { type Service, startBackend, startWorker } from "./services.ts";
import { bundleWorker, forwardWorkerConfig, publishLocal } from "./worker-builds.ts";

const CONNECTIONS = 32;
const COMPATIBILITY_DATE =
  /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8"))?.[1] ??
  "2026-11-01";

export interface ProfilePlan {
  /** Seconds per measured run (each round, and the profiled run). */
  seconds: number;
  rounds: number;
  /** Size of the generated table the gateway serves (plus the route with policies). */
  routes: number;
  /** Sampling interval of the V8 profiler, µs. */
  intervalUs: number;
  /** A git ref whose gateway is measured beside this checkout's (e.g. `main`), or none. */
  baseline?: string;
  workDir: string;
  log: (line: string) => void;
}

export type ProfileOutcome =
  | { ok: true; seconds: number; rounds: number; intervalUs: number; workers: ProfiledWorker[] }
  | { ok: false; reason: string };

/** The part of the V8 CPU profile used here (https://chromedevtools.github.io/devtools-protocol/v8/Profiler/#type-Profile). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Bundle files: which source file each bundled line comes from (esbuild's `// path` module markers). */
export class SourceMap {
  private readonly starts: { line: number; file: string }[] = [];
  constructor(bundle: string) {
    bundle.split("\n").forEach((text, line) => {
      // Paths are relative to the wrangler configuration's directory: keep them from the repository's top folder.
      const marker = /^\/\/ (?:\.\.\/)*((?:worker|scripts|node_modules)\/\S+)$/.exec(text);
      if (marker) this.starts.push({ line, file: marker[1] as string });
    });
  }
  /** Source file of a 0-based bundle line. */
  fileAt(line: number): string {
    let file = "(bundle prelude)";
    for (const start of this.starts) {
      if (start.line > line) break;
      file = start.file;
    }
    return file;
  }
}

/** The phase a source file belongs to, or undefined for a helper (charged to its caller's phase). */
function phaseOf(file: string): string | undefined {
  const pipeline = /^worker\/pipeline\/([a-z-]+)\.ts$/.exec(file)?.[1];
  if (pipeline !== undefined && !["headers", "cookies", "errors"].includes(pipeline)) return pipeline;
  if (file.startsWith("worker/policy/")) return "policies";
  if (file === "worker/table/load.ts") return "table";
  if (file === "worker/index.ts") return "entry (worker/index.ts)";
  if (file.startsWith("worker/health/")) return "health (touch)";
  if (file.startsWith("node_modules/hono/")) return "hono";
  if (file === "scripts/bench/forward-worker.ts") return "forward-only Worker";
  return undefined;
}

/** The profile's nodes by id and each node's parent: a sample's stack is walked from its node up to the root. */
function treeOf(profile: CpuProfile): {
  byId: Map<number, CpuProfile["nodes"][number]>;
  parent: Map<number, number>;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  return { byId, parent };
}

/** The profile without the samples after the last one whose stack has a frame in a file `files` matches. */
export function untilLastFrameIn(profile: CpuProfile, map: SourceMap, files: RegExp): CpuProfile {
  const { byId, parent } = treeOf(profile);
  const inFiles = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame && frame.url !== "" && files.test(map.fileAt(frame.lineNumber))) return true;
    }
    return false;
  };
  const last = profile.samples.findLastIndex(inFiles);
  return {
    ...profile,
    samples: profile.samples.slice(0, last + 1),
    timeDeltas: profile.timeDeltas.slice(0, last + 1),
  };
}

/** Sampled µs by phase, and the functions with the most self time. */
export function attribute(
  profile: CpuProfile,
  map: SourceMap,
): { phases: Map<string, number>; self: Map<string, number> } {
  const { byId, parent } = treeOf(profile);
  const phaseCache = new Map<number, string>();
  const phaseOfNode = (id: number): string => {
    const known = phaseCache.get(id);
    if (known !== undefined) return known;
    let phase: string | undefined;
    let sawScript = false;
    for (let at: number | undefined = id; at !== undefined && phase === undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as CpuProfile["nodes"][number]).callFrame;
      if (frame.url === "") continue;
      sawScript = true;
      phase = phaseOf(map.fileAt(frame.lineNumber));
    }
    const name = (byId.get(id) as CpuProfile["nodes"][number]).callFrame.functionName;
    phase ??= sawScript
      ? "other JavaScript"
      : name === "(garbage collector)"
        ? "garbage collection"
        : name === "(program)"
          ? "workerd outside JavaScript"
          : name === "(idle)"
            ? "(idle)"
            : "runtime builtins";
    phaseCache.set(id, phase);
    return phase;
  };
  const phases = new Map<string, number>();
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const phase = phaseOfNode(id);
    phases.set(phase, (phases.get(phase) ?? 0) + us);
    const frame = (byId.get(id) as CpuProfile["nodes"][number]).callFrame;
    const where = frame.url === "" ? "" : ` (${map.fileAt(frame.lineNumber)})`;
    const key = `${frame.functionName || "(anonymous)"}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
  });
  return { phases, self };
}

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
export async function devtools(
  port: number,
): Promise<{ send(method: string, params?: object): Promise<unknown>; close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error(`the inspector on port ${port} lists no Worker`);
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id as number);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

interface Target {
  name: string;
  service: Service;
  inspectorPort: number;
  script: string;
  bundle: string;
}

export interface ProfiledWorker {
  name: string;
  /** workerd process CPU µs per request (all threads, /proc), profiler off: median over rounds. */
  cpuUs: number;
  /** The same per round, for ratios paired by round. */
  roundsCpuUs: number[];
  rps: number;
  errors: number;
  /** Share of the sampled time by phase (profiled run), 0–1. */
  shares: Record<string, number>;
  /** The 15 functions with the most self time, as shares of the sampled time. */
  top: [string, number][];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** One profiled run of `target` at saturation: the share of the sampled time of each phase and function. */
async function profileRun(target: Target, plan: ProfilePlan): Promise<Pick<ProfiledWorker, "shares" | "top">> {
  const cdp = await devtools(target.inspectorPort);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: plan.intervalUs });
  await cdp.send("Profiler.start");
  const url = `http://127.0.0.1:${target.service.port}/`;
  await runWrk({ url, script: target.script, connections: CONNECTIONS, seconds: plan.seconds, watch: {} });
  const { profile } = (await cdp.send("Profiler.stop")) as { profile: CpuProfile };
  await cdp.send("Profiler.disable");
  cdp.close();
  writeFileSync(join(plan.workDir, `${target.name.replace(/\W+/g, "-")}.cpuprofile`), JSON.stringify(profile));
  const { phases, self } = attribute(profile, new SourceMap(readFileSync(target.bundle, "utf8")));
  phases.delete("(idle)");
  self.delete("(idle)");
  // Shares, not µs: the profiler's timestamps are wall time, which on a shared machine includes time the thread
  // waited for a core; the shares are scaled by the CPU time measured without the profiler.
  const total = [...phases.values()].reduce((a, b) => a + b, 0);
  return {
    shares: Object.fromEntries([...phases].map(([phase, us]) => [phase, us / total])),
    top: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, us]) => [fn, us / total]),
  };
}

/** Phases in request order, then everything else. */
const ORDER = [
  "forward-only Worker",
  "hono",
  "entry (worker/index.ts)",
  "run",
  "context",
  "normalize",
  "table",
  "route",
  "policies",
  "attempts",
  "health (touch)",
  "select",
  "production-check",
  "upstream",
  "mirror",
  "forward",
  "respond",
  "log",
  "fail",
  "other JavaScript",
  "runtime builtins",
  "garbage collection",
  "workerd outside JavaScript",
];

/** The profile as Markdown: one column per Worker, one row per phase (µs per request), then the top functions. */
export function profileLines(outcome: ProfileOutcome): string[] {
  if (!outcome.ok) return [`Not measured: ${outcome.reason}.`];
  const results = outcome.workers;
  const fmt = (n: number | undefined): string => (n === undefined || n < 0.05 ? "—" : n.toFixed(1));
  const phases = [...new Set(results.flatMap((r) => Object.keys(r.shares)))].sort(
    (a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99),
  );
  const forward = results[0] as ProfiledWorker;
  const ratio = (r: ProfiledWorker): string =>
    median(r.roundsCpuUs.map((cpu, i) => cpu / (forward.roundsCpuUs[i] as number))).toFixed(2);
  const lines = [
    `${outcome.rounds} round(s) of ${outcome.seconds} s at ${CONNECTIONS} connections, Workers interleaved, then one profiled run each ` +
      `(V8 CPU profiler, a sample every ${outcome.intervalUs} µs). µs per request by phase = the phase's share of the profiled samples × ` +
      "the CPU per request measured without the profiler.",
    "",
    `| phase | ${results.map((r) => r.name).join(" | ")} |`,
    `| --- | ${results.map(() => "---:").join(" | ")} |`,
    ...phases.map((p) => `| ${p} | ${results.map((r) => fmt((r.shares[p] ?? 0) * r.cpuUs)).join(" | ")} |`),
    `| **workerd CPU µs/request** (/proc, profiler off, median of rounds) | ${results.map((r) => `**${fmt(r.cpuUs)}**`).join(" | ")} |`,
    `| per round | ${results.map((r) => r.roundsCpuUs.map((c) => c.toFixed(0)).join(", ")).join(" | ")} |`,
    `| × forward-only (median of per-round ratios) | ${results.map(ratio).join(" | ")} |`,
    `| req/s (errors) | ${results.map((r) => `${r.rps.toFixed(0)} (${r.errors})`).join(" | ")} |`,
    "",
    "Top self time (share of the samples; a native call such as `fetch` or `Headers` is charged to itself or to the function that made it):",
    "",
    ...results.map(
      (r) => `- ${r.name}: ${r.top.map(([fn, share]) => `${fn} ${(share * 100).toFixed(1)}%`).join("; ")}`,
    ),
  ];
  return lines;
}

/** Bundles the gateway as of git ref `ref` (its worker/ and wrangler.toml, built with this checkout's packages). */
async function bundleAt(ref: string, workDir: string): Promise<string> {
  const dir = join(workDir, "baseline-src");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync("git", ["-C", REPO_ROOT, "archive", ref, "worker", "wrangler.toml"]);
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  return bundleWorker(join(dir, "wrangler.toml"), join(workDir, "baseline-dist"));
}

/** Runs the section: backend, JWKS server, table, Workers; every process it started is stopped before it returns. */
export async function runProfile(plan: ProfilePlan): Promise<ProfileOutcome> {
  const { seconds, rounds, baseline, workDir } = plan;
  mkdirSync(workDir, { recursive: true });
  const backend = await startBackend();
  const address = { ip: "127.0.0.1", port: backend.port };
  const policy = await startPolicyRoute(address);
  const targets: Target[] = [];
  try {
    const set = generateRouteSet(plan.routes, address);
    const published = await publishLocal(
      { ...set, objects: [...set.objects, ...policy.objects] },
      join(workDir, "tables"),
    );
    const gatewayScript = await bundleWorker(join(REPO_ROOT, "wrangler.toml"), join(workDir, "gateway-dist"));
    const baselineScript = baseline === undefined ? undefined : await bundleAt(baseline, workDir);
    const forwardConfig = forwardWorkerConfig(join(workDir, "forward"), COMPATIBILITY_DATE);
    const forwardScript = await bundleWorker(forwardConfig, join(workDir, "forward-dist"));
    const firstKeys = keysForRoute(firstAndLast(set.routes).first, 2_048);
    const policyKeys = policy.keys(2_048);
    const add = async (name: string, bundle: string, keys: KeyList[], config: Omit<ServeConfig, "port">) => {
      const inspectorPort = await freePort();
      const service = await startWorker({ ...config, inspectorPort }, workDir);
      const script = join(workDir, `${name.replace(/\W+/g, "-")}.lua`);
      writeLuaScript(script, keys);
      targets.push({ name, service, inspectorPort, script, bundle });
    };
    await add("forward-only", forwardScript, firstKeys, {
      wranglerConfig: forwardConfig,
      script: forwardScript,
      vars: { BACKEND_ORIGIN: `http://127.0.0.1:${backend.port}` },
    });
    const gatewayConfig = (script: string): Omit<ServeConfig, "port"> => ({
      wranglerConfig: join(REPO_ROOT, "wrangler.toml"),
      script,
      persistTo: published.persistTo,
      vars: gatewayVars(),
    });
    if (baselineScript !== undefined) {
      await add(`gateway at ${baseline}`, baselineScript, firstKeys, gatewayConfig(baselineScript));
      await add(`policies at ${baseline}`, baselineScript, policyKeys, gatewayConfig(baselineScript));
    }
    await add("gateway", gatewayScript, firstKeys, gatewayConfig(gatewayScript));
    await add("gateway, route with policies", gatewayScript, policyKeys, gatewayConfig(gatewayScript));

    const runs = new Map<Target, WrkResult[]>(targets.map((t) => [t, []]));
    for (const target of targets) {
      const url = `http://127.0.0.1:${target.service.port}/`;
      await runWrk({ url, script: target.script, connections: CONNECTIONS, seconds: 2, watch: {} });
    }
    // Rounds interleave the Workers, so drift on a shared machine hits all of them alike.
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        const url = `http://127.0.0.1:${target.service.port}/`;
        const run = await runWrk({
          url,
          script: target.script,
          connections: CONNECTIONS,
          seconds,
          watch: { main: target.service.pid },
        });
        if (run.errors > 0) throw new Error(`${target.name}: ${run.errors} of ${run.requests} requests failed`);
        runs.get(target)?.push(run);
        plan.log(
          `  profile round ${round} ${target.name.padEnd(32)} ${(run.cpuUsPerRequest.main ?? Number.NaN).toFixed(1)} µs CPU/req, ${run.rps.toFixed(0)} req/s`,
        );
      }
    }
    const results: ProfiledWorker[] = [];
    for (const target of targets) {
      const done = runs.get(target) ?? [];
      const roundsCpuUs = done.map((r) => r.cpuUsPerRequest.main ?? Number.NaN);
      results.push({
        name: target.name,
        cpuUs: median(roundsCpuUs),
        roundsCpuUs,
        rps: median(done.map((r) => r.rps)),
        errors: done.reduce((n, r) => n + r.errors, 0),
        ...(await profileRun(target, plan)),
      });
    }
    return { ok: true, seconds, rounds, intervalUs: plan.intervalUs, workers: results };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    for (const target of targets) await target.service.stop();
    await policy.stop();
    await backend.stop();
  }
}
