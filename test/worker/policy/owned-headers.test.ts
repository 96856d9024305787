import { describe, expect, it } from "vitest";
import { ownedHeaderNames } from "../../../worker/core/owned-headers.ts";
import { forwardableHeaders } from "../../../worker/pipeline/headers.ts";
import { route } from "../../support/route-builder.ts";

describe("headers the gateway owns", () => {
  const checked = route({
    id: "shop/api",
    host: "shop.example.com",
    tokenCheck: {
      kind: "openshift-user",
      url: "https://api.cluster.example.com:6443/apis/user.openshift.io/v1/users/~",
      userHeader: "X-Forwarded-User",
      groupsHeader: "x_forwarded_groups",
      cacheSeconds: 60,
      negativeCacheSeconds: 5,
      timeoutMs: 5000,
    },
  });

  it("removes every spelling a CGI-style backend reads as a checked token's user or groups header, and nothing else", () => {
    const headers = new Headers([
      ["X-Forwarded-User", "root"],
      ["x_forwarded_user", "root"],
      ["X_Forwarded-User", "root"],
      ["X-Forwarded-Groups", "system:masters"],
      ["X-Forwarded-Users", "kept"],
      ["Accept", "text/html"],
    ]);
    const forwarded = forwardableHeaders(headers, ownedHeaderNames([checked]), []).headers;
    expect([...forwarded.keys()].sort()).toEqual(["accept", "x-forwarded-users"]);
  });

  it("leaves the headers alone when no route of the host owns them", () => {
    const headers = new Headers([["X_User", "a"]]);
    const owned = ownedHeaderNames([route({ id: "shop/web", host: "shop.example.com" })]);
    expect(forwardableHeaders(headers, owned, []).headers.get("x_user")).toBe("a");
  });
});
