/**
 * @module The request pipeline, in order (see worker/pipeline/README.md):
 * normalize → table → route → policies → select → upstream → mirror → forward → respond, with `fail` as the one error
 * phase and `log` always run. select → upstream → mirror → forward run as one loop (attempts.ts) so a failed attempt can be
 * retried on another endpoint.
 */
import type { BalanceState } from "../core/index.ts";
import type { Env } from "../env.ts";
import { enforcePolicies } from "../policy/index.ts";
import { type LiveTable, type TableCache, TableUnavailable } from "../table/load.ts";
import { newCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";
import { fail } from "./fail.ts";
import { type Health, sendWithRetries } from "./attempts.ts";
import { log } from "./log.ts";
import { normalize } from "./normalize.ts";
import { respond } from "./respond.ts";
import { route } from "./route.ts";

/** What a request needs from its isolate and its invocation. */
export interface Deps {
  env: Env;
  tables: TableCache;
  balance: BalanceState;
  health: Health;
  waitUntil: (promise: Promise<unknown>) => void;
}

export async function run(request: Request, deps: Deps): Promise<Response> {
  const ctx = newCtx(request);
  let table: LiveTable | undefined;
  try {
    normalize(ctx);
    table = await deps.tables.get(deps.env, deps.waitUntil).catch(asNoTable);
    await table.prepare(ctx.host, deps.env.ROUTES).catch(asNoTable);
    const redirect = route(ctx, table);
    if (redirect) return done(ctx, redirect);
    const decision = await enforcePolicies({
      request,
      route: ctx.route!,
      clientIp: ctx.clientIp,
      env: deps.env,
      waitUntil: deps.waitUntil,
    });
    if (!decision.allow) {
      ctx.code = decision.code;
      return done(ctx, decision.response);
    }
    const { response, websocket } = await sendWithRetries(ctx, deps, decision);
    return done(ctx, respond(ctx, response, websocket));
  } catch (error) {
    return fail(ctx, error);
  } finally {
    // A cold isolate read only the shards this request needed; the rest follow once it has been answered.
    table?.prefetch(deps.env.ROUTES, deps.waitUntil);
    if (deps.env.ACCESS_LOG === "true" || ctx.status === undefined || ctx.status >= 500) log(ctx);
  }
}

function done(ctx: { status?: number }, response: Response): Response {
  ctx.status = response.status;
  return response;
}

function asNoTable(error: unknown): never {
  if (error instanceof TableUnavailable) {
    throw new GatewayError("NoTable", "No route table can be read. Publish one with `npm run routes -- push`.", {
      detail: error.message,
    });
  }
  throw error;
}
