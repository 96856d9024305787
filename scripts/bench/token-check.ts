/**
 * @module Section 4: what checking an OpenShift OAuth token costs the gateway. One gateway (the real Worker in
 * workerd, through serve-worker.ts) in front of the 1 KiB backend, and a stand-in of the cluster's user API
 * (scripts/dev/token-stand-in.ts) on 127.0.0.1, with two routes: one without authentication, one with
 * `auth.edgeroute.dev/openshift-api-url`. Three cases, each a sequential loop of requests on one keep-alive
 * connection (so a request's latency is not queueing behind others):
 *
 * - no auth: the plain route;
 * - cached check: the authenticated route, one token for every request (after the first, the isolate's cache);
 * - uncached check: a new token on every request, so every request calls the stand-in.
 *
 * Latency is the client's wall time per request; CPU is workerd's CPU time over the loop ÷ requests. Rounds
 * interleave the cases; the report gives medians over rounds, and the added cost against the no-auth case.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { startOpenShiftStandIn } from "../dev/token-stand-in.ts";
import { gatewayVars } from "./cold-start.ts";
import { cpuSeconds } from "./load.ts";
import { REPO_ROOT } from "./machine.ts";
import { type Service, startWorker } from "./services.ts";
import { summarize } from "./stats.ts";
import { bundleWorker } from "./worker-builds.ts";

export type TokenCase = "none" | "cached" | "uncached";

export interface TokenCaseResult {
  case: TokenCase;
  /** Medians over rounds of the per-round p50 / p99 latency, ms. */
  p50: number;
  p99: number;
  /** Median over rounds of workerd CPU µs per request. */
  cpuUs: number;
  requests: number;
  /** Calls the stand-in received during this case's measured loops. */
  standInCalls: number;
}

export type TokenCheckOutcome = { ok: true; cases: TokenCaseResult[] } | { ok: false; reason: string };

export interface TokenCheckPlan {
  requests: number;
  warmup: number;
  rounds: number;
  workDir: string;
  backend: Service;
  log: (line: string) => void;
}

const CACHED_TOKEN = "sha256~bench-cached-token-000000000000000000000000000";

export async function runTokenCheck(plan: TokenCheckPlan): Promise<TokenCheckOutcome> {
  const { workDir, backend, log } = plan;
  mkdirSync(workDir, { recursive: true });
  const fresh = Array.from({ length: plan.rounds * (plan.requests + plan.warmup) }, (_, i) => `sha256~bench-${i}`);
  const users = Object.fromEntries(
    [CACHED_TOKEN, ...fresh].map((token) => [token, { name: "bench", groups: ["developers"] }]),
  );
  const cluster = await startOpenShiftStandIn({ users });
  let gateway: Service | undefined;
  try {
    const persistTo = publish(workDir, backend.port, cluster.url);
    const script = await bundleWorker(join(REPO_ROOT, "wrangler.toml"), join(workDir, "gateway-dist"));
    gateway = await startWorker(
      { wranglerConfig: join(REPO_ROOT, "wrangler.toml"), script, persistTo, vars: gatewayVars() },
      join(workDir, "serve"),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const port = gateway.port;
    const pid = gateway.pid;
    let next = 0;
    const tokenFor = (c: TokenCase): string | undefined =>
      c === "none" ? undefined : c === "cached" ? CACHED_TOKEN : (fresh[next++] as string);
    const host = (c: TokenCase): string => (c === "none" ? "plain.bench.test" : "oauth.bench.test");
    const perCase = new Map<TokenCase, { p50: number[]; p99: number[]; cpu: number[]; calls: number }>();
    for (let round = 0; round < plan.rounds; round++) {
      for (const c of ["none", "cached", "uncached"] as const) {
        for (let i = 0; i < plan.warmup; i++) await get(agent, port, host(c), tokenFor(c));
        const calls = cluster.calls.length;
        const cpuBefore = cpuSeconds(pid);
        const ms: number[] = [];
        for (let i = 0; i < plan.requests; i++) {
          const started = performance.now();
          await get(agent, port, host(c), tokenFor(c));
          ms.push(performance.now() - started);
        }
        const cpu = ((cpuSeconds(pid) - cpuBefore) * 1e6) / plan.requests;
        ms.sort((a, b) => a - b);
        const entry = perCase.get(c) ?? { p50: [], p99: [], cpu: [], calls: 0 };
        entry.p50.push(ms[Math.floor(ms.length * 0.5)] as number);
        entry.p99.push(ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] as number);
        entry.cpu.push(cpu);
        entry.calls += cluster.calls.length - calls;
        perCase.set(c, entry);
      }
    }
    agent.destroy();
    const cases = [...perCase].map(([c, e]) => ({
      case: c,
      p50: summarize(e.p50).median,
      p99: summarize(e.p99).median,
      cpuUs: summarize(e.cpu).median,
      requests: plan.requests * plan.rounds,
      standInCalls: e.calls,
    }));
    for (const r of cases) {
      log(
        `  ${r.case.padEnd(8)} p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, workerd ${r.cpuUs.toFixed(0)} µs CPU/req, ${r.standInCalls} stand-in calls for ${r.requests} requests`,
      );
    }
    return { ok: true, cases };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await gateway?.stop();
    await cluster.close();
  }
}

/** The two routes, published with the routes CLI into a fresh local KV; returns its directory. */
function publish(workDir: string, backendPort: number, clusterUrl: string): string {
  const manifests = join(workDir, "manifests");
  rmSync(manifests, { recursive: true, force: true });
  mkdirSync(manifests, { recursive: true });
  const route = (name: string, host: string, annotations: Record<string, string>) => ({
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: { name, namespace: "bench", creationTimestamp: "2026-01-01T00:00:00Z", annotations },
    spec: { host, to: { kind: "Service", name: "backend", weight: 100 }, port: { targetPort: "http" } },
  });
  const objects = [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "backend", namespace: "bench", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { type: "LoadBalancer", ports: [{ name: "http", port: backendPort, protocol: "TCP", targetPort: 8080 }] },
      status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } },
    },
    route("plain", "plain.bench.test", {}),
    route("oauth", "oauth.bench.test", {
      "auth.edgeroute.dev/openshift-api-url": clusterUrl,
      "auth.edgeroute.dev/user-header": "X-Forwarded-User",
      "auth.edgeroute.dev/token-cache-seconds": "3600",
    }),
  ];
  writeFileSync(join(manifests, "bench.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  const persistTo = join(workDir, "kv");
  rmSync(persistTo, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, "scripts/cli.ts"), "push", "--local", "--persist-to", persistTo, manifests],
    { cwd: REPO_ROOT, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  return persistTo;
}

/** One GET through the gateway; fails unless the answer is 200. */
function get(agent: Agent, port: number, host: string, token: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host, "cf-connecting-ip": "203.0.113.7" };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const req = request({ host: "127.0.0.1", port, path: "/", headers, agent }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`${host} answered ${res.statusCode} (expected 200)`)),
      );
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${host} within 30 s`)));
    req.on("error", reject);
    req.end();
  });
}
