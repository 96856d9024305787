/**
 * @module `npm run bench:profile [-- --seconds 8] [-- --routes 1000]`: where workerd's CPU goes per request, phase
 * by phase, for the forward-only Worker, the gateway on a plain route and the gateway on a route with policies
 * (scripts/bench/policy-route.ts). Each Worker runs alone in workerd (serve-worker.ts, the same setup as the
 * end-to-end section) with its V8 inspector open; wrk drives it at saturation while the V8 CPU profiler samples
 * (Chrome DevTools Protocol `Profiler.start`/`stop`, https://chromedevtools.github.io/devtools-protocol/v8/Profiler/).
 *
 * Each sample is charged to a phase: walking its stack from the innermost frame outwards, the first frame that lies
 * in a pipeline phase's file (the bundle's `// worker/pipeline/<phase>.ts` markers give each line its source file).
 * Helpers (headers.ts, cookies.ts, worker/core, jose) are charged to the phase that called them; samples with no
 * JavaScript on the stack are workerd's own work (HTTP parsing, sockets, the subrequest: "(program)") or garbage
 * collection. µs per request = sampled time ÷ requests completed while profiling. The profiler itself costs
 * CPU, so the shares, and the differences between the three Workers, are the result; the process CPU per request
 * (/proc, as in the end-to-end section) is printed beside them. Writes bench-out/profile.md and profile.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../dev/free-port.ts";
import { gatewayVars } from "./cold-start.ts";
import { firstAndLast } from "./haproxy-config.ts";
import { type KeyList, runWrk, writeLuaScript } from "./load.ts";
import { REPO_ROOT } from "./machine.ts";
import { startPolicyRoute } from "./policy-route.ts";
import { generateRouteSet, keysForRoute } from "./routeset.ts";
import { type Service, startBackend, startWorker } from "./services.ts";
import { bundleWorker, forwardWorkerConfig, publishLocal } from "./worker-builds.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    routes: { type: "string", default: "1000" },
    interval: { type: "string", default: "50" },
  },
});
const SECONDS = Number(values.seconds);
const ROUTES = Number(values.routes);
/** Sampling interval of the V8 profiler, µs. */
const INTERVAL_US = Number(values.interval);
const CONNECTIONS = 32;
const OUT = join(REPO_ROOT, "bench-out", "profile");
const COMPATIBILITY_DATE =
  /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8"))?.[1] ??
  "2026-11-01";

