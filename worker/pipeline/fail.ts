/**
 * @module Terminal phase: any failure becomes a clear page with the right status. A GatewayError carries its own
 * code and status; anything else is a bug in the gateway, logged with its stack and answered 502, never with an
 * exception page.
 */
import { answer, logEvent, NO_ROUTE_MESSAGE } from "../answers.ts";
import { rayOf, type Trail } from "./context.ts";
import { GatewayError } from "./errors.ts";

/** The page for `error`; notes its code, status and detail in the trail for the log line. */
export function fail(ctx: Trail, error: unknown): Response {
  // The page names the request so the operator can find its log line, which has the detail; outside Cloudflare
  // (local development) there is no CF-Ray, so the gateway makes up an id.
  ctx.ray = rayOf(ctx) ?? crypto.randomUUID();
  const known = error instanceof GatewayError ? error : undefined;
  if (!known) {
    logEvent("error", "gateway-bug", { ray: ctx.ray, error: error instanceof Error ? error.stack : String(error) });
  }
  const failure = known ?? new GatewayError("GatewayBug", "An unexpected error occurred; it has been logged.");
  ctx.code = failure.code;
  ctx.status = failure.status;
  ctx.detail = failure.detail;
  const message = failure.code === "NoRoute" ? NO_ROUTE_MESSAGE : failure.message;
  return answer(failure.code, message, ctx.request.headers.get("Accept"), {
    status: failure.status,
    requestId: ctx.ray,
  });
}
