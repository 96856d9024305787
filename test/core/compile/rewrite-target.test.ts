import { describe, expect, it } from "vitest";
import { REWRITE_TARGET_PATTERN, sanitizeRewriteTarget } from "../../../worker/core/compile/rewrite-target.ts";

describe("sanitizeRewriteTarget (router SanitizeInput, as literal text)", () => {
  it.each([
    ["/", "/", false],
    ["/v2", "/v2", false],
    ["/a'b\"c", "/abc", false],
    ["/x\\\\y", "/x\\y", false],
    ["/x\\y", "/xy", false],
    ["/%41", "/%41", false],
    ["/%%41", "/%41", false],
    ["/%%%", "/%%%", false],
    ["/a\\#b", "/a#b", false],
    ["/foo # foo", "/foo ", true],
  ])("%j → %j", (input, literal, truncatedAtHash) => {
    expect(sanitizeRewriteTarget(input)).toEqual({ literal, truncatedAtHash });
  });

  it("accepts only values starting with /", () => {
    expect(REWRITE_TARGET_PATTERN.test("/x")).toBe(true);
    expect(REWRITE_TARGET_PATTERN.test("x")).toBe(false);
    expect(REWRITE_TARGET_PATTERN.test("")).toBe(false);
  });
});
