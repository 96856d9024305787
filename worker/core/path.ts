/**
 * @module Request-path canonicalisation. Every path policy (route choice, allowlists, authentication) is decided
 * on the canonical path, and the canonical path is what the backend receives, so a second spelling of the same
 * resource (`/%61dmin`, `/public/../admin`, `//admin`) can never reach it past a policy meant for `/admin`.
 */

export type PathResult = { ok: true; path: string } | { ok: false; reason: string };

// RFC 3986 §2.3: unreserved characters mean the same encoded or not, so they are decoded (RFC 3986 §6.2.2.2).
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Canonicalise a URL path (as `URL.pathname` gives it: already parsed, query excluded):
 * percent-encoded unreserved characters are decoded and other escapes upper-cased; dot segments are removed
 * (again after decoding); runs of `/` collapse to one. Refused (the Worker answers 400): an encoded `/`, `\` or
 * NUL, a raw `\`, a malformed `%` escape, and a dot segment with parameters (`..;`) — each could be read as a
 * different path by some backend. Path parameters (`;x`) are kept here; {@link matchingPath} drops them for matching.
 * @example normalizePath("/%61dmin//x/./y/../z") → { ok: true, path: "/admin/x/z" }
 */
export function normalizePath(raw: string): PathResult {
  if (!raw.startsWith("/")) raw = `/${raw}`;
  if (raw.includes("\\")) return { ok: false, reason: "backslash in path" };
  let decoded = raw;
  if (raw.includes("%")) {
    let out = "";
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i] as string;
      if (ch !== "%") {
        out += ch;
        continue;
      }
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return { ok: false, reason: "malformed percent-encoding in path" };
      const code = Number.parseInt(hex, 16);
      if (code === 0x2f || code === 0x5c || code === 0) {
        return { ok: false, reason: "encoded '/', '\\' or NUL in path" };
      }
      const char = String.fromCharCode(code);
      out += UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
      i += 2;
    }
    decoded = out;
  }
  // `..;x` is `..` to a servlet container (Tomcat, Jetty, Spring strip path parameters before resolving dot
  // segments), but a plain segment to everyone else: the classic `/public/..;/admin` bypass. Never ambiguous: 400.
  if (decoded.includes(";") && /(^|\/)\.{1,2};/.test(decoded)) {
    return { ok: false, reason: "dot segment with path parameters ('..;' or '.;')" };
  }
  return { ok: true, path: removeDotSegments(decoded) };
}

/**
 * The path a request is matched with: every segment without its `;parameters` (RFC 3986 §3.3,
 * https://www.rfc-editor.org/rfc/rfc3986#section-3.3), and segments left empty by that dropped, because servlet
 * containers (Tomcat, Jetty, Spring) serve `/admin;x=1/secret` as `/admin/secret`: matching must see what the
 * backend will see, or the `/admin` route and its policies are skipped. Only matching uses it; the backend receives
 * the canonical path with its parameters (`;jsessionid=` keeps working).
 * @param path canonical, from {@link normalizePath}. @example matchingPath("/admin;x=1/secret") === "/admin/secret"
 */
export function matchingPath(path: string): string {
  if (!path.includes(";")) return path;
  const kept: string[] = [];
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    const semicolon = segment.indexOf(";");
    const bare = semicolon < 0 ? segment : segment.slice(0, semicolon);
    if (bare !== "") kept.push(bare);
  }
  const last = segments[segments.length - 1] as string;
  const trailingSlash = kept.length > 0 && (last === "" || last.startsWith(";"));
  return `/${kept.join("/")}${trailingSlash ? "/" : ""}`;
}

/**
 * Where the part of `path` that the route path `prefix` matched (on {@link matchingPath}) ends in `path` itself,
 * for `rewrite-target`: parameters of the last matched segment stay with the rest (`/admin;jsessionid=1/x` with
 * prefix `/admin` splits before `;jsessionid=1/x`), those of earlier segments go with the replaced prefix.
 * -1 when `prefix` does not match.
 */
export function matchedPrefixEnd(path: string, prefix: string): number {
  if (path.startsWith(prefix)) return prefix.length;
  const wanted = prefix.split("/").filter((s) => s !== "");
  const slash = prefix.endsWith("/") && wanted.length > 0;
  let at = 1;
  let found = 0;
  while (found < wanted.length && at <= path.length) {
    let end = path.indexOf("/", at);
    if (end < 0) end = path.length;
    const semicolon = path.indexOf(";", at);
    const bareEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
    const bare = path.slice(at, bareEnd);
    if (bare !== "") {
      if (bare !== wanted[found]) return -1;
      found++;
      if (found === wanted.length) return slash ? (end < path.length ? end + 1 : -1) : bareEnd;
    }
    at = end + 1;
  }
  return wanted.length === 0 ? 0 : -1;
}

/** RFC 3986 §5.2.4 on `/`-separated segments, with empty segments dropped (`//` is `/`). Keeps a trailing `/`. */
function removeDotSegments(path: string): string {
  if (!path.includes("//") && !path.includes("/.")) return path;
  const segments = path.split("/");
  const out: string[] = [];
  const last = segments.length - 1;
  let trailingSlash = false;
  for (let i = 1; i <= last; i++) {
    const segment = segments[i] as string;
    if (segment === "..") {
      out.pop();
      trailingSlash = true;
    } else if (segment === ".") {
      trailingSlash = true;
    } else if (segment === "") {
      trailingSlash = i === last;
    } else {
      out.push(segment);
      trailingSlash = false;
    }
  }
  if (out.length === 0) return "/";
  return `/${out.join("/")}${trailingSlash ? "/" : ""}`;
}
