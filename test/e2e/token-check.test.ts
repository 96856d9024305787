/**
 * Opaque bearer tokens checked with the server that issued them, end to end: manifests published by the real CLI,
 * the real gateway (wrangler dev / workerd) with its Worker secrets in a dotenv file, a real echo backend, and
 * local stand-ins (real HTTP servers in this process, counting their calls) of the OpenShift cluster API (user API
 * and TokenReview) and of an RFC 7662 introspection endpoint. Failures are real too: a closed port, and a server
 * that accepts the connection and never answers.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ActiveToken,
  type StandIn,
  type StandInUser,
  startIntrospectionStandIn,
  startOpenShiftStandIn,
} from "../../scripts/dev/token-stand-in.ts";
import { ROOT } from "../cli/helpers.ts";
import { freePort, type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const TOKENS = {
  alice: "sha256~aliceAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  bob: "sha256~bobBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
  revoked: "sha256~revokeRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR",
  loop: "sha256~loopLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL",
  unknown: "sha256~unknownUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU",
  scoped: "sha256~scopedSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS",
  developer: "sha256~developerDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD",
  reviewer: "reviewer-service-account-token-0123456789",
  opaque: "opaque-introspected-token-0123456789",
  expired: "opaque-expired-token-0123456789",
  noScope: "opaque-without-scope-0123456789",
  otherAud: "opaque-other-audience-0123456789",
};
const CLIENT = { id: "edge gateway", secret: "s3cret:with colon" };

let h: Harness;
let cluster: StandIn<StandInUser>;
let idp: StandIn<ActiveToken>;
let hanging: Server;
let closedPort: number;

const route = (name: string, host: string, annotations: Record<string, string>): string =>
  routeYaml({
    namespace: "sec",
    name,
    host,
    backends: [["echo", 100]],
    annotations,
    spec: "  tls:\n    termination: edge\n    insecureEdgeTerminationPolicy: Redirect\n",
  });

beforeAll(async () => {
  cluster = await startOpenShiftStandIn({
    users: {
      [TOKENS.alice]: { name: "alice", groups: ["developers", "system:authenticated:oauth"] },
      [TOKENS.bob]: { name: "bob", groups: ["auditors"] },
      [TOKENS.revoked]: { name: "carol", groups: ["developers"] },
      [TOKENS.loop]: { name: "dave", groups: ["developers"] },
      [TOKENS.scoped]: { name: "erin", groups: ["developers"], scoped: true },
      [TOKENS.developer]: { name: "developer", groups: ["developers", "system:authenticated:oauth"] },
    },
    reviewerToken: TOKENS.reviewer,
  });
  const now = Math.floor(Date.now() / 1000);
  idp = await startIntrospectionStandIn({
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    tokens: {
      [TOKENS.opaque]: {
        sub: "u-17",
        username: "erin",
        scope: "orders:read orders:write",
        aud: ["shop-api"],
        exp: now + 3600,
        groups: ["buyers"],
      },
      // A server should say active: false for these; the gateway still checks exp itself.
      [TOKENS.expired]: { username: "frank", scope: "orders:read", aud: "shop-api", exp: now - 60 },
      [TOKENS.noScope]: { username: "gina", scope: "profile", aud: "shop-api", exp: now + 3600 },
      [TOKENS.otherAud]: { username: "hank", scope: "orders:read", aud: "billing", exp: now + 3600 },
    },
  });
  // Accepts connections and never answers.
  hanging = createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  closedPort = await freePort();
  const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  // The README's example route as it is, pointed at this stand-in instead of `npm run stand-in` on port 8086.
  const example = (await readFile(`${ROOT}/docs/examples/openshift-oauth-route.yaml`, "utf8")).replace(
    "http://127.0.0.1:8086",
    cluster.url,
  );

  h = await startHarness({
    backends: ["echo", "faulty"],
    // HTTPS, as clients reach these routes (the README's example redirects plain HTTP to it).
    protocol: "https",
    secrets: {
      REVIEWER_TOKEN: TOKENS.reviewer,
      WRONG_REVIEWER_TOKEN: "not-the-reviewer",
      IDP_CLIENT: `${CLIENT.id}:${CLIENT.secret}`,
      WRONG_IDP_CLIENT: `${CLIENT.id}:wrong`,
    },
    manifests: [
      lbService("sec", "echo", "echo"),
      lbService("shop", "web-blue", "echo"),
      `---\n${example}`,
      route("oauth", "oauth.example.com", {
        "auth.edgeroute.dev/openshift-api-url": cluster.url,
        "auth.edgeroute.dev/allowed-groups": "developers",
        "auth.edgeroute.dev/user-header": "X-Forwarded-User",
        "auth.edgeroute.dev/groups-header": "X-Forwarded-Groups",
        "auth.edgeroute.dev/token-cache-seconds": "2",
        "auth.edgeroute.dev/token-negative-cache-seconds": "1",
      }),
      route("oauth-busy", "busy.example.com", {
        "auth.edgeroute.dev/openshift-api-url": cluster.url,
        "auth.edgeroute.dev/token-cache-seconds": "60",
      }),
      route("review", "review.example.com", {
        "auth.edgeroute.dev/openshift-api-url": `${cluster.url}/`,
        "auth.edgeroute.dev/openshift-token-review-secret": "REVIEWER_TOKEN",
        "auth.edgeroute.dev/allowed-users": "alice",
        "auth.edgeroute.dev/user-header": "X-Remote-User",
      }),
      route("review-misconfigured", "review-bad.example.com", {
        "auth.edgeroute.dev/openshift-api-url": cluster.url,
        "auth.edgeroute.dev/openshift-token-review-secret": "WRONG_REVIEWER_TOKEN",
      }),
      route("introspect", "introspect.example.com", {
        "auth.edgeroute.dev/introspection-url": `${idp.url}/oauth2/introspect`,
        "auth.edgeroute.dev/introspection-credentials-secret": "IDP_CLIENT",
        "auth.edgeroute.dev/introspection-audience": "shop-api",
        "auth.edgeroute.dev/required-scopes": "orders:read",
        "auth.edgeroute.dev/user-header": "X-User",
        "auth.edgeroute.dev/groups-header": "X-Groups",
      }),
      route("introspect-misconfigured", "introspect-bad.example.com", {
        "auth.edgeroute.dev/introspection-url": `${idp.url}/oauth2/introspect`,
        "auth.edgeroute.dev/introspection-credentials-secret": "WRONG_IDP_CLIENT",
      }),
      ...Object.entries({ "idp-500": "/__status/500", "idp-redirect": "/__redirect", "idp-text": "/" }).map(
        ([name, path]) =>
          route(name, `${name}.example.com`, {
            "auth.edgeroute.dev/introspection-url": `http://127.0.0.1:{{port:faulty}}${path}`,
            "auth.edgeroute.dev/introspection-credentials-secret": "IDP_CLIENT",
          }),
      ),
      route("cluster-down", "down.example.com", {
        "auth.edgeroute.dev/openshift-api-url": `http://127.0.0.1:${closedPort}`,
      }),
      route("cluster-slow", "slow.example.com", {
        "auth.edgeroute.dev/openshift-api-url": hangingUrl,
        "auth.edgeroute.dev/token-check-timeout-ms": "300",
      }),
    ].join(""),
  });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await cluster?.close();
  await idp?.close();
  hanging?.closeAllConnections();
  await new Promise((resolve) => hanging?.close(resolve));
});

const reached = (): number => h.backends.echo?.received.length ?? 0;
const lastReceived = () => {
  const received = h.backends.echo?.received ?? [];
  const entry = received[received.length - 1];
  if (entry === undefined) throw new Error("the backend received nothing");
  return entry;
};
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** Wait for a line of the gateway's output matching `pattern` (it arrives from another process). */
async function logLine(pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const line = h.gateway
      .output()
      .split("\n")
      .find((l) => pattern.test(l));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no gateway log line matches ${pattern}:\n${h.gateway.output()}`);
}

describe("OpenShift OAuth access tokens (user API)", () => {
  it("asks for a token, without calling the cluster or reaching the backend", async () => {
    const [before, calls] = [reached(), cluster.calls.length];
    const res = await send(h.gateway.url, "oauth.example.com", "/");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="oauth.example.com"');
    expect(reached()).toBe(before);
    expect(cluster.calls.length).toBe(calls);
  });

  it("forwards a valid token's user and groups, and drops the client's own copies in every spelling", async () => {
    const calls = cluster.calls.length;
    const res = await send(h.gateway.url, "oauth.example.com", "/app", {
      headers: {
        ...bearer(TOKENS.alice),
        "X-Forwarded-User": "root",
        X_Forwarded_User: "root",
        "x_forwarded-groups": "system:masters",
      },
    });
    expect(res.status).toBe(200);
    const got = lastReceived();
    expect(got.path).toBe("/app");
    expect(got.headers["x-forwarded-user"]).toBe("alice");
    expect(got.headers["x-forwarded-groups"]).toBe("developers,system:authenticated:oauth");
    expect(got.headers.x_forwarded_user).toBeUndefined();
    expect(got.headers["x_forwarded-groups"]).toBeUndefined();
    // The Authorization header reaches the backend unchanged, as the router forwards it.
    expect(got.headers.authorization).toBe(`Bearer ${TOKENS.alice}`);
    expect(cluster.calls.slice(calls)).toEqual([{ method: "GET", path: "/apis/user.openshift.io/v1/users/~" }]);
  });

  it("refuses a token the cluster does not know with 401 invalid_token", async () => {
    const before = reached();
    const res = await send(h.gateway.url, "oauth.example.com", "/", { headers: bearer(TOKENS.unknown) });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer realm="oauth.example.com", error="invalid_token", error_description="The access token is invalid or expired"',
    );
    expect(reached()).toBe(before);
  });

  it("refuses a scoped token that may not read its user (the cluster answers 403) with 401", async () => {
    const res = await send(h.gateway.url, "oauth.example.com", "/", { headers: bearer(TOKENS.scoped) });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain('error_description="The access token may not read its user"');
  });

  it("refuses a valid user outside the allowed groups with 403", async () => {
    const before = reached();
    const res = await send(h.gateway.url, "oauth.example.com", "/", {
      headers: { ...bearer(TOKENS.bob), Accept: "application/json" },
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({
      error: "NotAllowed",
      message: "Your account is not allowed to use this site.",
    });
    expect(reached()).toBe(before);
  });

  it("calls the cluster once for a loop of requests with one token (the cache answers the rest)", async () => {
    const calls = cluster.calls.length;
    const before = reached();
    for (let i = 0; i < 50; i++) {
      const res = await send(h.gateway.url, "busy.example.com", `/loop/${i}`, { headers: bearer(TOKENS.loop) });
      expect(res.status).toBe(200);
    }
    expect(reached() - before).toBe(50);
    // 50 requests, 1 cluster call: a hit rate of 49/50 (the route remembers an answer for 60 s).
    expect(cluster.calls.length - calls).toBe(1);
  });

  it("keeps serving a revoked token until its cached answer expires, then refuses it", async () => {
    expect((await send(h.gateway.url, "oauth.example.com", "/", { headers: bearer(TOKENS.revoked) })).status).toBe(200);
    const calls = cluster.calls.length;
    cluster.tokens.delete(TOKENS.revoked);
    // Within token-cache-seconds the gateway does not ask again: the documented trade-off.
    const cached = await send(h.gateway.url, "oauth.example.com", "/", { headers: bearer(TOKENS.revoked) });
    expect(cached.status).toBe(200);
    expect(cluster.calls.length).toBe(calls);
    // After it (2 s here), the cluster is asked again and says no.
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await send(h.gateway.url, "oauth.example.com", "/", { headers: bearer(TOKENS.revoked) })).status;
    }
    expect(status).toBe(401);
    expect(cluster.calls.length).toBeGreaterThan(calls);
  });

  it("answers 503 and logs the cluster URL when the cluster is down", async () => {
    const before = reached();
    const res = await send(h.gateway.url, "down.example.com", "/", { headers: bearer(TOKENS.alice) });
    expect(res.status).toBe(503);
    expect(res.body).not.toContain("127.0.0.1");
    expect(reached()).toBe(before);
    const line = await logLine(/"route":"sec\/cluster-down"/);
    expect(line).toContain(`OpenShift user API http://127.0.0.1:${closedPort}/apis/user.openshift.io/v1/users/~`);
    expect(line).toContain("could not be reached");
  });

  it("answers 503 when the cluster does not answer within the route's timeout", async () => {
    const before = reached();
    const res = await send(h.gateway.url, "slow.example.com", "/", { headers: bearer(TOKENS.alice) });
    expect(res.status).toBe(503);
    expect(reached()).toBe(before);
    expect(await logLine(/"route":"sec\/cluster-slow"/)).toContain("did not answer within 300 ms; answering 503");
  });
});

