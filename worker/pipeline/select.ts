/**
 * @module Phase 4: the backend (weighted, sticky) and the endpoint (balance algorithm, priority tier, health); the
 * target itself is checked on the final URL in `forward`. Runs after the policies, before `upstream`;
 * pipeline/attempts.ts runs it again for a retry. May throw `NoBackend`.
 */
import { pickBackend, pickEndpoint, sourceHash } from "../core/index.ts";
import type { BalanceState, Usable } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { readCookie } from "./cookies.ts";
import { GatewayError } from "./errors.ts";

/**
 * Choose the backend and endpoint among those `usable` allows (all when absent). A retry (ctx.backend already
 * set) stays on its backend while that has a usable endpoint left, else moves to another backend of the split.
 * Returns false when nothing usable is left; throws `NoBackend` when the route has nothing to send to at all.
 */
export function select(ctx: RequestCtx, balance: BalanceState, usable?: Usable): boolean {
  const route = ctx.route;
  if (!route) throw new GatewayError("GatewayBug", "select ran without a route");
  const random = Math.random();
  let backend = ctx.backend;
  let endpoint =
    backend === undefined ? undefined : pickEndpoint(backend, route.balance, balance, ctx.clientIp, random, usable);
  if (endpoint === undefined) {
    const first = ctx.backend === undefined;
    const stickyId =
      first && route.cookie ? readCookie(ctx.request.headers.get("cookie"), route.cookie.name) : undefined;
    // `balance source` must keep a client on one side of a split too, so the draw itself comes from the address.
    const draw = route.balance === "source" ? sourceHash(ctx.clientIp) / 2 ** 32 : random;
    const choice = pickBackend(route.backends, draw, stickyId, usable);
    if (!choice) {
      if (usable !== undefined) return false;
      throw new GatewayError("NoBackend", "Every backend of this route has weight 0.");
    }
    backend = choice.backend;
    endpoint = pickEndpoint(backend, route.balance, balance, ctx.clientIp, random, usable);
    if (!endpoint) throw new GatewayError("NoBackend", `Service ${backend.service} has no endpoint.`);
    // A retry that moved to another backend pins the client there (a new cookie); the first pick keeps its own.
    ctx.sticky = first ? choice.sticky : false;
  }
  ctx.backend = backend;
  ctx.endpoint = endpoint;
  return true;
}
