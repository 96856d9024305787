import { describe, expect, it } from "vitest";
import { rewritePath } from "../../../worker/pipeline/upstream.ts";
import { route } from "../../support/route-builder.ts";

// The router's documented table (docs/design-notes.md#rewrite-target) plus the derived cases.
describe("rewrite-target", () => {
  it.each([
    ["/foo", "/foo", "/", "/"],
    ["/foo", "/foo/", "/", "/"],
    ["/foo", "/foo/bar", "/", "/bar"],
    ["/foo", "/foo/bar/", "/", "/bar/"],
    ["/foo", "/foo", "/bar", "/bar"],
    ["/foo", "/foo/", "/bar", "/bar/"],
    ["/foo", "/foo/bar", "/baz", "/baz/bar"],
    ["/foo", "/foo/bar/", "/baz", "/baz/bar/"],
    ["/foo/", "/foo/", "/", "/"],
    ["/foo/", "/foo/bar", "/", "/bar"],
    ["/foo/", "/foo/bar", "/baz", "/bazbar"],
    ["", "/x", "/v2", "/v2/x"],
    ["/api/v1", "/api/v1/users", "/v2", "/v2/users"],
    // Path parameters: the route matched without them; those of the last matched segment stay with the rest.
    ["/foo", "/foo;jsessionid=1/bar", "/baz", "/baz;jsessionid=1/bar"],
    ["/api/v1", "/api;x/v1/users", "/v2", "/v2/users"],
    ["/api/v1", "/api;x/v1;s=1/users", "/v2", "/v2;s=1/users"],
    ["/foo/", "/foo;x/bar", "/", "/bar"],
  ])("path %s, request %s, target %s → %s", (path, request, target, expected) => {
    expect(rewritePath(request, route({ id: "a/b", host: "h", path, rewriteTarget: target }))).toBe(expected);
  });

  it("leaves the path alone without a target", () => {
    expect(rewritePath("/foo/bar", route({ id: "a/b", host: "h", path: "/foo" }))).toBe("/foo/bar");
  });
});
