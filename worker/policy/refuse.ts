/**
 * @module The refusal responses of the access policies: small, uncacheable, and free of internals.
 *
 * A refusal names what the client must change ("send a verified client certificate") and nothing about the
 * route table, backends or configuration. API clients that ask for JSON get `{ "error", "message" }`;
 * everyone else a tiny HTML page.
 */

/** What to answer: status, a stable PascalCase code, a sentence for humans, and extra headers. */
export interface Refusal {
  status: 401 | 403 | 429 | 503;
  code: string;
  message: string;
  headers?: [string, string][];
}

/** Build the response for a refusal, in JSON when the client prefers it, else HTML. Never cached. */
export function refuse(request: Request, refusal: Refusal): Response {
  const headers = new Headers(refusal.headers);
  headers.set("Cache-Control", "no-store");
  headers.set("X-Content-Type-Options", "nosniff");
  if (prefersJson(request.headers.get("Accept"))) {
    headers.set("Content-Type", "application/json");
    return new Response(JSON.stringify({ error: refusal.code, message: refusal.message }), {
      status: refusal.status,
      headers,
    });
  }
  headers.set("Content-Type", "text/html; charset=utf-8");
  const title = `${refusal.status} ${TITLES[refusal.status]}`;
  const body = `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(refusal.message)}</p></body></html>\n`;
  return new Response(body, { status: refusal.status, headers });
}

/** A policy could not be evaluated (configuration or dependency fault): fail closed, reveal nothing. */
export const POLICY_UNAVAILABLE: Refusal = {
  status: 503,
  code: "PolicyUnavailable",
  message: "This site is temporarily unavailable. Try again later.",
};

/**
 * Log a server-side fault of a policy (missing binding, unreachable key set) for the operator. Client mistakes
 * are not logged here: they are ordinary refusals.
 */
export function logPolicyFault(route: string, policy: string, message: string): void {
  console.error(JSON.stringify({ level: "error", component: "policy", policy, route, message }));
}

const TITLES: Record<Refusal["status"], string> = {
  401: "Unauthorized",
  403: "Forbidden",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

/** JSON only when the client names it and does not also accept HTML (browsers send both). */
function prefersJson(accept: string | null): boolean {
  if (accept === null) return false;
  const lower = accept.toLowerCase();
  return lower.includes("application/json") && !lower.includes("text/html");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
