/**
 * @module `npm run bench [-- --quick] [-- --only lookup,control,cold,e2e,profile,auth]`: the whole benchmark, then
 * BENCHMARKS.md (full run) or bench-out/BENCHMARKS.quick.md (quick run) and the lookup chart. Not part of
 * `npm test`. Sections, in order: route lookup, control plane, cold start in workerd, end to end (gateway,
 * forward-only Worker, direct, HAProxy as the OpenShift router), where the gateway's CPU goes (a V8 CPU profile
 * phase by phase), the cost of an OpenShift OAuth token check.
 * See BENCHMARKS.md for what each measures.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { measureColdStart, type ColdStartOutcome, type GatewayBuild } from "./cold-start.ts";
import type { ControlFailure, ControlOutcome } from "./control-child.ts";
import { runEndToEnd } from "./e2e.ts";
import { ROUTER_LABELS, runLookups, ROUTERS } from "./lookup.ts";
import { describeMachine, REPO_ROOT } from "./machine.ts";
import { runProfile } from "./phase-profile.ts";
import { CAN_PIN, pinned } from "./pin.ts";
import { renderReport } from "./report.ts";
import type { BenchResults } from "./results.ts";
import { type PolicyRoute, startPolicyRoute } from "./policy-route.ts";
import { generateRouteSet } from "./routeset.ts";
import { startBackend, type Service } from "./services.ts";
import { lookupChart } from "./svg-chart.ts";
import { evaluateTargets } from "./targets.ts";
import { runTokenCheck } from "./token-check.ts";
import {
  bundleWorker,
  forwardWorkerConfig,
  kvProbeConfig,
  publishLocal,
  timeExamplePush,
  type Published,
} from "./worker-builds.ts";

const SECTIONS = ["lookup", "control", "cold", "e2e", "profile", "auth"] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    "report-only": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  process.stdout.write(
    "npm run bench [-- --quick] [-- --only lookup,control,cold,e2e,profile,auth]\n" +
      "  full run: about 20-25 minutes on 2 cores; writes BENCHMARKS.md and scripts/bench/results/lookup.svg\n" +
      "  --quick:  smaller sizes, fewer and shorter runs; writes bench-out/ only\n" +
      "  --only:   run only the named sections (output goes to bench-out/ only)\n" +
      "  --report-only: re-render BENCHMARKS.md and the chart from bench-out/results.json (no measuring)\n",
  );
  process.exit(0);
}
const only = values.only?.split(",").map((s) => s.trim()) ?? [...SECTIONS];
const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length > 0) {
  process.stderr.write(`unknown section(s) ${unknown.join(", ")}; sections are ${SECTIONS.join(", ")}\n`);
  process.exit(2);
}
const run = (s: Section): boolean => only.includes(s);
const quick = values.quick;
const official = !quick && values.only === undefined;

const settings = quick
  ? {
      lookupSizes: [10, 1_000, 10_000],
      lookupSamples: 3,
      lookupSampleMs: 20,
      lookupRepeats: 1,
      lookupTimeoutMs: 60_000,
      controlSizes: [10, 1_000, 10_000],
      coldSizes: [1_000],
      coldRepeats: 1,
      e2eRoutes: 1_000,
      e2eSeconds: 2,
      e2eWarmup: 1,
      e2eRounds: 1,
      e2eRate: 1_000,
      e2eDistinctUrls: 2_048,
      authRequests: 300,
      authWarmup: 30,
      authRounds: 3,
      profileSeconds: 2,
      profileRounds: 1,
    }
  : {
      lookupSizes: [10, 1_000, 10_000, 100_000],
      lookupSamples: 7,
      lookupSampleMs: 50,
      lookupRepeats: 3,
      lookupTimeoutMs: 120_000,
      controlSizes: [10, 1_000, 10_000, 100_000],
      coldSizes: [10_000, 100_000],
      coldRepeats: 9,
      e2eRoutes: 10_000,
      e2eSeconds: 10,
      e2eWarmup: 3,
      e2eRounds: 3,
      e2eRate: 1_000,
      e2eDistinctUrls: 16_384,
      authRequests: 2_000,
      authWarmup: 200,
      authRounds: 3,
      profileSeconds: 5,
      profileRounds: 3,
    };

const OUT = join(REPO_ROOT, "bench-out");
/** The helper Workers (forward-only, KV probe) run with the gateway's compatibility date (wrangler.toml). */
const COMPATIBILITY_DATE =
  /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8"))?.[1] ??
  "2026-11-01";
