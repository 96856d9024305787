/**
 * @module Phase 4: the backend (weighted, sticky) and the endpoint (balance algorithm), then the target check.
 * Runs after the policies, before `upstream`. May throw `NoBackend` or `ForbiddenTarget`.
 */
import { classifyTarget, NEVER_A_TARGET, pickBackend, pickEndpoint, sourceHash } from "../core/index.ts";
import type { BalanceState } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { readCookie } from "./cookies.ts";
import { GatewayError } from "./errors.ts";

export function select(ctx: RequestCtx, balance: BalanceState, allowLoopback: boolean): void {
  const route = ctx.route;
  if (!route) throw new GatewayError("GatewayBug", "select ran without a route");
  const stickyId = route.cookie ? readCookie(ctx.request.headers.get("cookie"), route.cookie.name) : undefined;
  // `balance source` must keep a client on one side of a split too, so the draw itself comes from the address.
  const draw = route.balance === "source" ? sourceHash(ctx.clientIp) / 2 ** 32 : Math.random();
  const choice = pickBackend(route.backends, draw, stickyId);
  if (!choice) throw new GatewayError("NoBackend", "Every backend of this route has weight 0.");
  const endpoint = pickEndpoint(choice.backend, route.balance, balance, ctx.clientIp, Math.random());
  if (!endpoint) throw new GatewayError("NoBackend", `Service ${choice.backend.service} has no endpoint.`);
  ctx.backend = choice.backend;
  ctx.sticky = choice.sticky;
  ctx.endpoint = endpoint;
  // Defence in depth: the CLI refuses these endpoints already; a table written by other means is checked again.
  const refusal = targetRefusal(endpoint.host, allowLoopback);
  if (refusal !== null) throw new GatewayError("ForbiddenTarget", `The route's endpoint is ${refusal}.`);
}

/**
 * The request-time forbidden-target rule for any host the Worker fetches (endpoints, token-check servers): `null`
 * when it may be fetched, else what it is.
 */
export function targetRefusal(host: string, allowLoopback: boolean): string | null {
  const kind = classifyTarget(host);
  if (NEVER_A_TARGET.has(kind)) return `a ${kind} address, which is never a target`;
  if (kind === "loopback" && !allowLoopback) return "a loopback address, allowed only in local development";
  return null;
}
