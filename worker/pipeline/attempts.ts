/**
 * @module Phases 4–6 as one loop: select → upstream → mirror (first attempt) → forward, again on another endpoint when an attempt failed
 * in a way the route retries (docs/health.md), all inside the route's timeout.
 *
 * - A request that certainly never reached a server — a refused connection (locally: the endpoint no longer
 *   accepts TCP connections), or in production Cloudflare's 521/522/523 for an origin that is down or unreachable
 *   (https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/) — is
 *   retried whatever its method, when `retry-on` has `conn-failure` (the default).
 * - A request that may have reached a server (connection lost after sending, timeout, a 5xx) is retried only when
 *   its method is idempotent (RFC 9110 §9.2.2, https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2) and
 *   `retry-on` names the case: a POST is never delivered twice.
 * - A body is resent only when it was kept: bodies with a Content-Length up to {@link RETRY_BODY_LIMIT} are read
 *   into memory first; larger or chunked bodies stream to the first endpoint and are never retried.
 * Every attempt feeds passive health; endpoints reported down by the health objects are skipped, and when every
 * endpoint is only passively ejected they are tried anyway (panic mode, logged).
 */
import { connect } from "cloudflare:sockets";
import type { Endpoint, PassiveHealth, Usable } from "../core/index.ts";
import { healthKey, probeKey } from "../core/index.ts";
import type { SharedHealth } from "../health/shared.ts";
import type { RequestCtx, Trail } from "./context.ts";
import type { AfterResponse } from "../background.ts";
import { GatewayError } from "./errors.ts";
import { forward } from "./forward.ts";
import { mirror } from "./mirror.ts";
import { warnIfRefusedRemotely } from "./production-check.ts";
import type { Routing } from "./route.ts";
import type { Deps } from "./run.ts";
import { type Selection, select } from "./select.ts";
import { type PolicyHeaders, upstream } from "./upstream.ts";

/** Largest request body kept in memory so that a retry can send it again. */
export const RETRY_BODY_LIMIT = 64 * 1024;
const IDEMPOTENT: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
const CLOUDFLARE_UNREACHABLE: ReadonlySet<number> = new Set([521, 522, 523]);
/** How long the refused-connection check may take before it counts as "not refused". */
const CONNECT_CHECK_MS = 1_000;

/** Isolate-wide health state. */
export interface Health {
  passive: PassiveHealth;
  shared: SharedHealth;
}

/** What the last attempt got: the backend's response, and where it came from. */
export interface Sent {
  response: Response;
  /** The request was a WebSocket handshake (its 101 answer passes through `respond` untouched). */
  websocket: boolean;
  selection: Selection;
}

/**
 * Sends the request to the route's backends, retrying as the route allows. Notes each attempt's selection, the
 * attempt count and panic mode in `trail` (for the log line, also when an attempt throws).
 */
