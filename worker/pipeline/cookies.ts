/**
 * @module The sticky-session cookie: read it, strip it before forwarding (HAProxy `insert indirect`), write it.
 */
import type { CompiledRoute } from "../core/index.ts";

/** The value of cookie `name` in a Cookie header, if present. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Cookie header without cookie `name` (`null` when nothing is left), so the backend never sees it. */
export function withoutCookie(header: string, name: string): string | null {
  const kept = header
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "" && part.slice(0, Math.max(part.indexOf("="), 0)).trim() !== name);
  return kept.length > 0 ? kept.join("; ") : null;
}

/**
 * The Set-Cookie value pinning a client to a backend. Router: `HttpOnly`, plus `Secure` and `SameSite` on
 * edge/reencrypt routes whose insecure policy is not `Allow` (a cookie that must also work over HTTP cannot be
 * Secure).
 */
export function stickyCookie(route: CompiledRoute, backendId: string): string | undefined {
  if (!route.cookie) return undefined;
  let cookie = `${route.cookie.name}=${backendId}; Path=/; HttpOnly`;
  if (route.tls && route.tls.insecure !== "Allow") cookie += `; Secure; SameSite=${route.cookie.sameSite}`;
  return cookie;
}
