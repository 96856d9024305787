import { describe, expect, it } from "vitest";
import { removeOwnedHeaders } from "../../../worker/policy/owned-headers.ts";

describe("headers the gateway owns", () => {
  it("removes every spelling a CGI-style backend reads as the same header, and nothing else", () => {
    const headers = new Headers([
      ["X-Forwarded-User", "root"],
      ["x_forwarded_user", "root"],
      ["X_Forwarded-User", "root"],
      ["X-Forwarded-Groups", "system:masters"],
      ["X-Forwarded-Users", "kept"],
      ["Accept", "text/html"],
    ]);
    removeOwnedHeaders(headers, ["X-Forwarded-User", "x-forwarded-groups"]);
    expect([...headers.keys()].sort()).toEqual(["accept", "x-forwarded-users"]);
  });

  it("leaves the headers alone when the route owns none", () => {
    const headers = new Headers([["X_User", "a"]]);
    removeOwnedHeaders(headers, []);
    expect(headers.get("x_user")).toBe("a");
  });
});