export async function sendWithRetries(
  ctx: RequestCtx,
  routing: Extract<Routing, { kind: "forward" }>,
  policy: PolicyHeaders,
  deps: Deps,
  trail: Trail,
  after: AfterResponse,
): Promise<Sent> {
  const { route } = routing;
  const { env, balance } = deps;
  const { passive, shared } = deps.health;
  const { forwardMode: mode, allowLoopback } = deps.config;
  const start = Date.now();
  shared.touch(route, ctx.host, env, after, deps.waitUntil, start);
  const deadline = start + route.timeoutMs;
  const idempotent = IDEMPOTENT.has(ctx.request.method);
  const retries = route.retryOn === "none" ? 0 : route.retries;
  const kept = retries === 0 ? NOTHING_KEPT : keepBody(ctx.request);
  const body = kept instanceof Promise ? await kept : kept;
  const maxAttempts = body.resendable ? 1 + retries : 1;
  // Split only once an attempt failed: the happy path never looks at the keywords.
  let words: RetryOn | undefined;
  const retryOn = (): RetryOn => (words ??= new RetryOn(route.retryOn));

  const activeUp: Usable | undefined = shared.quiet
    ? undefined
    : (_, endpoint) => !shared.isDown(probeKey(endpoint, ctx.host, route.healthPath));
  const healthy: Usable | undefined =
    passive.quiet && activeUp === undefined
      ? undefined
      : (backend, endpoint) =>
          (activeUp === undefined || activeUp(backend, endpoint)) &&
          !passive.ejected(healthKey(endpoint, ctx.host), start);

  let tried: Set<Endpoint> | undefined;
  let panic = false;
  let previous: Selection | undefined;
  let pending: { response?: Response; error?: GatewayError } = {};
  for (let attempt = 1; ; attempt++) {
    const base = panic ? activeUp : healthy;
    const usable: Usable | undefined =
      tried === undefined ? base : (b, e) => !(tried as Set<Endpoint>).has(e) && (base === undefined || base(b, e));
    let selection = select(ctx, route, balance, previous, usable);
    if (selection === undefined) {
      if (previous !== undefined) {
        if (pending.response !== undefined)
          return { response: pending.response, websocket: false, selection: previous };
        throw pending.error as GatewayError;
      }
      // Everything is ejected or down. Ejection is only this isolate's advice: try anyway (panic). Down by the
      // health checks is everyone's verdict: answer at once rather than wait on dead endpoints.
      selection = select(ctx, route, balance, undefined, activeUp);
      if (selection === undefined) {
        throw new GatewayError("NoBackend", "Every endpoint of this route is failing its health checks.");
      }
      panic = true;
      trail.panic = true;
    }
    trail.backend = selection.backend;
    trail.endpoint = selection.endpoint;
    previous = selection;
    // Locally, say once per endpoint when production would refuse it (production-check.ts), after the response.
    if (mode === "direct") warnIfRefusedRemotely(route, selection, after);
    await pending.response?.body?.cancel();
    pending = {};
    const endpoint = selection.endpoint;
    const request = upstream(ctx, routing, endpoint, mode, policy, body.bytes);
    // HTTPRoute RequestMirror: copies go out once per request, with the first attempt (mirror.ts).
    const outgoing = attempt === 1 ? mirror(ctx, route, request, balance, allowLoopback, deps.waitUntil) : request;
    const now = Date.now();
    const remaining = deadline - now;
    if (remaining <= 0)
      throw new GatewayError("UpstreamTimeout", `The backend did not answer within ${route.timeoutMs} ms.`);
    // With response-timeout retries a hung endpoint may use only its share of what is left, so others get a turn.
    const left = maxAttempts - attempt;
    const timeoutMs =
      left > 0 && idempotent && route.retryOn.includes("response-timeout")
        ? Math.ceil(remaining / (left + 1))
        : remaining;
    trail.attempts = attempt;
    let retry: boolean;
    try {
      const response = await forward(route, selection, outgoing, balance, timeoutMs, allowLoopback);
      const unreachable = mode === "resolve-override" && CLOUDFLARE_UNREACHABLE.has(response.status);
      if (response.status >= 500)
        passive.failure(healthKey(endpoint, ctx.host), unreachable ? "refused" : "failed", Date.now());
      else if (!passive.quiet) passive.success(healthKey(endpoint, ctx.host));
      retry = unreachable
        ? retryOn().has("conn-failure")
        : response.status >= 400 && idempotent && retryOn().has(String(response.status));
      if (!retry || attempt >= maxAttempts || Date.now() >= deadline) {
        return { response, websocket: outgoing.websocket, selection };
      }
      pending = { response };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      const timedOut = error.code === "UpstreamTimeout";
      const refused = !timedOut && mode === "direct" && (await connectionRefused(endpoint));
      passive.failure(healthKey(endpoint, ctx.host), refused ? "refused" : "failed", Date.now());
      retry = refused
        ? retryOn().has("conn-failure")
        : idempotent &&
          (timedOut
            ? retryOn().has("response-timeout")
            : retryOn().has("empty-response") || retryOn().has("junk-response"));
      const failure = refused
        ? new GatewayError("UpstreamConnect", "The backend is not accepting requests right now.", {
            detail: error.detail,
          })
        : error;
      if (!retry || attempt >= maxAttempts || Date.now() >= deadline) throw failure;
      pending = { error: failure };
    }
    tried ??= new Set();
    tried.add(endpoint);
  }
}

/** The route's `retry-on` keywords, split once a request has failed (never on the happy path). */
class RetryOn {
  private readonly words: ReadonlySet<string>;
  constructor(text: string) {
    this.words = new Set(text.split(" "));
  }
  has(word: string): boolean {
    return this.words.has(word);
  }
}

interface KeptBody {
  resendable: boolean;
  bytes?: ArrayBuffer;
}
/** No body to keep: the request can be sent again as it is. */
const NOTHING_KEPT: KeptBody = { resendable: true };

/**
 * A small body with a known length is read into memory so a retry can resend it; otherwise it streams once. Only a
 * body to read is awaited: a GET answers synchronously (no promise per request on the hot path).
 */
function keepBody(request: Request): KeptBody | Promise<KeptBody> {
  if (request.body === null || request.method === "GET" || request.method === "HEAD") return NOTHING_KEPT;
  const length = Number(request.headers.get("content-length") ?? Number.NaN);
  if (!(length >= 0 && length <= RETRY_BODY_LIMIT)) return { resendable: false };
  return request.arrayBuffer().then((bytes) => ({ resendable: true, bytes }));
}

/**
 * Whether the endpoint refuses TCP connections right now. workerd reports a refused connection and a connection
 * reset after the request was sent with the same error ("Network connection lost"), so after a failed fetch the
 * gateway asks the endpoint directly (https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/): only
 * a refusal proves the request never reached a server. Used in `direct` mode only; in production Cloudflare
 * itself answers 521/522/523 for an origin it could not reach.
 */
async function connectionRefused(endpoint: Endpoint): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const socket = connect({ hostname: endpoint.host, port: endpoint.port });
    // A connection that neither opens nor fails in time is not a refusal.
    await Promise.race([socket.opened, new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_CHECK_MS)))]);
    socket.close().catch(() => undefined);
    return false;
  } catch {
    return true;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
