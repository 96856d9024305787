/**
 * @module Last phase: one JSON line per request (Workers Logs / `wrangler tail`) when ACCESS_LOG is "true", and
 * always for requests the gateway failed (5xx). Off by default like the router's access log
 * (IngressController `spec.logging.access`), because a log line per request is a measurable share of the
 * gateway's CPU. The query string is never logged: it can carry secrets.
 */
import { logEvent } from "../answers.ts";
import { rayOf, type Trail } from "./context.ts";

export function log(ctx: Trail): void {
  logEvent(ctx.status === undefined || ctx.status >= 500 ? "error" : "info", "request", {
    method: ctx.request.method,
    host: ctx.host,
    path: ctx.path,
    status: ctx.status,
    code: ctx.code,
    detail: ctx.detail,
    ray: rayOf(ctx),
    route: ctx.route?.id,
    backend: ctx.backend?.service,
    // Set when the route is handed to a cluster router (its name from the object's status or the CLI option).
    router: ctx.backend?.router?.name,
    endpoint: ctx.endpoint ? `${ctx.endpoint.host}:${ctx.endpoint.port}` : undefined,
    cluster: ctx.endpoint?.cluster,
    attempts: ctx.attempts,
    panic: ctx.panic || undefined,
    ms: Date.now() - ctx.startedAt,
  });
}
