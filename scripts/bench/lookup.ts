/**
 * @module Section 1: route lookup. Runs {@link ./lookup-child.ts} once per (router, size, repeat) in a fresh
 * process pinned to one core, with a time limit, and merges the repeats (all samples of all repeats feed one
 * median). A router that fails, answers wrongly or runs out of time is kept in the results with the reason.
 * `gateway-httproute` is the gateway's matcher on a set of HTTPRoutes with header and query matches, which the
 * other routers cannot express: its own child, {@link ./httproute-lookup.ts}, prints the same outcome.
 */
import { spawn } from "node:child_process";
import type { LookupFailure, LookupOutcome, LookupSuccess } from "./lookup-child.ts";
import { REPO_ROOT } from "./machine.ts";
import { pinned } from "./pin.ts";
import { summarize } from "./stats.ts";

export const ROUTERS = ["gateway", "gateway-httproute", "hono-trie", "hono-regexp", "memoirist", "medley"] as const;

/** How the report and the chart name each router. */
export const ROUTER_LABELS: Record<string, string> = {
  gateway: "edgeroute matcher",
  "gateway-httproute": "edgeroute matcher, HTTPRoutes (header + query matches)",
  "hono-trie": "hono TrieRouter",
  "hono-regexp": "hono RegExpRouter",
  memoirist: "memoirist",
  medley: "@medley/router",
};

export interface LookupPlan {
  sizes: number[];
  samples: number;
  sampleMs: number;
  repeats: number;
  timeoutMs: number;
  log: (line: string) => void;
}

function runChild(router: string, size: number, plan: LookupPlan): Promise<LookupOutcome> {
  const child = router === "gateway-httproute" ? "httproute-lookup.ts" : "lookup-child.ts";
  const script = `${REPO_ROOT}scripts/bench/${child}`;
  const args = [
    "--expose-gc",
    "--max-old-space-size=6144",
    script,
    router,
    String(size),
    String(plan.samples),
    String(plan.sampleMs),
  ];
  const [command, argv] = pinned(1, process.execPath, args);
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let phase = "start";
    let stderrTail = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      for (const match of text.matchAll(/^phase: (.+)$/gm)) phase = match[1] ?? phase;
      stderrTail = (stderrTail + text).slice(-400);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), plan.timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (line.startsWith("{")) {
        resolve(JSON.parse(line) as LookupOutcome);
        return;
      }
      const reason =
        signal === "SIGKILL"
          ? `took longer than ${plan.timeoutMs / 1000} s (killed during ${phase})`
          : `process exited with ${code ?? signal}: ${
              stderrTail
                .split("\n")
                .filter((l) => !l.startsWith("phase:"))
                .join(" ")
                .trim()
                .slice(-200) || "no output"
            }`;
      resolve({ ok: false, router, size, phase, reason });
    });
  });
}

/** Repeats of one configuration merged: samples pooled, heap and build times from the median repeat. */
function merge(runs: LookupSuccess[]): LookupSuccess {
  const byMedian = [...runs].sort((a, b) => a.mixed.median - b.mixed.median);
  const mid = byMedian[Math.floor((byMedian.length - 1) / 2)] as LookupSuccess;
  return {
    ...mid,
    wrong: Math.max(...runs.map((r) => r.wrong)),
    mixed: summarize(runs.flatMap((r) => r.mixed.samples)),
    first: summarize(runs.flatMap((r) => r.first.samples)),
    last: summarize(runs.flatMap((r) => r.last.samples)),
  };
}

export async function runLookups(plan: LookupPlan): Promise<LookupOutcome[]> {
  const results: LookupOutcome[] = [];
  for (const size of plan.sizes) {
    const runs = new Map<string, LookupSuccess[]>();
    const failures = new Map<string, LookupFailure>();
    // Interleave routers within a size: drift on a shared VM then hits every router alike.
    for (let repeat = 0; repeat < plan.repeats; repeat++) {
      for (const router of ROUTERS) {
        if (failures.has(router)) continue;
        const started = performance.now();
        const outcome = await runChild(router, size, plan);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        if (outcome.ok) {
          runs.set(router, [...(runs.get(router) ?? []), outcome]);
          plan.log(
            `  lookup ${router.padEnd(11)} ${String(size).padStart(7)} routes: ${outcome.mixed.median.toFixed(0)} ns/lookup, ` +
              `${outcome.heapPerRoute.toFixed(0)} B/route${outcome.wrong > 0 ? `, ${outcome.wrong} WRONG` : ""} (${seconds} s)`,
          );
        } else {
          failures.set(router, outcome);
          plan.log(
            `  lookup ${router.padEnd(11)} ${String(size).padStart(7)} routes: FAILED in ${outcome.phase}: ${outcome.reason} (${seconds} s)`,
          );
        }
      }
    }
    for (const router of ROUTERS) {
      const failure = failures.get(router);
      const ok = runs.get(router);
      if (failure) results.push(failure);
      else if (ok) results.push(merge(ok));
    }
  }
  return results;
}
