/**
 * @module What every bearer-token policy shares (JWT and token checks): reading the token from the request
 * (RFC 6750 §2.1, https://www.rfc-editor.org/rfc/rfc6750#section-2.1), the `WWW-Authenticate` challenges of
 * RFC 6750 §3 (https://www.rfc-editor.org/rfc/rfc6750#section-3), and identity values as header values.
 */
import type { Refusal } from "./refuse.ts";

/** RFC 6750 §2.1: `Bearer` (case-insensitive scheme) followed by a b64token. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The request's bearer token, or the 401 to answer when it has none or a malformed one. */
export function readBearer(request: Request): { token: string } | { refusal: Refusal } {
  const realm = realmOf(request);
  const header = request.headers.get("Authorization");
  if (header === null || !/^bearer(\s|$)/i.test(header)) {
    // RFC 6750 §3.1: no error code when the request carries no bearer credentials at all.
    return {
      refusal: {
        code: "TokenRequired",
        message: "This site requires a bearer token.",
        headers: [["WWW-Authenticate", realm]],
      },
    };
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) return { refusal: invalidToken(request, "The access token is malformed") };
  return { token };
}

/** 401 `invalid_token`. `description` is a fixed text (no quotes or backslashes), never a library's message. */
export function invalidToken(request: Request, description: string): Refusal {
  return {
    code: "InvalidToken",
    message: `${description}.`,
    headers: [["WWW-Authenticate", `${realmOf(request)}, error="invalid_token", error_description="${description}"`]],
  };
}

/** 403 `insufficient_scope` (RFC 6750 §3.1), naming the scopes the route needs. */
export function insufficientScope(request: Request, scopes: readonly string[]): Refusal {
  return {
    code: "InsufficientScope",
    message: `The access token lacks a scope this site requires (${scopes.join(" ")}).`,
    headers: [
      [
        "WWW-Authenticate",
        `${realmOf(request)}, error="insufficient_scope", error_description="The access token lacks a required scope", scope="${scopes.join(" ")}"`,
      ],
    ],
  };
}

function realmOf(request: Request): string {
  return `Bearer realm="${new URL(request.url).hostname}"`;
}

/**
 * An identity value (a claim, a user name, groups) as one header value: strings as they are, other JSON as JSON.
 * Characters that cannot appear in a header value (controls, non-ASCII) are percent-encoded (UTF-8), so a value can
 * never split or break a header.
 */
export function identityHeaderValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replace(/[^\x20-\x7e]/gu, (c) => (isLoneSurrogate(c) ? "%EF%BF%BD" : encodeURIComponent(c)));
}

/** JSON may carry a lone UTF-16 surrogate, which `encodeURIComponent` rejects; it becomes U+FFFD instead. */
function isLoneSurrogate(c: string): boolean {
  const unit = c.charCodeAt(0);
  return c.length === 1 && unit >= 0xd800 && unit <= 0xdfff;
}
