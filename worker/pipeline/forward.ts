/**
 * @module Phase 6: one subrequest to the backend (one attempt; pipeline/attempts.ts decides about retries). The
 * timeout covers the wait for the response headers (HAProxy `timeout server`); the body then streams for as long
 * as it takes. Runs after `upstream`, before `respond`. May throw `ForbiddenTarget`, `UpstreamTimeout` or
 * `UpstreamConnect`.
 */
import { endpointKey, forbiddenTarget } from "../core/index.ts";
import type { BalanceState, Backend, Endpoint } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import { GatewayError } from "./errors.ts";
import type { UpstreamRequest } from "./upstream.ts";

export async function forward(
  ctx: RequestCtx,
  upstream: UpstreamRequest,
  balance: BalanceState,
  timeoutMs: number,
  allowLoopback: boolean,
): Promise<Response> {
  checkTarget(upstream, allowLoopback);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  // leastconn counts requests waiting for their response headers in this isolate.
  const key = endpointKey(ctx.backend as Backend, ctx.endpoint as Endpoint);
  balance.inFlight.set(key, (balance.inFlight.get(key) ?? 0) + 1);
  try {
    return await fetch(upstream.url, { ...upstream.init, signal: controller.signal });
  } catch (error) {
    if (timedOut) {
      // The client was promised the route's timeout; `timeoutMs` may be only what an attempt had left of it.
      const promised = ctx.route?.timeoutMs ?? timeoutMs;
      throw new GatewayError("UpstreamTimeout", `The backend did not answer within ${promised} ms.`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new GatewayError("UpstreamConnect", "The backend could not be reached.", { detail: reason });
  } finally {
    clearTimeout(timer);
    balance.inFlight.set(key, (balance.inFlight.get(key) ?? 1) - 1);
  }
}

/**
 * Defence in depth: the CLI refuses these targets already; a table written by other means is checked again, on
 * what `fetch` will connect to: the final URL's host as the URL parser read it, and the `resolveOverride` name.
 */
function checkTarget(upstream: UpstreamRequest, allowLoopback: boolean): void {
  const hosts = [new URL(upstream.url).hostname];
  const override = upstream.init.cf?.resolveOverride;
  if (override !== undefined) hosts.push(override);
  for (const host of hosts) {
    const kind = forbiddenTarget(host, allowLoopback);
    if (kind === null) continue;
    const allowed = kind === "loopback" ? ", allowed only in local development" : ", which is never a target";
    throw new GatewayError("ForbiddenTarget", "The route points at an address that is not allowed.", {
      detail: `target ${host} is ${kind === "invalid" ? "not a valid host" : `a ${kind} address`}${allowed}`,
    });
  }
}
