/**
 * @module Terminal phase: any failure becomes a clear page with the right status. A GatewayError carries its own
 * status; anything else is a bug in the gateway, logged with its stack and answered 502, never with an
 * exception page.
 */
import type { RequestCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";
import { noRoutePage, statusPage } from "./pages.ts";

const HEADINGS: Record<string, string> = {
  BadRequest: "Bad request",
  NoTable: "The gateway has no route table yet",
  NoBackend: "Application is not available",
  ForbiddenTarget: "The route points at an address that is not allowed",
  UpstreamConnect: "The application could not be reached",
  UpstreamTimeout: "The application did not answer in time",
  GatewayBug: "The gateway failed to handle this request",
};

export function fail(ctx: RequestCtx, error: unknown): Response {
  const known = error instanceof GatewayError ? error : undefined;
  if (!known)
    console.error(
      JSON.stringify({ event: "gateway-bug", error: error instanceof Error ? error.stack : String(error) }),
    );
  const failure = known ?? new GatewayError("GatewayBug", "An unexpected error occurred; it has been logged.");
  ctx.code = failure.code;
  ctx.status = failure.status;
  if (failure.code === "NoRoute") return noRoutePage(failure.status);
  return statusPage(failure.status, HEADINGS[failure.code] ?? failure.code, failure.message);
}
