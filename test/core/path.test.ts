import { describe, expect, it } from "vitest";
import { normalizePath } from "../../worker/core/path.ts";

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
