/**
 * @module Identity headers the gateway owns (forwarded JWT claims, the checked token's user and groups): every
 * client-sent copy is removed before the gateway sets its own, in every spelling a backend may read as the same
 * header. CGI-style servers (WSGI, PHP, Rack, nginx with `underscores_in_headers`) map both `X-User` and `X_User` to
 * `HTTP_X_USER` (https://www.rfc-editor.org/rfc/rfc3875#section-4.1.18), so `X_User` is removed with `X-User`.
 */

/** The one spelling of a header name that all its spellings share: lowercase, `_` read as `-`. */
function canonical(name: string): string {
  return name.toLowerCase().replaceAll("_", "-");
}

/** Delete from `headers` every header that is, in any spelling, one of `names`. */
export function removeOwnedHeaders(headers: Headers, names: readonly string[]): void {
  if (names.length === 0) return;
  const owned = new Set(names.map(canonical));
  for (const name of [...headers.keys()]) if (owned.has(canonical(name))) headers.delete(name);
}
