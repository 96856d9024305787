/**
 * @module Load generation and the numbers taken around it: wrk (C, one thread, pinned to the load core) with a
 * Lua script that rotates over a fixed list of request keys, and the CPU time of the process under test (all its
 * threads, from /proc; see {@link cpuSeconds}), read before and after the run.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { LOAD_CORE, pinned } from "./pin.ts";

/** Clock ticks per second of /proc/<pid>/stat times. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds a process has used so far, all threads. From /proc/<pid>/task/<tid>/schedstat (nanoseconds) when
 * the kernel keeps it, else /proc/<pid>/stat utime + stime (clock ticks, usually 10 ms: too coarse for one
 * request, fine for a run of thousands).
 */
export function cpuSeconds(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    if (ns > 0) return ns / 1e9;
  } catch {
    // No schedstat: fall back to the tick counts.
  }
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The pid of `parent`'s child process whose command name is `name` (e.g. Miniflare's workerd). */
export function childPid(parent: number, name: string): number | undefined {
  try {
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const child of children.map(Number)) {
      const comm = readFileSync(`/proc/${child}/comm`, "utf8").trim();
      if (comm === name) return child;
      const deeper = childPid(child, name);
      if (deeper !== undefined) return deeper;
    }
  } catch {
    // The process went away.
  }
  return undefined;
}

export interface KeyList {
  host: string;
  path: string;
  /** Further request headers (e.g. `Authorization`). */
  headers?: Record<string, string>;
}

/**
 * A wrk Lua script that sends `keys` round-robin (all requests are preformatted in `init`, so the script costs
 * wrk no formatting per request). With `thinkMs`, each connection waits that long between requests, which holds
 * the request rate at about connections / thinkMs (a closed loop with think time; wrk 4 has no open-loop rate).
 */
export function writeLuaScript(file: string, keys: readonly KeyList[], thinkMs?: number): void {
  // Lua string literals accept JSON's escapes for the characters used here (hosts, paths, tokens).
  const lua = (headers: Record<string, string>): string =>
    `{${Object.entries(headers)
      .map(([name, value]) => `[${JSON.stringify(name)}]=${JSON.stringify(value)}`)
      .join(",")}}`;
  const lines = keys.map((k) => `{${JSON.stringify(k.path)},${lua({ Host: k.host, ...k.headers })}}`);
  const script = [
    "local keys = {",
    lines.join(",\n"),
    "}",
    "local reqs = {}",
    "local n = 0",
    "local i = 0",
    "function init(args)",
    "  for j, k in ipairs(keys) do reqs[j] = wrk.format('GET', k[1], k[2]) end",
    "  n = #reqs",
    "  i = math.random(n) - 1",
    "end",
    "function request()",
    "  i = i % n + 1",
    "  return reqs[i]",
    "end",
    ...(thinkMs === undefined ? [] : [`function delay() return ${thinkMs} end`]),
  ];
  writeFileSync(file, `${script.join("\n")}\n`);
}

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Latency percentiles in ms. */
  p50: number;
  p90: number;
  p99: number;
  /** Non-2xx/3xx responses plus socket errors. */
  errors: number;
  /** CPU µs per request of each watched process, by label. */
  cpuUsPerRequest: Record<string, number>;
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === "us" ? n / 1000 : match[2] === "ms" ? n : match[2] === "s" ? n * 1000 : n * 60_000;
}

/** Parses wrk's `--latency` output. */
export function parseWrk(output: string): Omit<WrkResult, "cpuUsPerRequest"> {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(output);
  const percentile = (p: string): number => {
    const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(output);
    return match ? toMs(match[1] as string) : Number.NaN;
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const requests = total ? Number(total[1]) : 0;
  const seconds = total ? toMs(`${total[2]}${total[3]}`) / 1000 : Number.NaN;
  const socketErrors = socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: percentile("50"),
    p90: percentile("90"),
    p99: percentile("99"),
    errors: (non2xx ? Number(non2xx[1]) : 0) + socketErrors,
  };
}

export interface WrkRun {
  url: string;
  script: string;
  connections: number;
  seconds: number;
  /** Processes whose CPU time is charged to the run, by label. */
  watch: Record<string, number>;
}

/** Runs wrk once (pinned to the load core) and charges the watched processes' CPU time to its requests. */
export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const args = [
    "-t1",
    `-c${run.connections}`,
    `-d${run.seconds}s`,
    "--timeout",
    "10s",
    "--latency",
    "-s",
    run.script,
    run.url,
  ];
  const [command, argv] = pinned(LOAD_CORE, "wrk", args);
  const before = Object.fromEntries(Object.entries(run.watch).map(([label, pid]) => [label, cpuSeconds(pid)]));
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), (run.seconds + 30) * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new Error(`wrk exited with ${code}: ${text.slice(-300)}`));
    });
  });
  const parsed = parseWrk(output);
  const cpuUsPerRequest: Record<string, number> = {};
  for (const [label, pid] of Object.entries(run.watch)) {
    cpuUsPerRequest[label] =
      parsed.requests > 0 ? ((cpuSeconds(pid) - (before[label] ?? 0)) * 1e6) / parsed.requests : Number.NaN;
  }
  return { ...parsed, cpuUsPerRequest };
}
