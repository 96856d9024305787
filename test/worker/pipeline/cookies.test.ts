import { describe, expect, it } from "vitest";
import { readCookie, stickyCookie, withoutCookie } from "../../../worker/pipeline/cookies.ts";
import { route } from "../../support/route-builder.ts";

describe("sticky cookie", () => {
  it("reads the named cookie among others", () => {
    expect(readCookie("a=1; er_x=abc; b=2", "er_x")).toBe("abc");
    expect(readCookie("a=1; b=2", "er_x")).toBeUndefined();
    expect(readCookie(null, "er_x")).toBeUndefined();
    expect(readCookie("xer_x=1", "er_x")).toBeUndefined();
  });

  it("removes only the named cookie, and the header when nothing is left", () => {
    expect(withoutCookie("a=1; er_x=abc; b=2", "er_x")).toBe("a=1; b=2");
    expect(withoutCookie("er_x=abc", "er_x")).toBeNull();
    expect(withoutCookie("er_xy=1;er_x=2", "er_x")).toBe("er_xy=1");
  });

  it("is HttpOnly, and Secure with SameSite on TLS routes not served over plain HTTP", () => {
    const cookie = { name: "er_x", sameSite: "None" as const };
    expect(stickyCookie(route({ id: "a/b", host: "h", cookie }), "id1")).toBe("er_x=id1; Path=/; HttpOnly");
    expect(
      stickyCookie(route({ id: "a/b", host: "h", cookie, tls: { termination: "edge", insecure: "Redirect" } }), "id1"),
    ).toBe("er_x=id1; Path=/; HttpOnly; Secure; SameSite=None");
    expect(
      stickyCookie(
        route({
          id: "a/b",
          host: "h",
          cookie: { name: "c", sameSite: "Lax" },
          tls: { termination: "reencrypt", insecure: "None" },
        }),
        "i",
      ),
    ).toBe("c=i; Path=/; HttpOnly; Secure; SameSite=Lax");
    // Allow serves plain HTTP too, where a Secure cookie would be dropped: the router leaves Secure off then.
    expect(
      stickyCookie(route({ id: "a/b", host: "h", cookie, tls: { termination: "edge", insecure: "Allow" } }), "id1"),
    ).toBe("er_x=id1; Path=/; HttpOnly");
    expect(stickyCookie(route({ id: "a/b", host: "h", cookie: null }), "id1")).toBeUndefined();
  });
});
