/**
 * @module Local development only (`FORWARD_MODE=direct`): the first time the gateway forwards to an endpoint that
 * a remote table would refuse, log why, once per endpoint per isolate. Local workerd fetches IP addresses and any
 * port, and loopback is allowed for the demo backends, so without this line the difference from production
 * (docs/production.md) would only show at `routes push --remote`. The rules are the compiler's: the address
 * classes of ../core/compile/endpoint-safety.ts for a remote table, and ../core/reach.ts. Runs after `select`, once the response has gone (worker/background.ts);
 * never changes the answer.
 */
import { logEvent } from "../answers.ts";
import { endpointRefusal } from "../core/compile/endpoint-safety.ts";
import { unreachableReasons } from "../core/index.ts";
import type { CompiledRoute, Endpoint } from "../core/index.ts";
import type { AfterResponse } from "../background.ts";
import type { Selection } from "./select.ts";

/** Endpoints already reported by this isolate (`scheme://host:port`). */
const reported = new Set<string>();
/** Endpoint objects already looked at: a warm request pays one WeakSet probe (restored endpoints are shared). */
const seen = new WeakSet<Endpoint>();

/** Checks `selection`'s endpoint the first time this isolate forwards to it, after the response (background.ts). */
export function warnIfRefusedRemotely(route: CompiledRoute, selection: Selection, after: AfterResponse): void {
  if (seen.has(selection.endpoint)) return;
  seen.add(selection.endpoint);
  after.add(() => report(route, selection));
}

function report(route: CompiledRoute, { backend, endpoint }: Selection): void {
  const key = `${endpoint.scheme}://${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  if (reported.has(key)) return;
  reported.add(key);
  const refusal = endpointRefusal(endpoint.host, { target: "remote", allowPrivateEndpoints: false });
  const reasons = [
    ...(refusal === null ? [] : [`${endpoint.host} ${refusal}`]),
    ...unreachableReasons(endpoint, route.host, []),
  ];
  if (reasons.length === 0) return;
  logEvent("warn", "endpoint-refused-remotely", {
    endpoint: key,
    route: route.id,
    service: backend.service,
    message: `works locally, but \`routes push --remote\` refuses this endpoint: ${reasons.join("; ")}`,
  });
}
