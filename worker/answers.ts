/**
 * @module Everything the gateway answers by itself: one union of codes, the status and page heading of each (a
 * `Record` over the union, so the compiler refuses a code without a heading), one page builder used by the
 * request pipeline's `fail` phase and by the access policies, and one log-line shape.
 *
 * A page names what happened and what the client can do, never internals (table, backends, configuration). API
 * clients that ask for JSON (and not HTML) get `{ "error": code, "message" }`; everyone else a small HTML page.
 * Pages are never cached.
 */

/** Failures of the gateway itself (worker/pipeline/errors.ts throws them as GatewayError). */
export type GatewayErrorCode =
  | "BadRequest"
  | "NoTable"
  | "NoRoute"
  | "NoBackend"
  | "InvalidBackendRef"
  | "ForbiddenTarget"
  | "UpstreamConnect"
  | "UpstreamFailed"
  | "UpstreamTimeout"
  | "GatewayBug";

/** Refusals of the per-route access policies (worker/policy). */
export type PolicyCode =
  | "AddressNotAllowed"
  | "RateLimited"
  | "ClientCertificateRequired"
  | "ClientCertificateInvalid"
  | "ClientCertificateNotAllowed"
  | "TokenRequired"
  | "InvalidToken"
  | "NotAllowed"
  | "InsufficientScope"
  | "KeySetNotAllowed"
  | "PolicyUnavailable";

export type AnswerCode = GatewayErrorCode | PolicyCode;

/** The status and the page heading of every code. */
export const ANSWERS: Record<AnswerCode, { status: number; heading: string }> = {
  BadRequest: { status: 400, heading: "Bad request" },
  NoTable: { status: 503, heading: "The gateway has no route table yet" },
  // The OpenShift router's own 503 page (openshift/router images/router/haproxy/conf/error-page-503.http).
  NoRoute: { status: 503, heading: "Application is not available" },
  NoBackend: { status: 503, heading: "Application is not available" },
  // Gateway API: a request for an invalid or missing backendRef answers 500
  // (https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule, backendRefs).
  InvalidBackendRef: { status: 500, heading: "The route's backend is not valid" },
  ForbiddenTarget: { status: 502, heading: "The route points at an address that is not allowed" },
  // HAProxy answers a connection the server refused (or never opened) with 503, and a broken or empty response with
  // 502 (src/http_ana.c `http_return_srv_error`: SI_ET_CONN_ERR and SI_ET_CONN_TO → 503, SI_ET_DATA_* → 502); the
  // router's 503 is its "Application is not available" page.
  UpstreamConnect: { status: 503, heading: "Application is not available" },
  UpstreamFailed: { status: 502, heading: "The application's answer was broken off" },
  UpstreamTimeout: { status: 504, heading: "The application did not answer in time" },
  GatewayBug: { status: 502, heading: "The gateway failed to handle this request" },
  AddressNotAllowed: { status: 403, heading: "Forbidden" },
  RateLimited: { status: 429, heading: "Too many requests" },
  ClientCertificateRequired: { status: 403, heading: "Client certificate required" },
  ClientCertificateInvalid: { status: 403, heading: "Client certificate not valid" },
  ClientCertificateNotAllowed: { status: 403, heading: "Client certificate not allowed" },
  TokenRequired: { status: 401, heading: "Authentication required" },
  InvalidToken: { status: 401, heading: "Authentication failed" },
  NotAllowed: { status: 403, heading: "Forbidden" },
  InsufficientScope: { status: 403, heading: "Insufficient scope" },
  KeySetNotAllowed: { status: 502, heading: "The route points at an address that is not allowed" },
  PolicyUnavailable: { status: 503, heading: "Service unavailable" },
};

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export interface AnswerOptions {
  /** Overrides the code's status (NoRoute answers 404 when the table says so). */
  status?: number;
  /** Extra headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: readonly [string, string][];
  /**
   * The request's CF-Ray (or generated id) on the gateway's failure pages, which never carry internals: the log
   * line with the same `ray` has the detail.
   */
  requestId?: string;
}

/**
 * The response for `code`. `accept` is the request's Accept header (JSON only when it names JSON and not HTML:
 * browsers send both).
 * @example answer("RateLimited", "Try again later.", null, { headers: [["Retry-After", "10"]] }) // 429 HTML page
 */
export function answer(
  code: AnswerCode,
  message: string,
  accept: string | null,
  options: AnswerOptions = {},
): Response {
  const status = options.status ?? ANSWERS[code].status;
  const headers = new Headers(options.headers as [string, string][] | undefined);
  headers.set("Cache-Control", "no-store");
  headers.set("X-Content-Type-Options", "nosniff");
  if (prefersJson(accept)) {
    headers.set("Content-Type", "application/json");
    const json =
      options.requestId === undefined
        ? { error: code, message }
        : { error: code, message, requestId: options.requestId };
    return new Response(JSON.stringify(json), { status, headers });
  }
  headers.set("Content-Type", "text/html; charset=utf-8");
  const footer = options.requestId === undefined ? "edgeroute" : `edgeroute · request ${escapeHtml(options.requestId)}`;
  const body = `<!doctype html>
<html><head><meta charset="utf-8"><title>${status} ${REASONS[status] ?? ""}</title></head>
<body><h1>${escapeHtml(ANSWERS[code].heading)}</h1><p>${escapeHtml(message)}</p><hr><p>${footer}</p></body></html>
`;
  return new Response(body, { status, headers });
}

/** The text of the router's unknown-route page, with 503 or (table option) 404. */
export const NO_ROUTE_MESSAGE =
  "The application is currently not serving requests at this endpoint. It may not have been started or is still starting.";

function prefersJson(accept: string | null): boolean {
  if (accept === null) return false;
  const lower = accept.toLowerCase();
  return lower.includes("application/json") && !lower.includes("text/html");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One log-line shape for everything the Worker logs (Workers Logs / `wrangler tail`): a JSON object with `level`
 * and `event` first, then the event's own fields. Errors go to `console.error`, warnings (what works locally but
 * not in production) to `console.warn`, the rest to `console.log`.
 */
export function logEvent(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
