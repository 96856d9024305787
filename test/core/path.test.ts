import { describe, expect, it } from "vitest";
import { matchedPrefixEnd, matchingPath, normalizePath } from "../../worker/core/path.ts";

describe("normalizePath", () => {
  it.each([
    ["/", "/"],
    ["/a/b", "/a/b"],
    ["/a/b/", "/a/b/"],
    ["/%61dmin", "/admin"],
    ["/%7e%41", "/~A"],
    ["/a%20b", "/a%20b"],
    ["/a%2bb", "/a%2Bb"],
    ["//admin", "/admin"],
    ["/a//b///c", "/a/b/c"],
    ["/public/../admin", "/admin"],
    ["/public/%2e%2e/admin", "/admin"],
    ["/public/.%2E/admin", "/admin"],
    ["/a/./b/.", "/a/b/"],
    ["/..", "/"],
    ["/a/b/..", "/a/"],
    ["/.well-known/x", "/.well-known/x"],
  ])("%s → %s", (raw, expected) => {
    expect(normalizePath(raw)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ["/a%2Fb", "encoded '/'"],
    ["/a%2fb", "encoded '/'"],
    ["/a%5cb", "encoded '/'"],
    ["/a%00", "NUL"],
    ["/a\\b", "backslash"],
    ["/a%zzb", "malformed"],
    ["/a%4", "malformed"],
  ])("refuses %s", (raw, reason) => {
    const result = normalizePath(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });
});

describe("path parameters", () => {
  it.each([
    ["/admin;x=1/secret", "/admin/secret"],
    ["/admin;x", "/admin"],
    ["/admin;", "/admin"],
    ["/;x/admin", "/admin"],
    ["/;jsessionid=ABC", "/"],
    ["/admin/;x", "/admin/"],
    ["/a;b;c/d;e/", "/a/d/"],
    ["/plain/path", "/plain/path"],
    ["/a%3Bb/c", "/a%3Bb/c"],
  ])("%s is matched as %s", (path, expected) => expect(matchingPath(path)).toBe(expected));

  it.each(["/public/..;/admin", "/public/..;x=1/admin", "/a/.;/b", "/%2e%2e;/admin", "/..;"])(
    "refuses the dot segment with parameters in %s",
    (raw) => {
      const result = normalizePath(raw);
      expect(result.ok ? "accepted" : result.reason).toContain("dot segment with path parameters");
    },
  );

  it("keeps the parameters in the path the backend gets", () => {
    expect(normalizePath("/shop;jsessionid=A1/cart")).toEqual({ ok: true, path: "/shop;jsessionid=A1/cart" });
  });

  it.each([
    ["/admin;jsessionid=1/x", "/admin", 6],
    ["/a;x/b/c", "/a/b", 6],
    ["/a;x/b;y/c", "/a/b", 6],
    ["/a;x/b/c", "/a/", 5],
    ["/a/b", "", 0],
    ["/other;x/b", "/a", -1],
  ])("in %s the route path %s ends at %d", (path, prefix, end) => expect(matchedPrefixEnd(path, prefix)).toBe(end));
});
