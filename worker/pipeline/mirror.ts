/**
 * @module HTTPRoute `RequestMirror` (https://gateway-api.sigs.k8s.io/reference/spec/#httprequestmirrorfilter): a
 * copy of the request goes to the mirror backend in `waitUntil`; its answer is read and dropped, and a failure is
 * only logged, so mirroring never delays or fails the client's request. Runs after `upstream`, before `forward`.
 */
import { forbiddenTarget, pickEndpoint } from "../core/index.ts";
import type { BalanceState, CompiledRoute } from "../core/index.ts";
import type { RequestCtx } from "./context.ts";
import type { UpstreamRequest } from "./upstream.ts";

/** Starts the route's mirrors and returns the request to forward (its body re-wired when it was split). */
export function mirror(
  ctx: RequestCtx,
  route: CompiledRoute,
  upstream: UpstreamRequest,
  balance: BalanceState,
  allowLoopback: boolean,
  waitUntil: (promise: Promise<unknown>) => void,
): UpstreamRequest {
  const mirrors = route.gateway?.mirrors;
  if (mirrors === undefined || upstream.websocket) return upstream;
  let main = upstream;
  const target = new URL(upstream.url);
  for (const copyTo of mirrors) {
    if (Math.random() >= copyTo.fraction) continue;
    const endpoint = pickEndpoint(copyTo.backend, "random", balance, ctx.clientIp, Math.random());
    if (endpoint === undefined) continue;
    // The request-time target rule of `forward`, on the mirror's own endpoint.
    const refused = forbiddenTarget(endpoint.host, allowLoopback);
    if (refused !== null) {
      console.warn(JSON.stringify({ event: "mirror-refused", route: route.id, reason: `a ${refused} target` }));
      continue;
    }
    // A body kept in memory for retries (attempts.ts) is sent as is; a streamed one is split.
    const original = main.init.body;
    let body: BodyInit | null = original instanceof ReadableStream ? null : (original ?? null);
    if (original instanceof ReadableStream) {
      // Both copies read the one client body; a slow mirror only buffers its own branch.
      const [forward, copy] = original.tee();
      main = { ...main, init: { ...main.init, body: forward } };
      body = copy;
    }
    const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
    const url = `${endpoint.scheme}://${host}:${endpoint.port}${target.pathname}${target.search}`;
    const request = fetch(url, {
      method: main.init.method ?? "GET",
      headers: new Headers(main.init.headers),
      body,
      redirect: "manual",
    })
      .then((response) => response.body?.cancel())
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        console.warn(JSON.stringify({ event: "mirror-failed", route: route.id, reason }));
      });
    waitUntil(request);
  }
  return main;
}