const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** haproxy and wrk: installed with apt-get when missing and running as root; otherwise the reason they are absent. */
function ensureTools(): string | undefined {
  const missing = ["haproxy", "wrk"].filter((tool) => {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0)
    return `${missing.join(" and ")} not installed, and installing needs root (apt-get install ${missing.join(" ")})`;
  log(`installing ${missing.join(" ")} with apt-get`);
  const install = (): void =>
    void execFileSync("apt-get", ["install", "-y", ...missing], {
      stdio: "ignore",
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  try {
    install();
  } catch {
    try {
      execFileSync("apt-get", ["update"], { stdio: "ignore", timeout: 600_000 });
      install();
    } catch (error) {
      return `apt-get install ${missing.join(" ")} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    }
  }
  return undefined;
}

function runControlChild(size: number): Promise<ControlOutcome | ControlFailure> {
  const [command, args] = pinned(1, process.execPath, [
    "--max-old-space-size=6144",
    join(REPO_ROOT, "scripts/bench/control-child.ts"),
    String(size),
    "3",
  ]);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-400)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (line.startsWith("{")) resolve(JSON.parse(line) as ControlOutcome | ControlFailure);
      else resolve({ ok: false, size, reason: `exited with ${code}: ${stderr.trim() || "no output"}` });
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(OUT, { recursive: true });
  log(`edgeroute bench (${quick ? "quick" : "full"}${values.only ? `, only ${values.only}` : ""})`);
  const machine = describeMachine();
  log(
    `machine: ${machine.cpuModel}, ${machine.nproc} cores, kernel ${machine.kernel}, Node ${machine.node}, workerd ${machine.workerd}`,
  );
  const skipped: Record<string, string> = {};
  const results: BenchResults = {
    mode: quick ? "quick" : "full",
    startedAt: new Date(started).toISOString().replace(/\.\d+Z$/, "Z"),
    durationSeconds: 0,
    machine,
    loadAverageAtEnd: 0,
    pinned: CAN_PIN,
    settings: {
      lookupSizes: settings.lookupSizes,
      lookupSamples: settings.lookupSamples,
      lookupSampleMs: settings.lookupSampleMs,
      lookupRepeats: settings.lookupRepeats,
      coldSizes: settings.coldSizes,
      coldRepeats: settings.coldRepeats,
      e2eRoutes: settings.e2eRoutes,
      e2eSeconds: settings.e2eSeconds,
      e2eRounds: settings.e2eRounds,
      e2eRate: settings.e2eRate,
      e2eDistinctUrls: settings.e2eDistinctUrls,
      authRequests: settings.authRequests,
      authRounds: settings.authRounds,
    },
    lookup: [],
    control: [],
    cold: [],
    skipped,
    e2e: [],
    auth: null,
    profile: null,
  };

  if (run("lookup")) {
    log("1. route lookup");
    results.lookup = await runLookups({
      sizes: settings.lookupSizes,
      samples: settings.lookupSamples,
      sampleMs: settings.lookupSampleMs,
      repeats: settings.lookupRepeats,
      timeoutMs: settings.lookupTimeoutMs,
      log,
    });
  } else skipped.lookup = "not selected (--only)";

  if (run("control")) {
    log("2. control plane");
    for (const size of settings.controlSizes) {
      const outcome = await runControlChild(size);
      results.control.push(outcome);
      log(
        outcome.ok
          ? `  control ${String(size).padStart(7)} routes: compile ${outcome.compileMs.median.toFixed(1)} ms, serialize ${outcome.serializeMs.median.toFixed(1)} ms, ` +
              `${(outcome.publishedBytes / size).toFixed(0)} B/route published in ${outcome.shards} shard(s)`
          : `  control ${size}: FAILED: ${outcome.reason}`,
      );
    }
  } else skipped.control = "not selected (--only)";

  const toolsMissing = run("e2e") ? ensureTools() : undefined;
  let backend: Service | undefined;
  let policy: PolicyRoute | undefined;
  try {
    if (run("cold") || run("e2e")) {
      backend = await startBackend();
      const workDir = join(OUT, "workers");
      let gateway: GatewayBuild | string;
      try {
        const script = await bundleWorker(join(REPO_ROOT, "wrangler.toml"), join(workDir, "gateway-dist"));
        const probeConfig = kvProbeConfig(join(workDir, "kv-probe"), COMPATIBILITY_DATE);
        const probe = {
          wranglerConfig: probeConfig,
          script: await bundleWorker(probeConfig, join(workDir, "kv-probe-dist")),
          vars: { BACKEND_ORIGIN: `http://127.0.0.1:${backend.port}` },
        };
        gateway = { wranglerConfig: join(REPO_ROOT, "wrangler.toml"), script, workDir, probe };
      } catch (error) {
        gateway = `the gateway Worker could not be bundled: ${error instanceof Error ? error.message : String(error)}`;
      }
      const published = new Map<number, Published | string>();
      const publish = async (size: number): Promise<Published | string> => {
        const known = published.get(size);
        if (known) return known;
        log(`  publishing ${size.toLocaleString("en-US")} routes with routes push --local`);
        let outcome: Published | string;
        try {
          outcome = await publishLocal(
            generateRouteSet(size, { ip: "127.0.0.1", port: (backend as Service).port }),
            join(OUT, "tables"),
          );
        } catch (error) {
          outcome = `routes push failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        published.set(size, outcome);
        return outcome;
      };

      if (run("cold")) {
        log("2b. cold start in workerd");
        for (const size of settings.coldSizes) {
          const pub = await publish(size);
          let outcome: ColdStartOutcome;
          if (typeof gateway === "string") outcome = { ok: false, size, reason: gateway };
          else if (typeof pub === "string") outcome = { ok: false, size, reason: pub };
          else
            outcome = await measureColdStart(
              generateRouteSet(size, { ip: "127.0.0.1", port: backend.port }),
              pub,
              gateway,
              settings.coldRepeats,
            );
          results.cold.push(outcome);
          log(
            outcome.ok
              ? `  cold ${String(size).padStart(7)} routes: first ${outcome.firstWallMs.median.toFixed(1)} ms, warm ${outcome.warmWallMs.median.toFixed(2)} ms, ` +
                  `workerd CPU first ${outcome.firstCpuMs.median.toFixed(1)} ms`
              : `  cold ${size}: not measured: ${outcome.reason}`,
          );
        }
        log("2c. routes push routes-config/");
        try {
          results.examplePush = await timeExamplePush(join(OUT, "example-push"), settings.coldRepeats);
          log(`  push routes-config: ${results.examplePush.wallMs.median.toFixed(0)} ms wall (median)`);
        } catch (error) {
          results.examplePush = { reason: error instanceof Error ? error.message : String(error) };
        }
      } else skipped.cold = "not selected (--only)";

      if (run("e2e")) {
        log("3. end to end");
        const size = settings.e2eRoutes;
        // The generated table plus the route with policies (and the JWKS server its key set comes from).
        policy = await startPolicyRoute({ ip: "127.0.0.1", port: backend.port });
        const set = generateRouteSet(size, { ip: "127.0.0.1", port: backend.port });
        log(`  publishing ${size.toLocaleString("en-US")} routes and the route with policies with routes push --local`);
        let pub: Published | string;
        try {
          pub = await publishLocal({ ...set, objects: [...set.objects, ...policy.objects] }, join(OUT, "tables-e2e"));
        } catch (error) {
          pub = `routes push failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        let forward: { wranglerConfig: string; script: string } | { reason: string };
        try {
          const config = forwardWorkerConfig(join(workDir, "forward"), COMPATIBILITY_DATE);
          forward = { wranglerConfig: config, script: await bundleWorker(config, join(workDir, "forward-dist")) };
        } catch (error) {
          forward = {
            reason: `the forward-only Worker could not be bundled: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
        const gatewayReason = typeof gateway === "string" ? gateway : typeof pub === "string" ? pub : undefined;
        if (toolsMissing?.includes("wrk")) {
          skipped.e2e = `not measured: ${toolsMissing}`;
          log(`  ${skipped.e2e}`);
        } else {
          results.e2e = await runEndToEnd(
            {
              set,
              backend,
              gateway: {
                ...(typeof gateway === "string"
                  ? { wranglerConfig: "", script: "", workDir }
                  : { wranglerConfig: gateway.wranglerConfig, script: gateway.script, workDir }),
                persistTo: typeof pub === "string" || typeof gateway === "string" ? undefined : pub.persistTo,
                ...(gatewayReason ? { reason: gatewayReason } : {}),
              },
              forward,
              policyKeys: policy.keys,
              haproxyReason: toolsMissing,
              workDir: join(OUT, "e2e"),
            },
            {
              seconds: settings.e2eSeconds,
              warmupSeconds: settings.e2eWarmup,
              rounds: settings.e2eRounds,
              rate: settings.e2eRate,
              distinctUrls: settings.e2eDistinctUrls,
              log,
            },
          );
        }
      } else skipped.e2e = "not selected (--only)";
    } else {
      skipped.cold = "not selected (--only)";
      skipped.e2e = "not selected (--only)";
    }
  } finally {
    await policy?.stop();
    await backend?.stop();
  }

  if (run("profile")) {
    log("3b. where the gateway's CPU goes (V8 CPU profile)");
    results.profile = await runProfile({
      seconds: settings.profileSeconds,
      rounds: settings.profileRounds,
      routes: settings.e2eRoutes,
      intervalUs: 100,
      workDir: join(OUT, "profile"),
      log,
    });
    if (!results.profile.ok) log(`  not measured: ${results.profile.reason}`);
  } else skipped.profile = "not selected (--only)";

  if (run("auth")) {
    log("4. OpenShift OAuth token check");
    const authBackend = await startBackend();
    try {
      results.auth = await runTokenCheck({
        requests: settings.authRequests,
        warmup: settings.authWarmup,
        rounds: settings.authRounds,
        workDir: join(OUT, "auth"),
        backend: authBackend,
        log,
      });
      if (!results.auth.ok) log(`  not measured: ${results.auth.reason}`);
    } finally {
      await authBackend.stop();
    }
  } else skipped.auth = "not selected (--only)";

  results.durationSeconds = (Date.now() - started) / 1000;
  results.loadAverageAtEnd = loadavg()[0] ?? 0;
  const suffix = quick ? "-quick" : values.only ? "-partial" : "";
  writeFileSync(join(OUT, `results${suffix}.json`), JSON.stringify(results, null, 1));
  writeOutputs(results, suffix);
}

/** BENCHMARKS.md (or its bench-out/ copy), the chart, and the targets printed. */
function writeOutputs(results: BenchResults, suffix: string): void {
  const { machine } = results;
  const verdicts = evaluateTargets(results);
  let chartRef: string | undefined;
  const okLookups = results.lookup.filter((o) => o.ok);
  if (okLookups.length > 0) {
    const svg = lookupChart(
      `Route lookup, ns per lookup (${machine.cpuModel}, Node ${machine.node})`,
      ROUTERS.map((router) => ({
        name: ROUTER_LABELS[router] ?? router,
        points: results.lookup
          .filter((o) => o.router === router)
          .map((o) => ({ x: o.size, ns: o.ok ? o.mixed.median : null })),
      })),
      [
        { x: 10_000, ns: 150, label: "150 ns" },
        { x: 100_000, ns: 400, label: "400 ns" },
      ],
    );
    if (official) {
      mkdirSync(join(REPO_ROOT, "scripts/bench/results"), { recursive: true });
      writeFileSync(join(REPO_ROOT, "scripts/bench/results/lookup.svg"), svg);
      chartRef = "scripts/bench/results/lookup.svg";
    } else {
      writeFileSync(join(OUT, `lookup${suffix}.svg`), svg);
      chartRef = `lookup${suffix}.svg`;
    }
  }
  const report = renderReport(results, verdicts, chartRef);
  const reportFile = official ? join(REPO_ROOT, "BENCHMARKS.md") : join(OUT, `BENCHMARKS${suffix}.md`);
  writeFileSync(reportFile, report);
  // The report is written as plain Markdown; the project's formatter (Biome, which `npm test` checks) lays out its
  // tables, so a fresh report is committed as `npm run format` would leave it.
  if (official)
    execFileSync(join(REPO_ROOT, "node_modules/.bin/biome"), ["format", "--write", reportFile], { stdio: "ignore" });
  log("");
  log("targets:");
  for (const v of verdicts) log(`  [${v.status}] ${v.target}: ${v.measured}${v.gap ? ` (${v.gap})` : ""}`);
  log("");
  log(`wrote ${reportFile} (${(results.durationSeconds / 60).toFixed(1)} minutes)`);
}

if (values["report-only"]) {
  const results = JSON.parse(readFileSync(join(OUT, "results.json"), "utf8")) as BenchResults;
  writeOutputs(results, "");
} else {
  await main();
}
