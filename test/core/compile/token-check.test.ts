import { describe, expect, it } from "vitest";
import { compactRoute, restoreRoute } from "../../../worker/core/table/index.ts";
import type { CompileOptions } from "../../../worker/core/compile/types.ts";
import { authRefused as refused, only, problems, route, run, service, withAuth } from "./fixtures.ts";

const A = "auth.edgeroute.dev/";
const CLUSTER = { [`${A}openshift-api-url`]: "https://api.cluster.example.com:6443" };
const INTROSPECTION = {
  [`${A}introspection-url`]: "https://id.example.com/oauth2/introspect",
  [`${A}introspection-credentials-secret`]: "IDP_CLIENT",
};

describe("OpenShift token check annotations", () => {
  it("checks tokens with the user API by default, with the documented defaults", () => {
    expect(only(withAuth(CLUSTER).admitted).tokenCheck).toEqual({
      kind: "openshift-user",
      url: "https://api.cluster.example.com:6443/apis/user.openshift.io/v1/users/~",
      cacheSeconds: 60,
      negativeCacheSeconds: 5,
      timeoutMs: 5000,
    });
  });

  it("uses TokenReview with a reviewer secret, and reads every requirement and header", () => {
    const check = only(
      withAuth({
        [`${A}openshift-api-url`]: "https://api.cluster.example.com:6443/",
        [`${A}openshift-token-review-secret`]: "REVIEWER_TOKEN",
        [`${A}allowed-users`]: "alice, bob",
        [`${A}allowed-groups`]: "developers",
        [`${A}user-header`]: "X-Forwarded-User",
        [`${A}groups-header`]: "X-Forwarded-Groups",
        [`${A}token-cache-seconds`]: "30",
        [`${A}token-negative-cache-seconds`]: "10",
        [`${A}token-check-timeout-ms`]: "2000",
      }).admitted,
    ).tokenCheck;
    expect(check).toEqual({
      kind: "openshift-token-review",
      url: "https://api.cluster.example.com:6443/apis/authentication.k8s.io/v1/tokenreviews",
      secret: "REVIEWER_TOKEN",
      allowedUsers: ["alice", "bob"],
      allowedGroups: ["developers"],
      userHeader: "X-Forwarded-User",
      groupsHeader: "X-Forwarded-Groups",
      cacheSeconds: 30,
      negativeCacheSeconds: 10,
      timeoutMs: 2000,
    });
  });

  it("survives the published table's compact form", () => {
    const r = only(withAuth({ ...CLUSTER, [`${A}allowed-groups`]: "developers" }).admitted);
    const restored = restoreRoute(compactRoute(r, () => 0) as never, r.host, false, () => r.backends);
    expect(restored.tokenCheck).toEqual(r.tokenCheck);
  });

  it("refuses scopes and audiences, which the cluster does not report", () => {
    expect(refused({ ...CLUSTER, [`${A}required-scopes`]: "user:info" }, "required-scopes")).toContain(
      "introspection-url only",
    );
  });

  it.each([
    ["a metadata address", "http://169.254.169.254/", "link-local"],
    ["http to a public host", "http://api.cluster.example.com:6443", "uses http"],
    ["credentials in the URL", "https://user:pw@api.cluster.example.com", "not a valid URL"],
    ["a query", "https://api.cluster.example.com/?x=1", "has a query"],
  ])("refuses %s as the cluster URL", (_, url, message) => {
    expect(refused({ [`${A}openshift-api-url`]: url }, "openshift-api-url")).toContain(message);
  });

  it("refuses a loopback cluster URL in a remote table, and accepts it in a local one", () => {
    const loopback = { [`${A}openshift-api-url`]: "http://127.0.0.1:8086" };
    expect(only(withAuth(loopback).admitted).tokenCheck?.url).toBe(
      "http://127.0.0.1:8086/apis/user.openshift.io/v1/users/~",
    );
    const result = withAuth(loopback, { target: "remote" });
    expect(result.admitted).toEqual([]);
    expect(
      problems(result)
        .map((d) => d.message)
        .join("\n"),
    ).toContain("loopback");
  });

  it("refuses a private-range cluster URL unless private endpoints are allowed, and by IP address in any remote table", () => {
    const internal = { [`${A}openshift-api-url`]: "https://10.0.0.5:6443" };
    // Only the annotation's own diagnostics: a remote table has rules for the fixture's Service endpoint too.
    const onUrl = (options: Partial<CompileOptions>) =>
      problems(withAuth(internal, options)).filter((d) => d.field === `metadata.annotations["${A}openshift-api-url"]`);
    expect(only(onUrl({ target: "remote" })).message).toContain("private range");
    // Allowed as a private address, it is still an IP address, which a deployed Worker cannot fetch.
    expect(only(onUrl({ target: "remote", allowPrivateEndpoints: true })).message).toContain(
      "is an IP address, which a deployed Worker cannot fetch",
    );
    expect(onUrl({ target: "local", allowPrivateEndpoints: true })).toEqual([]);
  });

  it.each([
    ["a credential instead of a name", "sha256~abcdef", "not a usable Worker secret name"],
    ["one of edgeroute's own bindings", "ROUTES", "not a usable Worker secret name"],
    ["a rate-limit binding", "RATE_LIMIT_5", "not a usable Worker secret name"],
  ])("refuses %s as the reviewer secret", (_, value, message) => {
    expect(
      refused({ ...CLUSTER, [`${A}openshift-token-review-secret`]: value }, "openshift-token-review-secret"),
    ).toContain(message);
  });
});

