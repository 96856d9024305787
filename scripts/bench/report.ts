/**
 * @module BENCHMARKS.md from a {@link BenchResults}: how to run, the machine, the targets (met / missed / not
 * measured, with gap, cause and remedy), then every section's table, and a link to the SVG chart.
 */
import { type ColdStartSuccess, type FirstRequestProfile, ownColdMs } from "./cold-start.ts";
import type { LookupOutcome, LookupSuccess } from "./lookup-child.ts";
import { profileLines } from "./phase-profile.ts";
import { ROUTER_LABELS, ROUTERS } from "./lookup.ts";
import type { BenchResults } from "./results.ts";
import { spreadPercent, summarize, type Summary } from "./stats.ts";
import type { TargetVerdict } from "./targets.ts";

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? "—"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function nsCell(s: Summary): string {
  const spread = spreadPercent(s);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})${spread > 25 ? " ⚠" : ""}`;
}

const ROUTER_NAMES: Record<string, string> = {
  ...ROUTER_LABELS,
  gateway: `**${ROUTER_LABELS.gateway}**`,
  "gateway-httproute": `**${ROUTER_LABELS["gateway-httproute"]}**`,
};

function lookupTable(results: BenchResults): string[] {
  const sizes = results.settings.lookupSizes;
  const find = (router: string, size: number): LookupOutcome | undefined =>
    results.lookup.find((o) => o.router === router && o.size === size);
  const lines = [
    `| ns per lookup, median (min–max) | ${sizes.map((s) => fmt(s)).join(" | ")} |`,
    `|---|${sizes.map(() => "---:").join("|")}|`,
  ];
  for (const router of ROUTERS) {
    const cells = sizes.map((size) => {
      const o = find(router, size);
      if (!o) return "—";
      if (!o.ok) return `**failed** (${o.phase})`;
      return `${nsCell(o.mixed)}${o.wrong > 0 ? ` **${o.wrong} wrong**` : ""}`;
    });
    lines.push(`| ${ROUTER_NAMES[router] ?? router} | ${cells.join(" | ")} |`);
  }
  return lines;
}

function detailTable(results: BenchResults): string[] {
  const lines = [
    "| Router | Routes | Heap B/route | Build ms | First use of every route, µs/route | First route ns | Last route ns | Answers checked |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const size of results.settings.lookupSizes) {
    for (const router of ROUTERS) {
      const o = results.lookup.find((x) => x.router === router && x.size === size);
      if (!o) continue;
      if (!o.ok) {
        lines.push(
          `| ${ROUTER_NAMES[router] ?? router} | ${fmt(size)} | failed in ${o.phase}: ${o.reason.replace(/\|/g, "\\|")} ||||||`,
        );
        continue;
      }
      const heap =
        o.indexHeapPerRoute === undefined
          ? fmt(o.heapPerRoute)
          : `${fmt(o.heapPerRoute)} (on use ${fmt(o.indexHeapPerRoute)})`;
      const build = Object.entries(o.buildMs)
        .filter(([k]) => k !== "total" || Object.keys(o.buildMs).length === 1)
        .map(([k, v]) => (Object.keys(o.buildMs).length === 1 ? fmt(v, 1) : `${k} ${fmt(v, 1)}`))
        .join(", ");
      const checked =
        o.wrong === 0
          ? `${fmt(o.checked)}, all right`
          : `${fmt(o.checked)}, **${fmt(o.wrong)} wrong** (e.g. ${o.firstWrong ?? ""})`;
      lines.push(
        `| ${ROUTER_NAMES[router] ?? router} | ${fmt(size)} | ${heap} | ${build} | ${fmt((o.firstPassMs * 1000) / size, 2)} | ${fmt(o.first.median)} | ${fmt(o.last.median)} | ${checked} |`,
      );
    }
  }
  return lines;
}

function verdictLines(verdicts: TargetVerdict[]): string[] {
  const icon = { met: "✅ met", missed: "❌ missed", "not measured": "⚪ not measured" } as const;
  const lines = ["| Target | Measured | Result |", "|---|---|---|"];
  for (const v of verdicts)
    lines.push(`| ${v.target} | ${v.measured} | ${icon[v.status]}${v.gap ? ` — ${v.gap}` : ""} |`);
  const explained = verdicts.filter((v) => v.status === "missed" && v.why);
  if (explained.length > 0) {
    lines.push("", "### Why, and what would close the gap", "");
    for (const v of explained) {
      lines.push(
        `- **${v.target}** (${v.status}${v.gap ? `, ${v.gap}` : ""}). ${v.why}${v.fix ? ` *Remedy:* ${v.fix}` : ""}`,
      );
    }
  }
  return lines;
}

function controlLines(results: BenchResults): string[] {
  const lines = [
    "| Routes | compile() ms | µs/route | serializeTable() ms | µs/route | Shards | Published bytes | B/route | gzip B/route | brotli B/route | JSON.parse all shards ms | largest shard ms | openShard largest ms | load + index all ms |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of results.control) {
    if (!c.ok) {
      lines.push(`| ${fmt(c.size)} | failed: ${c.reason} |||||||||||||`);
      continue;
    }
    lines.push(
      `| ${fmt(c.size)} | ${fmt(c.compileMs.median, 1)} | ${fmt((c.compileMs.median * 1000) / c.size, 1)} | ${fmt(c.serializeMs.median, 1)} | ` +
        `${fmt((c.serializeMs.median * 1000) / c.size, 1)} | ${c.shards} | ${fmt(c.publishedBytes)} | ${fmt(c.publishedBytes / c.size)} | ` +
        `${fmt(c.gzipBytes / c.size, 1)} | ${fmt(c.brotliBytes / c.size, 1)} | ${fmt(c.parseAllMs.median, 1)} | ${fmt(c.parseOneMs.median, 1)} | ` +
        `${fmt(c.openOneMs?.median, 1)} | ${fmt(c.loadAllMs?.median, 1)} |`,
    );
  }
  return lines;
}

/** Results written before the incremental push was measured have none. */
function incrementalText(c: ColdStartSuccess): string {
  if (c.incremental === undefined) return "not measured";
  const { pushMs, keysWritten, keysTotal } = c.incremental;
  return `${fmt(pushMs / 1000, 1)}, ${fmt(keysWritten)} of ${fmt(keysTotal)}`;
}

function coldLines(results: BenchResults): string[] {
  if (results.cold.length === 0) return [`Not measured: ${results.skipped.cold ?? "not run in this mode"}.`];
  const lines = [
    "| Routes | `routes push` wall s | push with one route changed: wall s, keys written | workerd start ms | First request ms | Warm request ms | First − warm ms | Baseline probe first − warm ms | **Gateway's own cold cost ms** | workerd CPU first ms | warm ms | Baseline probe CPU first ms |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of results.cold) {
    if (!c.ok) {
      lines.push(`| ${fmt(c.size)} | not measured: ${c.reason} |||||||||||`);
      continue;
    }
    lines.push(
      `| ${fmt(c.size)} | ${fmt(c.pushMs / 1000, 1)} | ${incrementalText(c)} | ${fmt(c.startupMs.median)} | ${fmt(c.firstWallMs.median, 1)} (${fmt(c.firstWallMs.min, 1)}–${fmt(c.firstWallMs.max, 1)}) | ` +
        `${fmt(c.warmWallMs.median, 2)} | ${fmt(c.firstWallMs.median - c.warmWallMs.median, 1)} | ${fmt(c.kvFirstWallMs.median - c.kvWarmWallMs.median, 1)} | ` +
        `**${fmt(ownColdMs(c), 1)}** | ${fmt(c.firstCpuMs.median, 1)} | ${fmt(c.warmCpuMs.median, 2)} | ${fmt(c.kvFirstCpuMs.median, 1)} |`,
    );
  }
  return [...lines, ...firstProfileLines(results.cold.filter((c): c is ColdStartSuccess => c.ok))];
}

/** The first request's profile per size (scripts/bench/cold-start.ts `FirstRequestProfile`), sizes as columns. */
function firstProfileLines(cold: ColdStartSuccess[]): string[] {
  const profiled = cold.flatMap((c) => (c.firstProfile === undefined ? [] : [{ size: c.size, ...c.firstProfile }]));
  const [first] = profiled;
  if (first === undefined) return [];
  const total = (p: FirstRequestProfile): number => Object.values(p.phases).reduce((a, b) => a + b, 0);
  const phases = [...new Set(profiled.flatMap((p) => Object.keys(p.phases)))].sort(
    (a, b) => (first.phases[b] ?? 0) - (first.phases[a] ?? 0),
  );
  const cell = (p: FirstRequestProfile, phase: string): string => {
    const ms = p.phases[phase] ?? 0;
    return `${fmt(ms, 2)} (${fmt((100 * ms) / total(p))}%)`;
  };
  return [
    "",
    `Where the first request's time goes: the first request of ${first.runs} more fresh workerd processes per size under the V8 CPU profiler (a sample every 100 µs), each sample charged to the pipeline phase on its stack as in section 3's profile (helpers such as worker/core are charged to the phase that called them; "table" is worker/table/load.ts with the shard's parsing and restoring; "workerd outside JavaScript" includes V8 compiling each function on its first call). Samples after the request's last pipeline frame (the rest of the table, read in the background) are left out. Median sampled ms per phase; the profiler slows the isolate down, so read them as shares.`,
    "",
    `| Phase | ${profiled.map((p) => `${fmt(p.size)} routes: sampled ms (share)`).join(" | ")} |`,
    `|---|${profiled.map(() => "---:").join("|")}|`,
    ...phases.map((phase) => `| ${phase} | ${profiled.map((p) => cell(p, phase)).join(" | ")} |`),
    `| **total sampled** | ${profiled.map((p) => `**${fmt(total(p), 1)}**`).join(" | ")} |`,
    "",
    ...profiled.map(
      (p) =>
        `- Top self time, ${fmt(p.size)} routes: ${p.top.map(([name, ms]) => `${name} ${fmt(ms, 2)} ms`).join("; ")}`,
    ),
  ];
}

function e2eLines(results: BenchResults): string[] {
  if (results.e2e.length === 0) return [`Not measured: ${results.skipped.e2e ?? "not run"}.`];
  const lines = [
    `| Target | Saturation req/s (per round) | CPU µs/req | p50 ms | p99 ms | Fixed-rate req/s | CPU µs/req | p50 ms | p99 ms |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const t of results.e2e) {
    if (!t.ok || !t.saturation || !t.fixed) {
      lines.push(`| ${t.label} | not measured: ${(t.reason ?? "").replace(/\|/g, "\\|").slice(0, 300)} ||||||||`);
      continue;
    }
    const s = t.saturation;
    const f = t.fixed;
    lines.push(
      `| ${t.label} | ${fmt(s.rps)} (${s.roundsRps.map((r) => fmt(r)).join(", ")}) | ${fmt(s.cpuUs, 1)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ` +
        `${fmt(f.rps)} | ${fmt(f.cpuUs, 1)} | ${fmt(f.p50, 2)} | ${fmt(f.p99, 2)} |`,
    );
  }
  const plain = results.e2e.find((t) => t.name === "gateway-first")?.saturation;
  const guarded = results.e2e.find((t) => t.name === "gateway-policy")?.saturation;
  if (plain && guarded) {
    const added = summarize(guarded.roundsCpuUs.map((cpu, i) => cpu - (plain.roundsCpuUs[i] ?? Number.NaN))).median;
    lines.push(
      "",
      `The route with policies (IP allowlist, JWT verified on every request against a key set the isolate has cached, a request ` +
        `and a response header action) costs ${fmt(added, 1)} µs more CPU per request than the first route (median of the per-round ` +
        "differences); `npm run bench:profile` charges it phase by phase and names the functions.",
    );
  }
  const helper = results.e2e.find((t) => t.name === "gateway-first" && t.saturation)?.saturation?.helperCpuUs[
    "miniflare-node"
  ];
  if (helper !== undefined)
    lines.push(
      "",
      `Miniflare's Node host process (not on the request path) used ${fmt(helper, 2)} µs CPU per gateway request.`,
    );
  return lines;
}