describe("the README's example route (docs/examples/openshift-oauth-route.yaml)", () => {
  it("refuses a request without a token and serves the stand-in user's token", async () => {
    expect((await send(h.gateway.url, "console.example.com", "/")).status).toBe(401);
    const res = await send(h.gateway.url, "console.example.com", "/", { headers: bearer(TOKENS.developer) });
    expect(res.status).toBe(200);
    expect(res.body).toBe("Hello from echo: GET /\n");
    expect(lastReceived().headers["x-forwarded-user"]).toBe("developer");
    expect(lastReceived().headers["x-forwarded-groups"]).toBe("developers,system:authenticated:oauth");
  });
});

describe("OpenShift TokenReview", () => {
  it("accepts a token the review authenticates, for an allowed user", async () => {
    const calls = cluster.calls.length;
    const res = await send(h.gateway.url, "review.example.com", "/", {
      headers: { ...bearer(TOKENS.alice), "X-Remote-User": "admin" },
    });
    expect(res.status).toBe(200);
    expect(lastReceived().headers["x-remote-user"]).toBe("alice");
    expect(cluster.calls.slice(calls)).toEqual([
      { method: "POST", path: "/apis/authentication.k8s.io/v1/tokenreviews" },
    ]);
  });

  it("refuses a user the route does not list (403) and an unknown token (401)", async () => {
    expect((await send(h.gateway.url, "review.example.com", "/", { headers: bearer(TOKENS.bob) })).status).toBe(403);
    expect((await send(h.gateway.url, "review.example.com", "/", { headers: bearer(TOKENS.unknown) })).status).toBe(
      401,
    );
  });

  it("answers 503 and says why when the cluster refuses the reviewer's token", async () => {
    const res = await send(h.gateway.url, "review-bad.example.com", "/", { headers: bearer(TOKENS.alice) });
    expect(res.status).toBe(503);
    expect(await logLine(/"route":"sec\/review-misconfigured"/)).toContain(
      "refused the reviewer token in Worker secret WRONG_REVIEWER_TOKEN (HTTP 401)",
    );
  });
});

