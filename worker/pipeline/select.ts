/**
 * @module Phase 4: the backend (weighted, sticky) and the endpoint (balance algorithm), (the target is checked on the final URL in `forward`).
 * Runs after the policies, before `upstream`. May throw `NoBackend`.
 */
import { canaryDecision, pickBackend, pickEndpoint, sourceHash } from "../core/index.ts";
import type { BackendChoice, BalanceState, CompiledRoute } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { readCookie } from "./cookies.ts";
import { GatewayError } from "./errors.ts";
import { requestFacts } from "./route.ts";

export function select(ctx: RequestCtx, balance: BalanceState): void {
  const route = ctx.route;
  if (!route) throw new GatewayError("GatewayBug", "select ran without a route");
  const stickyId = route.cookie ? readCookie(ctx.request.headers.get("cookie"), route.cookie.name) : undefined;
  // `balance source` must keep a client on one side of a split too, so the draw itself comes from the address.
  const draw = route.balance === "source" ? sourceHash(ctx.clientIp) / 2 ** 32 : Math.random();
  const choice = pickCanary(ctx, route, draw, stickyId) ?? pickBackend(route.backends, draw, stickyId);
  if (route.kind === "HTTPRoute") {
    if (!choice) throw new GatewayError("InvalidBackendRef", "This HTTPRoute rule has no backendRef with weight.");
    // The reason (a Service name) stays in `routes validate`; the client learns only that the rule is broken.
    if (choice.backend.invalid !== undefined)
      throw new GatewayError("InvalidBackendRef", "A backendRef of this HTTPRoute rule is not valid.");
  }
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
  );
  if (primary === undefined)
    throw new GatewayError("NoBackend", "Every backend of this route but its canary has weight 0.");
  return primary;
}