describe("introspection annotations", () => {
  it("reads the endpoint, its credentials secret, audience and scopes", () => {
    expect(
      only(
        withAuth({
          ...INTROSPECTION,
          [`${A}introspection-audience`]: "shop-api",
          [`${A}required-scopes`]: "orders:read orders:write",
        }).admitted,
      ).tokenCheck,
    ).toEqual({
      kind: "introspection",
      url: "https://id.example.com/oauth2/introspect",
      secret: "IDP_CLIENT",
      audience: ["shop-api"],
      requiredScopes: ["orders:read", "orders:write"],
      cacheSeconds: 60,
      negativeCacheSeconds: 5,
      timeoutMs: 5000,
    });
  });

  it("requires the client credentials secret (RFC 7662 §2.1: the endpoint requires authorization)", () => {
    const result = withAuth({ [`${A}introspection-url`]: "https://id.example.com/introspect" });
    expect(result.admitted).toEqual([]);
    expect(only(problems(result))).toMatchObject({ code: "MissingField" });
  });
});

describe("token check rules shared by both servers", () => {
  it("requires a server when only requirements are given", () => {
    const result = withAuth({ [`${A}allowed-groups`]: "developers" });
    expect(result.admitted).toEqual([]);
    expect(only(problems(result)).message).toContain(`set ${A}openshift-api-url`);
  });

  it("refuses two servers, and a JWT check together with a token check", () => {
    expect(refused({ ...CLUSTER, ...INTROSPECTION }, "introspection-url")).toContain("not both");
    expect(
      refused(
        {
          ...CLUSTER,
          [`${A}jwt-jwks-url`]: "https://id.example.com/jwks.json",
          [`${A}jwt-issuer`]: "https://id.example.com/",
          [`${A}jwt-audience`]: "shop",
        },
        "openshift-api-url",
      ),
    ).toContain("one way");
  });

  it.each([
    ["user-header", "X-Forwarded-For"],
    ["user-header", "X_Forwarded_For"],
    ["groups-header", "Authorization"],
    ["user-header", "Cookie"],
    ["user-header", "X User"],
  ])("refuses %s %s", (name, header) => {
    expect(refused({ ...CLUSTER, [`${A}${name}`]: header }, name)).toContain("cannot carry an identity");
  });

  it("refuses one header for both the user and the groups, in any spelling", () => {
    expect(
      refused(
        { ...CLUSTER, [`${A}user-header`]: "X-Remote-User", [`${A}groups-header`]: "x_remote_user" },
        "groups-header",
      ),
    ).toContain("a header each");
  });

  it.each([
    ["token-cache-seconds", "0"],
    ["token-cache-seconds", "3601"],
    ["token-cache-seconds", "1m"],
    ["token-negative-cache-seconds", "-1"],
    ["token-check-timeout-ms", "50"],
    ["token-check-timeout-ms", "30001"],
  ])("refuses %s %s", (name, value) => {
    expect(refused({ ...CLUSTER, [`${A}${name}`]: value }, name)).toContain("is not valid");
  });

  it("refuses a negative cache time longer than the positive one", () => {
    expect(
      refused(
        { ...CLUSTER, [`${A}token-cache-seconds`]: "5", [`${A}token-negative-cache-seconds`]: "10" },
        "token-negative-cache-seconds",
      ),
    ).toContain("shorter time");
  });

  it("warns when the route also serves plain HTTP, where tokens cross the network in clear text", () => {
    const result = run([
      route("web", { annotations: CLUSTER, tls: { termination: "edge", insecureEdgeTerminationPolicy: "Allow" } }),
      service("web"),
    ]);
    expect(only(result.admitted).tokenCheck).not.toBeNull();
    expect(only(problems(result))).toMatchObject({ severity: "warning", code: "InvalidTLSCombination" });
  });
});
