import { describe, expect, it } from "vitest";
import { globMatch, HSTS_HEADER_PATTERN, requiredHstsProblem } from "../../../worker/core/compile/hsts.ts";

describe("HSTS_HEADER_PATTERN (router hsts_header format)", () => {
  it.each([
    "max-age=0",
    "max-age=31536000;includeSubDomains;preload",
    'preload; max-age = "10"',
    "MAX-AGE=1; INCLUDESUBDOMAINS",
  ])("accepts %j", (v) => {
    expect(HSTS_HEADER_PATTERN.test(v)).toBe(true);
  });
  it.each(["min-age=100", "max-age=1;includesubdomain", "max-age=abc", "includeSubDomains", "max-age=1;foo"])(
    "refuses %j",
    (v) => {
      expect(HSTS_HEADER_PATTERN.test(v)).toBe(false);
    },
  );
});

describe("globMatch (filepath.Match on hosts)", () => {
  it.each([
    ["*.foo.com", "a.foo.com", true],
    ["*.foo.com", "a.b.foo.com", true],
    ["*.foo.com", "foo.com", false],
    ["shop.example.com", "shop.example.com", true],
    ["shop?.example.com", "shop1.example.com", true],
    ["[ab].example.com", "b.example.com", true],
    ["[^ab].example.com", "b.example.com", false],
    ["a.b.c", "axb.c", false],
  ])("%s vs %s → %s", (pattern, host, expected) => {
    expect(globMatch(pattern, host)).toBe(expected);
  });
});

describe("requiredHstsProblem", () => {
  const policies = [
    {
      domainPatterns: ["*.strict.com"],
      maxAgeSeconds: 100,
      preload: "RequireNoPreload" as const,
      includeSubDomains: "RequireNoIncludeSubDomains" as const,
    },
    { domainPatterns: ["*.preload.com"], preload: "RequirePreload" as const },
  ];
  it.each([
    ["a.other.com", undefined, null],
    ["a.strict.com", "max-age=50", null],
    ["a.strict.com", "max-age=500", "greater than maximum age (100)"],
    ["a.strict.com", "max-age=50;preload", "preload must not be specified"],
    ["a.strict.com", "max-age=50;includeSubDomains", "includeSubDomains must not be specified"],
    ["a.preload.com", "max-age=50", "preload must be specified"],
    ["a.preload.com", 'Max-Age = "50" ; Preload', null],
    ["a.preload.com", "preload", "max-age must be set"],
  ])("%s with %j", (host, annotation, fragment) => {
    const problem = requiredHstsProblem(host, annotation, policies);
    if (fragment === null) expect(problem).toBeNull();
    else expect(problem).toContain(fragment);
  });
});
