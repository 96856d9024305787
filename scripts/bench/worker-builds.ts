/**
 * @module Getting Workers ready for workerd: bundling with wrangler (`deploy --dry-run --outdir`, the same
 * esbuild step as `wrangler dev`/`deploy`), and publishing a generated table into a local KV directory with the
 * project's own CLI (`routes push --local --persist-to DIR`), exactly as a user would.
 *
 * The manifests go into several files, as an export per namespace would.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./machine.ts";
import type { RouteSet } from "./routeset.ts";
import { summarize, type Summary } from "./stats.ts";

/** Runs a command; its standard output (the error names the command and the end of stdout and stderr). */
function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
    });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${args.slice(0, 3).join(" ")} failed (${signal ?? code}): ${output.trim().slice(-500)}`));
    });
  });
}

/** Bundles the Worker of `wranglerConfig` into `outDir`; returns the bundled module's path. */
export async function bundleWorker(wranglerConfig: string, outDir: string): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  const wrangler = join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");
  await run(
    process.execPath,
    [wrangler, "deploy", "--dry-run", "--outdir", outDir, "--config", wranglerConfig],
    120_000,
  );
  const script = readdirSync(outDir).find((f) => f.endsWith(".js"));
  if (!script) throw new Error(`wrangler wrote no bundle into ${outDir}`);
  return join(outDir, script);
}

/** A wrangler configuration for the forward-only Worker (no bindings but the backend origin). */
export function forwardWorkerConfig(dir: string, compatibilityDate: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "wrangler.json");
  const config = {
    name: "edgeroute-bench-forward",
    main: join(REPO_ROOT, "scripts/bench/forward-worker.ts"),
    compatibility_date: compatibilityDate,
    vars: { BACKEND_ORIGIN: "http://127.0.0.1:1" },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * A wrangler configuration for the KV probe (scripts/bench/kv-probe-worker.ts): the gateway's ROUTES namespace
 * (same id, so the same local KV directory), nothing else.
 */
export function kvProbeConfig(dir: string, compatibilityDate: string): string {
  const toml = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8");
  const id = /\[\[kv_namespaces\]\][^[]*?binding\s*=\s*"ROUTES"[^[]*?\bid\s*=\s*"([^"]+)"/.exec(toml)?.[1];
  if (!id) throw new Error("wrangler.toml declares no ROUTES KV namespace id");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "wrangler.json");
  const config = {
    name: "edgeroute-bench-kv-probe",
    main: join(REPO_ROOT, "scripts/bench/kv-probe-worker.ts"),
    compatibility_date: compatibilityDate,
    kv_namespaces: [{ binding: "ROUTES", id }],
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export interface Published {
  persistTo: string;
  /** Wall time of `routes push` (YAML reading, compile, serialise, wrangler kv bulk put). */
  pushMs: number;
  manifestBytes: number;
  /** The push after that of the same manifests with one route changed (an annotation on the last Route). */
  incremental: { pushMs: number; keysWritten: number; keysTotal: number };
}

/** Objects per manifest file: `oc get` output split the way a GitOps repository would hold it. */
const OBJECTS_PER_FILE = 5_000;

/**
 * Writes the set's manifests as `kind: List` JSON files of at most {@link OBJECTS_PER_FILE} objects in one
 * directory, and publishes the directory to a fresh local KV with `routes push`.
 */
export async function publishLocal(set: RouteSet, dir: string): Promise<Published> {
  const manifests = join(dir, `routes-${set.size}`);
  rmSync(manifests, { recursive: true, force: true });
  mkdirSync(manifests, { recursive: true });
  let manifestBytes = 0;
  for (let start = 0, n = 0; start < set.objects.length; start += OBJECTS_PER_FILE, n++) {
    const text = JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: set.objects.slice(start, start + OBJECTS_PER_FILE),
    });
    writeFileSync(join(manifests, `part-${String(n).padStart(3, "0")}.json`), text);
    manifestBytes += Buffer.byteLength(text);
  }
  const persistTo = join(dir, `kv-${set.size}`);
  rmSync(persistTo, { recursive: true, force: true });
  const push = async (): Promise<{ ms: number; stdout: string }> => {
    const started = performance.now();
    const stdout = await run(
      process.execPath,
      [
        join(REPO_ROOT, "scripts/cli.ts"),
        "push",
        "--local",
        "--persist-to",
        persistTo,
        "--config",
        join(REPO_ROOT, "wrangler.toml"),
        "--allow-wildcards",
        "--output",
        "json",
        manifests,
      ],
      900_000,
    );
    return { ms: performance.now() - started, stdout };
  };
  const full = await push();
  // Incremental publication: one route changes (the last Route gets a timeout annotation), the rest is as pushed.
  const last = set.objects.findLastIndex((object) => object.kind === "Route");
  const part = Math.floor(last / OBJECTS_PER_FILE);
  const items = set.objects.slice(part * OBJECTS_PER_FILE, (part + 1) * OBJECTS_PER_FILE).map((object, i) => {
    if (part * OBJECTS_PER_FILE + i !== last) return object;
    const metadata = object.metadata as Record<string, unknown>;
    const annotations = { ...(metadata.annotations as Record<string, string> | undefined) };
    annotations["haproxy.router.openshift.io/timeout"] = "7s";
    return { ...object, metadata: { ...metadata, annotations } };
  });
  const partFile = join(manifests, `part-${String(part).padStart(3, "0")}.json`);
  writeFileSync(partFile, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
  const changed = await push();
  const result = JSON.parse(changed.stdout) as { keysWritten: number; keys: number };
  return {
    persistTo,
    pushMs: full.ms,
    manifestBytes,
    incremental: { pushMs: changed.ms, keysWritten: result.keysWritten, keysTotal: result.keys },
  };
}

/** `npm run routes -- push routes-config/` end to end, as a user types it (issue 11 item 5: ≤ 2 s locally). */
export interface ExamplePush {
  wallMs: Summary;
  /** What the push printed last (its summary line), from the last run. */
  summary: string;
}

/**
 * Times `npm run routes -- push routes-config/` (npm start's own `--resolve`) `runs` times into a fresh local KV,
 * the blue weight of Route shop/web changed before each run so that every push writes a new version.
 */
export async function timeExamplePush(dir: string, runs: number): Promise<ExamplePush> {
  const config = join(dir, "routes-config");
  const persistTo = join(dir, "kv-example");
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(REPO_ROOT, "routes-config"), config, { recursive: true });
  const routeFile = join(config, "shop", "web-route.yaml");
  const original = readFileSync(routeFile, "utf8");
  const walls: number[] = [];
  let summary = "";
  for (let i = 0; i < runs; i++) {
    writeFileSync(routeFile, original.replace("weight: 90", `weight: ${80 + i}`));
    const started = performance.now();
    const out = await run(
      "npm",
      [
        "run",
        "--silent",
        "routes",
        "--",
        "push",
        "--persist-to",
        persistTo,
        "--resolve",
        "router-default.apps.east.example.com=127.0.0.1:8083",
        config,
      ],
      120_000,
    );
    walls.push(performance.now() - started);
    summary = out.trim().split("\n").pop() ?? "";
  }
  return { wallMs: summarize(walls), summary };
}
