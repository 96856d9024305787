/**
 * @module Phase 4: the backend (weighted, sticky) and the endpoint (balance algorithm), (the target is checked on the final URL in `forward`).
 * Runs after the policies, before `upstream`. May throw `NoBackend`.
 */
import { pickBackend, pickEndpoint, sourceHash } from "../core/index.ts";
import type { BalanceState } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { readCookie } from "./cookies.ts";
import { GatewayError } from "./errors.ts";

export function select(ctx: RequestCtx, balance: BalanceState): void {
  const route = ctx.route;
  if (!route) throw new GatewayError("GatewayBug", "select ran without a route");
  const stickyId = route.cookie ? readCookie(ctx.request.headers.get("cookie"), route.cookie.name) : undefined;
  // `balance source` must keep a client on one side of a split too, so the draw itself comes from the address.
  const draw = route.balance === "source" ? sourceHash(ctx.clientIp) / 2 ** 32 : Math.random();
  const choice = pickBackend(route.backends, draw, stickyId);
  if (!choice) throw new GatewayError("NoBackend", "Every backend of this route has weight 0.");
  const endpoint = pickEndpoint(choice.backend, route.balance, balance, ctx.clientIp, Math.random());
  if (!endpoint)
    throw new GatewayError("NoBackend", "The application has no endpoint.", {
      detail: `Service ${choice.backend.service} has no endpoint`,
    });
  ctx.backend = choice.backend;
  ctx.sticky = choice.sticky;
  ctx.endpoint = endpoint;
}
