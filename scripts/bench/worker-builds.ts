/**
 * @module Getting Workers ready for workerd: bundling with wrangler (`deploy --dry-run --outdir`, the same
 * esbuild step as `wrangler dev`/`deploy`), and publishing a generated table into a local KV directory with the
 * project's own CLI (`routes push --local --persist-to DIR`), exactly as a user would.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./machine.ts";
import type { RouteSet } from "./routeset.ts";

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${args.slice(0, 3).join(" ")} failed (${signal ?? code}): ${output.trim().slice(-500)}`));
    });
  });
}

/** Bundles the Worker of `wranglerConfig` into `outDir`; returns the bundled module's path. */
export async function bundleWorker(wranglerConfig: string, outDir: string): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  const wrangler = join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");
  await run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outDir, "--config", wranglerConfig], 120_000);
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

export interface Published {
  persistTo: string;
  /** Wall time of `routes push` (YAML reading, compile, serialise, wrangler kv bulk put). */
  pushMs: number;
  manifestBytes: number;
}

/** Writes the set's manifests as one `kind: List` JSON file and publishes it to a fresh local KV. */
export async function publishLocal(set: RouteSet, dir: string): Promise<Published> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `routes-${set.size}.json`);
  const text = JSON.stringify({ apiVersion: "v1", kind: "List", items: set.objects });
  writeFileSync(file, text);
  const persistTo = join(dir, `kv-${set.size}`);
  rmSync(persistTo, { recursive: true, force: true });
  const started = performance.now();
  await run(
    process.execPath,
    [join(REPO_ROOT, "scripts/cli.ts"), "push", "--local", "--persist-to", persistTo, "--config", join(REPO_ROOT, "wrangler.toml"), "--allow-wildcards", file],
    900_000,
  );
  return { persistTo, pushMs: performance.now() - started, manifestBytes: Buffer.byteLength(text) };
}
