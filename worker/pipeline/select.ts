/**
 * @module Phase 4: the backend (weighted, sticky) and the endpoint (balance algorithm, priority tier, health); the
 * target itself is checked on the final URL in `forward`. Runs after the policies, before `upstream`;
 * pipeline/attempts.ts runs it again for a retry. Returns the selection. May throw `NoBackend`.
 */
import { canaryDecision, pickBackend, pickEndpoint, sourceHash } from "../core/index.ts";
import type { Backend, BackendChoice, BalanceState, CompiledRoute, Endpoint, Usable } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { readCookie } from "./cookies.ts";
import { GatewayError } from "./errors.ts";
import { requestFacts } from "./route.ts";

/** Where one attempt goes. */
export interface Selection {
  backend: Backend;
  endpoint: Endpoint;
  /** True when the sticky cookie chose the backend (then `respond` sets no new cookie). */
  sticky: boolean;
}

/**
 * Choose the backend and endpoint among those `usable` allows (all when absent). A retry (`previous`, the failed
 * attempt's selection) stays on its backend while that has a usable endpoint left, else moves to another backend
 * of the split. Returns undefined when nothing usable is left; throws `NoBackend` when the route has nothing to
 * send to at all.
 */
export function select(
  ctx: RequestCtx,
  route: CompiledRoute,
  balance: BalanceState,
  previous: Selection | undefined,
  usable?: Usable,
): Selection | undefined {
  const random = Math.random();
  if (previous !== undefined) {
    const endpoint = pickEndpoint(previous.backend, route.balance, balance, ctx.clientIp, random, usable);
    if (endpoint !== undefined) return { ...previous, endpoint };
  }
  const first = previous === undefined;
  const stickyId = first && route.cookie ? readCookie(ctx.request.headers.get("cookie"), route.cookie.name) : undefined;
  // `balance source` must keep a client on one side of a split too, so the draw itself comes from the address.
  const draw = route.balance === "source" ? sourceHash(ctx.clientIp) / 2 ** 32 : random;
  let choice = first ? pickCanary(ctx, route, draw, stickyId, usable) : undefined;
  if (choice === undefined && first && route.kind === "HTTPRoute") {
    // An invalid backendRef's share answers 500 (Gateway API HTTPBackendRef), decided before the health filter,
    // which never picks a backend without endpoints. The reason (a Service name) stays in `routes validate`.
    const share = pickBackend(route.backends, draw, stickyId);
    if (!share) throw new GatewayError("InvalidBackendRef", "This HTTPRoute rule has no backendRef with weight.");
    if (share.backend.invalid !== undefined)
      throw new GatewayError("InvalidBackendRef", "A backendRef of this HTTPRoute rule is not valid.");
  }
  // balance roundrobin (the router's default for a split) takes the split's Services in turns, as HAProxy does.
  choice ??= pickBackend(route.backends, draw, stickyId, usable, route.balance === "roundrobin" ? balance : undefined);
  if (!choice) {
    if (usable !== undefined) return undefined;
    throw new GatewayError("NoBackend", "Every backend of this route has weight 0.");
  }
  const backend = choice.backend;
  const picked = pickEndpoint(backend, route.balance, balance, ctx.clientIp, random, usable);
  if (!picked) {
    // A canary backend whose endpoints are all unusable: let attempts.ts decide (panic mode or an answer).
    if (usable !== undefined) return undefined;
    throw new GatewayError("NoBackend", `Service ${backend.service} has no endpoint.`);
  }
  // A retry that moved to another backend pins the client there (a new cookie); the first pick keeps its own.
  return { backend, endpoint: picked, sticky: first ? choice.sticky : false };
}

/**
 * The canary's choice, before the weighted pick: the canary backend when a header, cookie or query rule (or the
 * canary weight) says so, the other backends when one says `never` or the weight draw misses; `undefined` when
 * the route has no canary or nothing decided. A canary answer sets no sticky cookie (the rule decides each time).
 */
function pickCanary(
  ctx: RequestCtx,
  route: CompiledRoute,
  draw: number,
  stickyId: string | undefined,
  usable: Usable | undefined,
): BackendChoice | undefined {
  const canary = route.canary;
  if (canary === undefined) return undefined;
  const cookies = ctx.request.headers.get("cookie");
  const decision = canaryDecision(canary, requestFacts(ctx), (name) => readCookie(cookies, name));
  let side = decision?.side;
  if (side === undefined && canary.weight !== undefined)
    side = Math.random() * canary.weight.total < canary.weight.weight ? "canary" : "primary";
  if (side === undefined) return undefined;
  const backend = route.backends.find((b) => b.id === canary.backend);
  if (side === "canary" && backend !== undefined) return { backend, sticky: true };
  const primary = pickBackend(
    route.backends.filter((b) => b.id !== canary.backend),
    draw,
    stickyId,
    usable,
  );
  if (primary === undefined)
    throw new GatewayError("NoBackend", "Every backend of this route but its canary has weight 0.");
  return primary;
}