/** The part of the V8 CPU profile used here (https://chromedevtools.github.io/devtools-protocol/v8/Profiler/#type-Profile). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Bundle files: which source file each bundled line comes from (esbuild's `// path` module markers). */
class SourceMap {
  private readonly starts: { line: number; file: string }[] = [];
  constructor(bundle: string) {
    bundle.split("\n").forEach((text, line) => {
      const marker = /^\/\/ ((?:worker|scripts|node_modules)\/\S+)$/.exec(text);
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

/** Sampled µs by phase, and the functions with the most self time. */
function attribute(profile: CpuProfile, map: SourceMap): { phases: Map<string, number>; self: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
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
async function devtools(
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

interface Measured {
  name: string;
  requests: number;
  errors: number;
  rps: number;
  /** workerd process CPU µs per request (all threads, profiler included). */
  processCpuUs: number;
  /** Sampled µs per request by phase. */
  phases: Record<string, number>;
  /** The 15 functions with the most self time, µs per request. */
  top: [string, number][];
}

async function profileWorker(
  name: string,
  start: (inspectorPort: number) => Promise<Service>,
  keys: KeyList[],
  bundle: string,
): Promise<Measured> {
  const inspectorPort = await freePort();
  const service = await start(inspectorPort);
  try {
    const script = join(OUT, `${name}.lua`);
    writeLuaScript(script, keys);
    const url = `http://127.0.0.1:${service.port}/`;
    const watch = { main: service.pid };
    await runWrk({ url, script, connections: CONNECTIONS, seconds: 2, watch });
    const cdp = await devtools(inspectorPort);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
    await cdp.send("Profiler.start");
    const run = await runWrk({ url, script, connections: CONNECTIONS, seconds: SECONDS, watch });
    const { profile } = (await cdp.send("Profiler.stop")) as { profile: CpuProfile };
    cdp.close();
    writeFileSync(join(OUT, `${name}.cpuprofile`), JSON.stringify(profile));
    const { phases, self } = attribute(profile, new SourceMap(readFileSync(bundle, "utf8")));
    const perRequest = (us: number): number => us / run.requests;
    phases.delete("(idle)");
    self.delete("(idle)");
    return {
      name,
      requests: run.requests,
      errors: run.errors,
      rps: run.rps,
      processCpuUs: run.cpuUsPerRequest.main ?? Number.NaN,
      phases: Object.fromEntries([...phases].map(([phase, us]) => [phase, perRequest(us)])),
      top: [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([fn, us]) => [fn, perRequest(us)]),
    };
  } finally {
    await service.stop();
  }
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

function report(results: Measured[]): string {
  const fmt = (n: number | undefined): string => (n === undefined || n < 0.05 ? "—" : n.toFixed(1));
  const phases = [...new Set(results.flatMap((r) => Object.keys(r.phases)))].sort(
    (a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99),
  );
  const sampled = (r: Measured): number => Object.values(r.phases).reduce((a, b) => a + b, 0);
  const lines = [
    `# Where workerd's CPU goes per request (V8 CPU profile, ${SECONDS} s at ${CONNECTIONS} connections, sampling every ${INTERVAL_US} µs)`,
    "",
    `| phase | ${results.map((r) => r.name).join(" | ")} |`,
    `| --- | ${results.map(() => "---:").join(" | ")} |`,
    ...phases.map((p) => `| ${p} | ${results.map((r) => fmt(r.phases[p])).join(" | ")} |`),
    `| **sampled total** | ${results.map((r) => `**${fmt(sampled(r))}**`).join(" | ")} |`,
    `| workerd process CPU (/proc, profiler on) | ${results.map((r) => fmt(r.processCpuUs)).join(" | ")} |`,
    `| requests (errors), req/s | ${results.map((r) => `${r.requests} (${r.errors}), ${r.rps.toFixed(0)}`).join(" | ")} |`,
    "",
    "µs per request. Top self time (µs per request):",
    "",
    ...results.flatMap((r) => [`- ${r.name}: ${r.top.map(([fn, us]) => `${fn} ${us.toFixed(1)}`).join("; ")}`]),
    "",
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const backend = await startBackend();
  const address = { ip: "127.0.0.1", port: backend.port };
  const policy = await startPolicyRoute(address);
  try {
    const set = generateRouteSet(ROUTES, address);
    const published = await publishLocal({ ...set, objects: [...set.objects, ...policy.objects] }, join(OUT, "tables"));
    const gatewayScript = await bundleWorker(join(REPO_ROOT, "wrangler.toml"), join(OUT, "gateway-dist"));
    const forwardConfig = forwardWorkerConfig(join(OUT, "forward"), COMPATIBILITY_DATE);
    const forwardScript = await bundleWorker(forwardConfig, join(OUT, "forward-dist"));
    const firstKeys = keysForRoute(firstAndLast(set.routes).first, 2_048);
    const gateway = (inspectorPort: number): Promise<Service> =>
      startWorker(
        {
          wranglerConfig: join(REPO_ROOT, "wrangler.toml"),
          script: gatewayScript,
          persistTo: published.persistTo,
          vars: gatewayVars(),
          inspectorPort,
        },
        OUT,
      );
    const results = [
      await profileWorker(
        "forward-only",
        (inspectorPort) =>
          startWorker(
            {
              wranglerConfig: forwardConfig,
              script: forwardScript,
              vars: { BACKEND_ORIGIN: `http://127.0.0.1:${backend.port}` },
              inspectorPort,
            },
            OUT,
          ),
        firstKeys,
        forwardScript,
      ),
      await profileWorker("gateway", gateway, firstKeys, gatewayScript),
      await profileWorker("gateway, route with policies", gateway, policy.keys(2_048), gatewayScript),
    ];
    const text = report(results);
    writeFileSync(join(OUT, "profile.md"), text);
    writeFileSync(join(OUT, "profile.json"), JSON.stringify(results, null, 1));
    process.stdout.write(`${text}\nwrote ${join(OUT, "profile.md")} (and the .cpuprofile files for DevTools)\n`);
  } finally {
    await policy.stop();
    await backend.stop();
  }
}

await main();
