/**
 * @module The request pipeline, in order (see worker/pipeline/README.md):
 * normalize → table → route → policies → select → upstream → mirror → forward → respond, with `fail` as the one error
 * phase and `log` always run. select → upstream → mirror → forward run as one loop (attempts.ts) so a failed attempt can be
 * retried on another endpoint. Each phase returns what it produces and the next one is handed it; the trail
 * (context.ts) collects what the log line reports.
 */
import { type BalanceState, CorruptShard } from "../core/index.ts";
import { AfterResponse } from "../background.ts";
import type { Config, Env } from "../env.ts";
import { enforcePolicies } from "../policy/index.ts";
import { type LiveTable, type TableCache, TableUnavailable } from "../table/load.ts";
import { type Health, sendWithRetries } from "./attempts.ts";
import { newTrail, type Trail } from "./context.ts";
import { GatewayError } from "./errors.ts";
import { fail } from "./fail.ts";
import { log } from "./log.ts";
import { normalize } from "./normalize.ts";
import { respond } from "./respond.ts";
import { type Routing, route } from "./route.ts";

/** What a request needs from its isolate and its invocation. */
export interface Deps {
  env: Env;
  /** `env`'s variables, parsed once (env.ts configOf). */
  config: Config;
  tables: TableCache;
  balance: BalanceState;
  health: Health;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** Answers `request`; `url` is its URL, parsed once by the Worker entry. */
export async function run(request: Request, url: URL, deps: Deps): Promise<Response> {
  const trail = newTrail(request);
  const after = new AfterResponse();
  let table: LiveTable | undefined;
  try {
    const ctx = normalize(request, url);
    trail.host = ctx.host;
    trail.path = ctx.path;
    let routing: Routing;
    try {
      // Warm: the table and every shard are in memory, and nothing is awaited.
      table = deps.tables.warm(deps.env, deps.waitUntil) ?? (await deps.tables.get(deps.env, deps.waitUntil));
      if (!table.complete) await table.prepare(ctx.host, deps.env.ROUTES);
      routing = route(ctx, table);
    } catch (error) {
      throw asNoTable(error);
    }
    trail.route = routing.route;
    if (routing.kind === "answer") return done(trail, routing.response);
    const decision = await enforcePolicies({
      request,
      route: routing.route,
      clientIp: ctx.clientIp,
      env: deps.env,
      waitUntil: deps.waitUntil,
    });
    if (!decision.allow) {
      trail.code = decision.code;
      return done(trail, decision.response);
    }
    const sent = await sendWithRetries(ctx, routing, decision, deps, trail, after);
    return done(trail, respond(ctx, routing.route, sent));
  } catch (error) {
    return fail(trail, error);
  } finally {
    // What the phases left for after the response (background.ts); on a cold isolate, the shards not read yet.
    after.start(deps.waitUntil);
    table?.prefetch(deps.env.ROUTES, deps.waitUntil);
    if (deps.config.accessLog || trail.status === undefined || trail.status >= 500) log(trail);
  }
}

function done(trail: Trail, response: Response): Response {
  trail.status = response.status;
  return response;
}

/**
 * The table and route phases' failure: `NoTable` when no table can be read, or the shard the host's routes are in
 * turns out corrupt where they are restored; anything else is passed on as it is.
 */
function asNoTable(error: unknown): unknown {
  if (!(error instanceof TableUnavailable || error instanceof CorruptShard)) return error;
  return new GatewayError("NoTable", "No route table can be read. Publish one with `npm run routes -- push`.", {
    detail: error.message,
  });
}
