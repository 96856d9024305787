/**
 * @module Serves one bundled Worker in workerd through Miniflare, in its own process:
 * `node serve-worker.ts <config.json>` where the JSON is a {@link ServeConfig}. Prints `ready <port>` once the
 * Worker accepts requests and stays up until SIGTERM.
 *
 * Why not `wrangler dev`: it runs two workerd processes (a proxy Worker in front of the user Worker, see
 * wrangler's `buildMiniflareOptions`), which would double the runtime cost measured per request. Miniflare
 * alone runs exactly one workerd process; its bindings come from wrangler's own reading of the wrangler
 * configuration (`unstable_getMiniflareWorkerOptions`), and its local KV is the directory that
 * `wrangler kv … --local --persist-to DIR` writes (wrangler stores it under `DIR/v3`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export interface ServeConfig {
  /** wrangler configuration (bindings, compatibility date). */
  wranglerConfig: string;
  /** The bundled Worker (ES module), from `wrangler deploy --dry-run --outdir`. */
  script: string;
  port: number;
  /** `--persist-to` directory of the local KV, or omitted for none. */
  persistTo?: string;
  /** Plain-text vars that override the configuration's. */
  vars: Record<string, string>;
  /** Opens workerd's V8 inspector (Chrome DevTools Protocol) on this port: scripts/bench/profile.ts. */
  inspectorPort?: number;
}

const config = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as ServeConfig;
const { workerOptions } = unstable_getMiniflareWorkerOptions(config.wranglerConfig);
// The script is already bundled into one module, so wrangler's module rules (for unbundled sources) do not apply.
const { modulesRules: _unbundledRules, ...bindingOptions } = workerOptions;
const bindings = { ...(workerOptions.bindings ?? {}), ...config.vars };
// wrangler describes bindings in Miniflare's v4 option shape; Miniflare 5 converts it (as wrangler itself does).
const mf = new Miniflare(
  convertV4MiniflareOptions({
    // Module names are paths relative to modulesRoot, which must contain the bundle.
    workers: [
      { ...bindingOptions, bindings, modules: true, modulesRoot: dirname(config.script), scriptPath: config.script },
    ],
    host: "127.0.0.1",
    port: config.port,
    ...(config.persistTo ? { resourcePersistencePath: join(config.persistTo, "v3") } : {}),
    ...(config.inspectorPort === undefined ? {} : { inspectorPort: config.inspectorPort }),
  } as Parameters<typeof convertV4MiniflareOptions>[0]),
);
const url = await mf.ready;
process.stdout.write(`ready ${url.port}\n`);
process.on("SIGTERM", () => {
  void mf.dispose().finally(() => process.exit(0));
});
