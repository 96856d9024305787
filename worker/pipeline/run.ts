/**
 * @module The request pipeline, in order (see worker/pipeline/README.md):
 * normalize → table → route → policies → select → upstream → forward → respond, with `fail` as the one error
 * phase and `log` always run.
 */
import type { BalanceState } from "../core/index.ts";
import type { Env } from "../env.ts";
import { enforcePolicies } from "../policy/index.ts";
import { type LiveTable, type TableCache, TableUnavailable } from "../table/load.ts";
import { newCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";
import { fail } from "./fail.ts";
import { forward } from "./forward.ts";
import { log } from "./log.ts";
import { normalize } from "./normalize.ts";
import { warnIfRefusedRemotely } from "./production-check.ts";
import { respond } from "./respond.ts";
import { route } from "./route.ts";
import { select } from "./select.ts";
import { upstreamRequest } from "./upstream.ts";

/** What a request needs from its isolate and its invocation. */
export interface Deps {
  env: Env;
  tables: TableCache;
  balance: BalanceState;
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
    select(ctx, deps.balance);
    const mode = deps.env.FORWARD_MODE === "direct" ? "direct" : "resolve-override";
    if (mode === "direct") warnIfRefusedRemotely(ctx);
    const upstream = upstreamRequest(ctx, mode, decision);
    const response = await forward(ctx, upstream, deps.balance, deps.env.ALLOW_LOOPBACK_TARGETS === "true");
    return done(ctx, respond(ctx, response, upstream.websocket));
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
