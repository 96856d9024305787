/**
 * @module Always-run phase: one JSON line per request (Workers Logs / `wrangler tail`). The query string is not
 * logged: it can carry secrets.
 */
import type { RequestCtx } from "./context.ts";

export function log(ctx: RequestCtx): void {
  console.log(
    JSON.stringify({
      event: "request",
      method: ctx.request.method,
      host: ctx.host,
      path: ctx.path,
      status: ctx.status,
      code: ctx.code,
      route: ctx.route?.id,
      backend: ctx.backend?.service,
      endpoint: ctx.endpoint ? `${ctx.endpoint.host}:${ctx.endpoint.port}` : undefined,
      ms: Date.now() - ctx.startedAt,
    }),
  );
}
