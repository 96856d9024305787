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
 * NUL, a raw `\`, and a malformed `%` escape — each could be read as a different path by some backend.
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
  return { ok: true, path: removeDotSegments(decoded) };
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
