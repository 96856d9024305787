/**
 * @module Phase 6: one subrequest to the backend (one attempt; pipeline/attempts.ts decides about retries). The
 * timeout covers the wait for the response headers (HAProxy `timeout server`); the body then streams for as long
 * as it takes. Runs after `upstream`, before `respond`. May throw `ForbiddenTarget`, `UpstreamTimeout` or
 * `UpstreamFailed`.
 */
import { endpointKey, forbiddenTarget } from "../core/index.ts";
import type { BalanceState, CompiledRoute } from "../core/index.ts";
import { GatewayError } from "./errors.ts";
import type { Selection } from "./select.ts";
import type { UpstreamRequest } from "./upstream.ts";

/** Returns the backend's response (headers received; the body still streaming). */
export async function forward(
  route: CompiledRoute,
  selection: Selection,
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
  const key = endpointKey(selection.backend, selection.endpoint);
  balance.inFlight.set(key, (balance.inFlight.get(key) ?? 0) + 1);
  try {
    // The init is this attempt's own (upstream.ts builds one per attempt): set the signal on it, not on a copy.
    upstream.init.signal = controller.signal;
    return await fetch(upstream.url, upstream.init);
  } catch (error) {
    if (timedOut) {
      // The client was promised the route's timeout; `timeoutMs` may be only what an attempt had left of it.
      throw new GatewayError("UpstreamTimeout", `The backend did not answer within ${route.timeoutMs} ms.`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    // attempts.ts tells a refused connection (UpstreamConnect) from this where it can.
    throw new GatewayError("UpstreamFailed", "The backend's answer was broken off or never came.", {
      detail: reason,
    });
  } finally {
    clearTimeout(timer);
    balance.inFlight.set(key, (balance.inFlight.get(key) ?? 1) - 1);
  }
}

/**
 * Defence in depth: the CLI refuses these targets already; a table written by other means is checked again, on
 * what `fetch` will connect to: the final URL's host as the URL parser read it, and the `resolveOverride` name.
 * When the URL is its origin followed by `/`, the origin alone decides its host, so the verdict is kept per
 * origin (and override) in {@link targetVerdicts}: a warm request parses no URL here.
 */
function checkTarget(upstream: UpstreamRequest, allowLoopback: boolean): void {
  const override = upstream.init.cf?.resolveOverride;
  const cacheable = upstream.url.startsWith("/", upstream.origin.length);
  const key = `${allowLoopback ? "L" : "-"}${upstream.origin} ${override ?? ""}`;
  let refusal = cacheable ? targetVerdicts.get(key) : undefined;
  if (refusal === undefined) {
    refusal = targetRefusal(new URL(upstream.url).hostname, override, allowLoopback);
    if (cacheable) {
      // One entry per endpoint (and route host under resolve-override); the bound only guards against a table
      // written by other means with an unbounded number of origins.
      if (targetVerdicts.size >= MAX_TARGET_VERDICTS) targetVerdicts.clear();
      targetVerdicts.set(key, refusal);
    }
  }
  if (refusal !== null) {
    throw new GatewayError("ForbiddenTarget", "The route points at an address that is not allowed.", {
      detail: refusal,
    });
  }
}

/** Per isolate: the {@link targetRefusal} of each origin (and override) forwarded to so far. */
const targetVerdicts = new Map<string, string | null>();
const MAX_TARGET_VERDICTS = 10_000;

/** Why the URL's host or the override name may not be fetched (for the log), or null. */
function targetRefusal(urlHost: string, override: string | undefined, allowLoopback: boolean): string | null {
  for (const host of override === undefined ? [urlHost] : [urlHost, override]) {
    const kind = forbiddenTarget(host, allowLoopback);
    if (kind === null) continue;
    const allowed = kind === "loopback" ? ", allowed only in local development" : ", which is never a target";
    return `target ${host} is ${kind === "invalid" ? "not a valid host" : `a ${kind} address`}${allowed}`;
  }
  return null;
}