export function renderReport(results: BenchResults, verdicts: TargetVerdict[], chartPath: string | undefined): string {
  const m = results.machine;
  const s = results.settings;
  const out: string[] = [
    "# Benchmarks",
    "",
    `Generated by \`npm run bench${results.mode === "quick" ? " -- --quick" : ""}\` (scripts/bench/run.ts) on ${results.startedAt}; the run took ` +
      `${fmt(results.durationSeconds / 60, 1)} minutes. Numbers from one shared VM: read them as ratios and orders of magnitude.`,
    "",
    "Run it: `npm run bench` (full, about 20–25 minutes on 2 cores; rewrites this file and scripts/bench/results/lookup.svg) or " +
      "`npm run bench -- --quick` (smoke test, 1–2 minutes; writes bench-out/ only); `--only lookup,control,cold,e2e,auth` runs some sections, " +
      "`--report-only` re-renders this file from bench-out/results.json. As root it installs `haproxy` and `wrk` with " +
      "apt-get when they are missing; otherwise those parts are reported as not measured. All traffic is on 127.0.0.1.",
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    `| CPU | ${m.cpuModel}, ${m.nproc} cores (governor: ${m.governor}; steal since boot ${fmt(m.stealPercent, 1)}%) |`,
    `| Kernel | ${m.kernel} |`,
    `| Node | ${m.node} |`,
    `| workerd | ${m.workerd} (wrangler ${m.wrangler}, Miniflare) |`,
    `| HAProxy | ${m.haproxy} |`,
    `| wrk | ${m.wrk} |`,
    `| Load average (1 min) | ${fmt(m.loadAverage, 2)} at the start, ${fmt(results.loadAverageAtEnd, 2)} at the end of the run${Math.max(m.loadAverage, results.loadAverageAtEnd) > 1.5 ? " — other work was running on this 2-core machine; expect wide spreads" : ""} |`,
    `| Pinning | ${results.pinned ? "system under test alone on core 1; wrk, backend and this script on core 0 (taskset)" : "none (fewer than 2 cores or no taskset)"} |`,
    "",
    "## Targets",
    "",
    ...verdictLines(verdicts),
    "",
    "## 1. Route lookup",
    "",
    `Same generated route sets for every router (scripts/bench/routeset.ts, seeded): ${s.lookupSizes.map((n) => fmt(n)).join(", ")} routes, about ` +
      "3.5 per host, one host in six a wildcard (`*.suffix`), paths from a menu with nested and trailing-slash prefixes. 1,024 distinct request keys: " +
      "80% exact-host hits (half Zipf-hot), 10% wildcard hits, 10% misses (unknown host, or known host with an unserved path), path depth 1–5. " +
      `One process per router × size (--expose-gc), ${s.lookupRepeats} process(es) each; in each, ${s.lookupSamples} samples of ≈${s.lookupSampleMs} ms ` +
      "per workload after a warm-up, workloads interleaved; the median is over all samples (⚠ = max/min spread above 25%). Every router's answer is " +
      "checked for every route (by its own host and path) and every key before timing. Host and path are already normalised for all routers. " +
      "The path-only routers get the host folded into the path (`/<host><path>`, a wildcard as `/~.<suffix><path>`, exact host probed first, then " +
      "the wildcard: the router's precedence); hono's routers return all matching handlers, of which the adapter keeps the longest path. " +
      "The gateway gets the table through `compile` → `serializeTable` → `openShard` → `ShardLookup.add`, as the Worker reads it, and " +
      "answers with `matchRoute(…, https=false)`. " +
      "The HTTPRoute row is the same matcher on its own set (scripts/bench/httproute-lookup.ts), which the other routers cannot express: " +
      "HTTPRoutes on hosts of 10, each with a PathPrefix match carrying a header and a query condition (3–4 such candidates per path) and an " +
      "unconditional `/api` rule; 1,024 keys: 80% meet a route's conditions (host half Zipf-hot), 10% meet none and fall to `/api`, 10% " +
      "unknown hosts; answered by `resolveRoute` with the request's headers (a Map) and query (`URLSearchParams`, as the Worker reads it). " +
      "Its first/last route are the first route of the first and of the last host (alike, and first among the candidates at their path).",
    "",
    ...lookupTable(results),
    "",
    ...(chartPath ? [`![ns per lookup vs routes](${chartPath})`, ""] : []),
    "Heap: `heapUsed` after gc, after building and after every route and key was looked up once (so lazily built indexes count), minus before " +
      "building; for the gateway the baseline holds the shard JSON texts (as KV delivers them) and the figure covers the opened shards plus " +
      'everything built on first use (restored routes and host indexes, in parentheses as "on use"). First/last route: 1,024 distinct keys (`/x<n>`) under the first and under the last root-path exact-host ' +
      "line of the OpenShift router's `map_reg` map for the same routes (scripts/bench/haproxy-config.ts `firstAndLast`: like keys, so " +
      "only the position in the list differs; the end-to-end section uses the same two routes).",
    "",
    ...detailTable(results),
    "",
    "## 2. Control plane and cold start",
    "",
    "`compile()` + `serializeTable()` on the generated manifests (what `routes push` runs between reading YAML and writing KV), median of 3 runs " +
      "in a fresh process; published bytes = index + all shards. The last four columns are the Worker's own cost for those bytes, measured in Node: " +
      "`JSON.parse` of every shard and of the largest, `openShard` of the largest (what a cold request does per shard it reads), and " +
      "`openShard` + `ShardLookup.add` of every shard (the whole table, as the background prefetch loads it).",
    "",
    ...controlLines(results),
    "",
    "Cold start in workerd (scripts/bench/cold-start.ts): the table is published with `routes push --local --persist-to DIR`, then pushed " +
      "again with one route changed (the last Route gets a timeout annotation; wall time of that `routes push` and the table keys it " +
      "wrote, besides pointer and history, of all the table's keys: shards are content-addressed, docs/route-table.md); a fresh workerd " +
      "(Miniflare, one process, the bundled Worker, pinned) is started; the first request (new connection, a path under the first route) makes " +
      "the Worker read `routes:current` (which carries the index's shard count, hashes and layout) and the shard(s) its host needs from the local KV, open and index them, route and " +
      "forward to the backend (the Worker reads the remaining shards after answering, in `waitUntil`). " +
      "Once workerd is idle again (the rest of the table read in the background), 20 warm requests, one at a time. Wall time is the client's until the full response; CPU is the whole workerd process (all threads, " +
      "/proc schedstat), which includes Miniflare's local KV simulator serving the values. The baseline probe (scripts/bench/kv-probe-worker.ts) " +
      "goes through the same steps reading exactly the same values, then forwards each request as the forward-only Worker does (so the " +
      "runtime's first subrequest, on a new connection to the backend, is in both), and does nothing else; the gateway's own cold cost is the gateway's " +
      `first − warm minus the probe's first − warm. ${s.coldRepeats} fresh processes of each per size, interleaved; medians.`,
    "",
    ...coldLines(results),
    "",
    "## 3. End to end",
    "",
    `Table of ${fmt(s.e2eRoutes)} generated routes. wrk (1 thread) rotates over ${fmt(s.e2eDistinctUrls)} distinct URLs under the route named ` +
      `(direct and forward-only use the first route's URLs). Saturation: 32 connections, ${s.e2eSeconds} s after a warm-up. Fixed rate: 16 connections ` +
      `each waiting so that the total is at most ${fmt(s.e2eRate)} req/s (wrk 4 has no open-loop mode; a target slower than that runs below it). ` +
      `${s.e2eRounds} round(s), targets interleaved; medians over rounds. CPU µs/req = CPU time of the process under test (workerd, HAProxy, or the ` +
      "backend for direct) over the run ÷ completed requests. The backend is Node (1 KiB body, keep-alive) on the load core. HAProxy is configured " +
      "as the OpenShift router writes it: `use_backend %[base,map_reg(os_http_be.map)]`, one regex line per route in the router's sort order, one " +
      "backend per route, one thread; with HAProxy's default pattern cache (10,000 entries) and with it off, and a no-map frontend in the same " +
      "process as a paired baseline.",
    "",
    ...e2eLines(results),
    "",
    "### Where the gateway's CPU goes, phase by phase",
    "",
    "scripts/bench/phase-profile.ts (`npm run bench:profile` runs it alone; `-- --baseline <git ref>` adds that ref's gateway beside " +
      "this one). The forward-only Worker, the gateway on the first route and on the route with policies, each in its own workerd " +
      "with the V8 inspector open, on a table of the same size as above. A profiled sample is charged to the pipeline phase " +
      "whose file the innermost pipeline frame of its stack is in (helpers such as headers.ts, worker/core and jose to the phase that " +
      "called them; the bundle's module markers give each line its file); samples with no JavaScript on the stack are workerd's own " +
      "work (HTTP, sockets, the subrequest) or garbage collection.",
    "",
    ...profileLines(results.profile ?? { ok: false, reason: results.skipped.profile ?? "not run" }),
    "",
    "## 4. Authentication: an OpenShift OAuth token check",
    "",
    "The gateway (workerd, as in section 3) with two routes to the same backend: one without authentication, one with " +
      "`auth.edgeroute.dev/openshift-api-url` pointing at a stand-in of the cluster's user API on 127.0.0.1 " +
      "(scripts/dev/token-stand-in.ts, in the benchmark's process). Requests one at a time on one keep-alive connection, " +
      `${fmt(s.authRequests ?? Number.NaN)} per case and round after a warm-up, ${s.authRounds ?? "—"} round(s), cases interleaved; medians over rounds. ` +
      "Cached: one token for every request (answered by the isolate's cache). Uncached: a new token on every request, so each one calls the " +
      "stand-in (`GET /apis/user.openshift.io/v1/users/~`) before forwarding. Added = the case minus no auth. CPU = workerd's CPU time over " +
      "the loop ÷ requests (the stand-in's own work is in the benchmark's process and not counted).",
    "",
    ...authLines(results),
    "",
    "## Raw results",
    "",
    `Everything above comes from one JSON value, written to \`bench-out/results${results.mode === "quick" ? "-quick" : ""}.json\` (not committed).`,
    "",
  ];
  return `${out.join("\n")}\n`;
}