describe("RFC 7662 token introspection", () => {
  it("accepts an active token with the audience and scope, and forwards its user and groups", async () => {
    const calls = idp.calls.length;
    const res = await send(h.gateway.url, "introspect.example.com", "/orders", { headers: bearer(TOKENS.opaque) });
    expect(res.status).toBe(200);
    expect(lastReceived().headers["x-user"]).toBe("erin");
    expect(lastReceived().headers["x-groups"]).toBe("buyers");
    expect(idp.calls.slice(calls)).toEqual([{ method: "POST", path: "/oauth2/introspect" }]);
  });

  it.each([
    [TOKENS.expired, 401, 'error="invalid_token", error_description="The access token expired"'],
    [TOKENS.unknown, 401, 'error="invalid_token", error_description="The access token is not active"'],
    [TOKENS.otherAud, 401, 'error="invalid_token", error_description="The access token audience is not accepted"'],
    [TOKENS.noScope, 403, 'error="insufficient_scope"'],
  ])("refuses %s with %i", async (token, status, challenge) => {
    const before = reached();
    const res = await send(h.gateway.url, "introspect.example.com", "/orders", { headers: bearer(token) });
    expect(res.status).toBe(status);
    expect(res.headers["www-authenticate"]).toContain(challenge);
    expect(reached()).toBe(before);
  });

  it("answers 503 and logs the endpoint when it refuses the gateway's client credentials", async () => {
    const res = await send(h.gateway.url, "introspect-bad.example.com", "/", { headers: bearer(TOKENS.opaque) });
    expect(res.status).toBe(503);
    const line = await logLine(/"route":"sec\/introspect-misconfigured"/);
    expect(line).toContain(`introspection endpoint ${idp.url}/oauth2/introspect refused the client credentials`);
  });
});

describe("a server that answers something else fails closed", () => {
  it.each([
    ["idp-500", "answered HTTP 500"],
    ["idp-redirect", "answered a redirect (HTTP 302), which is never followed"],
    ["idp-text", "answered HTTP 200 with a body that is not JSON"],
  ])("%s: 503, logged", async (name, reason) => {
    const before = reached();
    const res = await send(h.gateway.url, `${name}.example.com`, "/", { headers: bearer(TOKENS.opaque) });
    expect(res.status).toBe(503);
    expect(reached()).toBe(before);
    expect(await logLine(new RegExp(`"route":"sec/${name}"`))).toContain(reason);
    // The redirect's target was never asked.
    expect(h.backends.faulty?.received.some((r) => r.path === "/elsewhere")).toBe(false);
  });
});

describe("logs", () => {
  it("never contain a token or a client secret", async () => {
    // The access log is on (one line per request), and every failure above was logged.
    const output = h.gateway.output();
    expect(output).toContain('"event":"request"');
    for (const secret of [...Object.values(TOKENS), CLIENT.secret, "not-the-reviewer"]) {
      expect(output).not.toContain(secret);
    }
  });
});
