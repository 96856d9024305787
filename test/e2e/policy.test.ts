/**
 * Access policies end to end: manifests with policy annotations published by the real CLI, the real gateway
 * (wrangler dev / workerd) in front of a real echo backend, and a real JWKS server on 127.0.0.1 that jose's
 * remote key set fetches. Each test checks what the client got and whether (and with what) the backend was reached.
 * Client certificates cannot be presented through `wrangler dev` (Cloudflare's edge does mTLS), so they are
 * tested in workerd with a `cf` object (test/worker/policy/client-cert.test.ts); the rate limit against the real
 * binding is in policy-rate-limit.test.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const ISSUER = "https://id.example.com/";
const AUDIENCE = "shop-api";

let h: Harness;
let jwks: Server;
let jwksFetches = 0;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;

function route(name: string, host: string, annotations: Record<string, string>): string {
  return routeYaml({ namespace: "sec", name, host, backends: [["echo", 100]], annotations });
}

function pathRoute(name: string, host: string, path: string, annotations: Record<string, string>): string {
  return routeYaml({ namespace: "sec", name, host, path, backends: [["echo", 100]], annotations });
}

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair("RS256")).privateKey;
  const key: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [key] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  const closedPort = await freePort();

  h = await startHarness({
    backends: ["echo"],
    manifests: [
      lbService("sec", "echo", "echo"),
      route("allow", "allow.example.com", {
        "haproxy.router.openshift.io/ip_allowlist": "203.0.113.0/24 2001:db8::/32",
      }),
      route("jwt", "jwt.example.com", {
        "auth.edgeroute.dev/jwt-jwks-url": jwksUrl,
        "auth.edgeroute.dev/jwt-issuer": ISSUER,
        "auth.edgeroute.dev/jwt-audience": AUDIENCE,
        "auth.edgeroute.dev/jwt-forward-claims": "sub=X-User,email=X-User-Email",
      }),
      route("idp-down", "idp-down.example.com", {
        "auth.edgeroute.dev/jwt-jwks-url": `http://127.0.0.1:${closedPort}/jwks`,
        "auth.edgeroute.dev/jwt-issuer": ISSUER,
        "auth.edgeroute.dev/jwt-audience": AUDIENCE,
      }),
      route("limited", "limited.example.com", {
        "haproxy.router.openshift.io/rate-limit-connections": "true",
        "haproxy.router.openshift.io/rate-limit-connections.rate-http": "5",
      }),
      route("public", "bypass.example.com", {}),
      pathRoute("admin", "bypass.example.com", "/admin", {
        "haproxy.router.openshift.io/ip_allowlist": "198.51.100.0/24",
      }),
    ].join(""),
  });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

function token(
  claims: Record<string, unknown> = {},
  key: CryptoKey = signingKey,
  expiresIn: string | number = "5m",
): Promise<string> {
  return new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

/** How many requests the echo backend has received so far. */
const reached = (): number => h.backends.echo?.received.length ?? 0;
const lastReceived = () => {
  const received = h.backends.echo?.received ?? [];
  const entry = received[received.length - 1];
  if (entry === undefined) throw new Error("the backend received nothing");
  return entry;
};

describe("ip allowlist through the gateway", () => {
  it("forwards clients from the listed networks (IPv4 and IPv6)", async () => {
    for (const ip of ["203.0.113.7", "2001:db8::42"]) {
      const before = reached();
      const res = await send(h.gateway.url, "allow.example.com", "/in", { headers: { "CF-Connecting-IP": ip } });
      expect(res.status).toBe(200);
      expect(reached()).toBe(before + 1);
    }
  });

  it("answers 403 to everyone else, without reaching the backend", async () => {
    const before = reached();
    const res = await send(h.gateway.url, "allow.example.com", "/out", {
      headers: { "CF-Connecting-IP": "198.51.100.20" },
    });
    expect(res.status).toBe(403);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toContain("would close the connection");
    expect(reached()).toBe(before);
  });
});