function authLines(results: BenchResults): string[] {
  const auth = results.auth;
  if (auth === undefined || auth === null) return [`Not measured: ${results.skipped.auth ?? "not part of this run"}.`];
  if (!auth.ok) return [`Not measured: ${auth.reason}.`];
  const none = auth.cases.find((c) => c.case === "none");
  const labels = {
    none: "no auth",
    cached: "cached check (one token)",
    uncached: "uncached check (new token each request)",
  };
  const lines = [
    "| Case | p50 ms | p99 ms | added p50 ms | workerd CPU µs/req | added CPU µs/req | stand-in calls / requests |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of auth.cases) {
    const added = (a: number, b: number | undefined): string =>
      c.case === "none" || b === undefined ? "—" : fmt(a - b, 2);
    lines.push(
      `| ${labels[c.case]} | ${fmt(c.p50, 2)} | ${fmt(c.p99, 2)} | ${added(c.p50, none?.p50)} | ${fmt(c.cpuUs)} | ${c.case === "none" || none === undefined ? "—" : fmt(c.cpuUs - none.cpuUs)} | ${fmt(c.standInCalls)} / ${fmt(c.requests)} |`,
    );
  }
  return lines;
}

export function lookupOk(o: LookupOutcome): o is LookupSuccess {
  return o.ok;
}
