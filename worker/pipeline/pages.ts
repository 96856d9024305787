/**
 * @module The pages the gateway itself answers with. Never cached (`no-store`), never carrying internals beyond
 * the short reason, and the no-route page says what the OpenShift router's does.
 */

const TITLES: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** An HTML status page. `heading` is the one-line summary; `detail` says what happened and what to do. */
export function statusPage(status: number, heading: string, detail: string): Response {
  const body = `<!doctype html>
<html><head><meta charset="utf-8"><title>${status} ${TITLES[status] ?? ""}</title></head>
<body><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(detail)}</p><hr><p>edgeroute</p></body></html>
`;
  const response = new Response(body, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
  return response;
}

/** The router's unknown-route page (error-page-503.http), also used with 404 when the table is set to 404. */
export function noRoutePage(status: number): Response {
  return statusPage(
    status,
    "Application is not available",
    "The application is currently not serving requests at this endpoint. It may not have been started or is still starting.",
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