describe("bearer tokens through the gateway", () => {
  it("asks for a token, without reaching the backend", async () => {
    const before = reached();
    const res = await send(h.gateway.url, "jwt.example.com", "/api");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="jwt.example.com"');
    expect(reached()).toBe(before);
  });

  it("forwards a valid token's claims and drops the client's own copies of those headers", async () => {
    const res = await send(h.gateway.url, "jwt.example.com", "/api", {
      headers: { Authorization: `Bearer ${await token()}`, "X-User": "admin", "X-User-Email": "root@example.com" },
    });
    expect(res.status).toBe(200);
    const got = lastReceived();
    expect(got.path).toBe("/api");
    expect(got.headers["x-user"]).toBe("alice");
    // The token has no email claim: the spoofed header must be gone, not passed through.
    expect(got.headers["x-user-email"]).toBeUndefined();
  });

  it("fetches the key set once and reuses it for later requests (module-scope resolver)", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await send(h.gateway.url, "jwt.example.com", "/again", {
        headers: { Authorization: `Bearer ${await token({ email: "a@example.com" })}` },
      });
      expect(res.status).toBe(200);
      expect(lastReceived().headers["x-user-email"]).toBe("a@example.com");
    }
    expect(jwksFetches).toBe(1);
  });

  it.each([
    [
      "an expired token",
      async () => token({}, signingKey, Math.floor(Date.now() / 1000) - 300),
      "The access token expired",
    ],
    [
      "a token from another issuer",
      async () => token({ iss: "https://evil.example.net/" }),
      "The access token issuer is not accepted",
    ],
    [
      "a token signed by another key",
      async () => token({}, strangerKey),
      "The access token signature could not be verified",
    ],
    ["garbage", async () => "not.a.token", "The access token is invalid"],
  ])("refuses %s with 401 invalid_token, without reaching the backend", async (_, make, description) => {
    const before = reached();
    const res = await send(h.gateway.url, "jwt.example.com", "/api", {
      headers: { Authorization: `Bearer ${await make()}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(
      `Bearer realm="jwt.example.com", error="invalid_token", error_description="${description}"`,
    );
    expect(reached()).toBe(before);
  });

  it("answers 503 and logs the JWKS URL when the key set cannot be fetched", async () => {
    const before = reached();
    const res = await send(h.gateway.url, "idp-down.example.com", "/", {
      headers: { Authorization: `Bearer ${await token()}` },
    });
    expect(res.status).toBe(503);
    expect(res.body).not.toContain("127.0.0.1");
    expect(reached()).toBe(before);
    // The log line is written by the gateway process; give its output a moment to arrive.
    const deadline = Date.now() + 5_000;
    while (!h.gateway.output().includes("idp-down") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(h.gateway.output()).toMatch(/key set http:\/\/127\.0\.0\.1:\d+\/jwks unavailable/);
  });
});

describe("rate limit through the gateway", () => {
  it("answers 429 with Retry-After once a client is over the route's rate, without reaching the backend", async () => {
    const before = h.backends.echo?.received.length ?? 0;
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    // 12 requests within well under a second span at most two 10-second windows of limit 5: at least 2 are refused.
    for (let i = 0; i < 12; i++) {
      const res = await send(h.gateway.url, "limited.example.com", "/", {
        headers: { "CF-Connecting-IP": "198.18.0.1" },
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers["retry-after"];
    }
    const allowed = statuses.filter((s) => s === 200).length;
    expect(statuses[0]).toBe(200);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(allowed + statuses.filter((s) => s === 429).length).toBe(12);
    expect(retryAfter).toBeDefined();
    expect((h.backends.echo?.received.length ?? 0) - before).toBe(allowed);
    // Another client has its own budget.
    expect(
      (await send(h.gateway.url, "limited.example.com", "/", { headers: { "CF-Connecting-IP": "198.18.0.2" } })).status,
    ).toBe(200);
  });
});

describe("no bypass of a path- or host-scoped policy by another spelling", () => {
  /** Outside both allowlists (allow.example.com: 203.0.113.0/24 and 2001:db8::/32; /admin: 198.51.100.0/24). */
  const OUTSIDER = "192.0.2.1";
  const adminReached = () =>
    (h.backends.echo?.received ?? []).filter((r) => r.path.toLowerCase().includes("admin") || r.path.includes("%"));

  it.each([
    "/admin",
    "/%61dmin",
    "/%61%64%6d%69%6e/x",
    "/public/../admin",
    "/public/%2e%2e/admin",
    "/public/%2E%2E/admin",
    "//admin",
    "/./admin",
    "/admin/",
    "/admin%2F",
    "/public%2F..%2Fadmin",
    "/admin%00",
    "/public\\..\\admin",
  ])("%s from a client outside the allowlist never reaches the backend", async (path) => {
    const before = adminReached().length;
    const res = await send(h.gateway.url, "bypass.example.com", path);
    expect([400, 403]).toContain(res.status);
    expect(adminReached().length).toBe(before);
  });

  it.each(["ALLOW.EXAMPLE.COM", "allow.example.com.", "allow.example.com:443", "Allow.Example.com.:8080"])(
    "Host %s gets the allowlist of allow.example.com",
    async (host) => {
      const before = h.backends.echo?.received.length ?? 0;
      const res = await send(h.gateway.url, host, "/", { headers: { "CF-Connecting-IP": OUTSIDER } });
      expect(res.status).toBe(403);
      expect(h.backends.echo?.received.length).toBe(before);
    },
  );

  it("an absolute-form request target cannot pick another host's route than the Host header's", async () => {
    const before = h.backends.echo?.received.length ?? 0;
    const res = await send(h.gateway.url, "allow.example.com", "http://bypass.example.com/", {
      headers: { "CF-Connecting-IP": OUTSIDER },
    });
    expect(res.status).toBe(403);
    expect(h.backends.echo?.received.length).toBe(before);
  });
});
