/**
 * @module The request path's first run, done while the isolate starts instead of on its first request. V8
 * compiles a function when it is first called and collects type feedback as it runs, so the first request an
 * isolate serves pays for compiling and first-running every phase it goes through (BENCHMARKS.md, cold start: the
 * profile of the first request). Cloudflare starts a Worker's isolate while the client's TLS handshake is still
 * going on (https://blog.cloudflare.com/eliminating-cold-starts-with-cloudflare-workers/), so work done at module
 * scope is off the first request's path.
 *
 * `warmUp` runs the pure phases (normalize, the table's shard reading with its hash check, route, upstream,
 * respond, and the target check of forward) once on a one-route table of its own: nothing it does is seen by a
 * request. workerd refuses timers, random numbers and I/O at module scope, so `select` (it draws a random number)
 * and the phases that fetch are left to the first request; test/e2e/forwarding.test.ts checks that a real
 * start-up logs no `warm-up-failed`. It reads no KV, fetches nothing and logs nothing when it
 * works; if it fails (a table schema this literal no longer matches), serving is unaffected, one `warm-up-failed`
 * line is logged, and test/worker/warm-up.test.ts fails.
 */
import { logEvent } from "./answers.ts";
import { contentHashOf, forbiddenTarget, TABLE_SCHEMA, type TableIndex } from "./core/index.ts";
import { normalize } from "./pipeline/normalize.ts";
import { respond } from "./pipeline/respond.ts";
import { route } from "./pipeline/route.ts";
import { upstream } from "./pipeline/upstream.ts";
import { LiveTable } from "./table/load.ts";

const HOST = "warm-up.invalid";
/** One route in the published shard format (docs/route-table.md), as `routes push` writes it. */
const SHARD =
  '{"backends":[[["warm/web",[0]]]],"endpoints":[["192.0.2.1",8080]],' +
  `"hosts":{"${HOST}":["warm/",0,["web","/"]]},"schema":"${TABLE_SCHEMA}","wildcards":{}}`;

/** How far `warmUp` got, for the `warm-up-failed` log line. */
let step = "start";

/** Runs the request path's pure phases once; resolves to the route id it forwarded to (for the test). */
export async function warmUp(): Promise<string> {
  step = "digest";
  const hash = contentHashOf(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(SHARD)));
  step = "table";
  const index: TableIndex = {
    schema: TABLE_SCHEMA,
    shardCount: 1,
    routeCount: 1,
    hostCount: 1,
    notFound: 503,
    shardHashes: [hash],
    layout: "content",
  };
  const table = new LiveTable("warm-up", index);
  const kv = { get: async () => SHARD } as unknown as KVNamespace;
  const request = new Request(`http://${HOST}/a/b?c=d`, {
    headers: { "cf-connecting-ip": "192.0.2.2", cookie: "session=1", "user-agent": "warm-up" },
  });
  const ctx = normalize(request, new URL(request.url));
  step = "prepare";
  await table.prepare(ctx.host, kv);
  step = "route";
  const routing = route(ctx, table);
  if (routing.kind !== "forward") throw new Error(`the warm-up route answered instead of forwarding`);
  // Not `select`: it draws a random number, which workerd refuses at module scope.
  const backend = routing.route.backends[0];
  const endpoint = backend?.endpoints[0];
  if (backend === undefined || endpoint === undefined) throw new Error("the warm-up route has no endpoint");
  const selection = { backend, endpoint, sticky: false };
  step = "upstream";
  const sent = upstream(ctx, routing, endpoint, "resolve-override", { setHeaders: [], removeHeaders: [] });
  forbiddenTarget(new URL(sent.url).hostname, false);
  step = "respond";
  const response = new Response(null, { headers: { "content-type": "text/plain", connection: "keep-alive" } });
  respond(ctx, routing.route, { response, websocket: false, selection });
  return routing.route.id;
}

/** Starts {@link warmUp} at module scope (worker/index.ts); a failure is logged once and changes nothing else. */
export function startWarmUp(): void {
  warmUp().catch((error: unknown) => {
    logEvent("warn", "warm-up-failed", { step, reason: error instanceof Error ? error.message : String(error) });
  });
}
