/**
 * @module Request headers the gateway owns on a host: names it writes for the backend from what it verified
 * itself (a JWT route's forwarded claims), so a client must never be able to send them on any route of that host.
 * A backend behind a host cannot tell which route a request came through, so a claim header forwarded by one route
 * (`sub=X-User` on `/api`) is believed on all of them (`GET /other` with `X-User: mallory`). Computed once per host
 * when the host's routes are first used ({@link HostIndex}); further authentication kinds add their names here.
 */
import type { CompiledRoute } from "./table/types.ts";

/** Lowercase header names owned by the gateway on a host served by `routes`. */
export function ownedHeaderNames(routes: readonly CompiledRoute[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const route of routes) {
    for (const { header } of route.jwt?.forwardClaims ?? []) names.add(canonical(header));
    // A checked token's user and groups (OpenShift user API, TokenReview, RFC 7662 introspection).
    if (route.tokenCheck?.userHeader !== undefined) names.add(canonical(route.tokenCheck.userHeader));
    if (route.tokenCheck?.groupsHeader !== undefined) names.add(canonical(route.tokenCheck.groupsHeader));
  }
  return names;
}

/**
 * The spelling all spellings of a name share: lowercase, `_` read as `-`. CGI-style servers (WSGI, PHP, Rack, nginx
 * with `underscores_in_headers`) map `X-User` and `X_User` to the same `HTTP_X_USER`
 * (https://www.rfc-editor.org/rfc/rfc3875#section-4.1.18).
 */
function canonical(name: string): string {
  return name.toLowerCase().replaceAll("_", "-");
}
