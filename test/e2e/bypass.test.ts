/**
 * The bypasses of issue 9, tried as an attacker would, through the real gateway (wrangler dev / workerd) in front
 * of real echo backends, with manifests published by the real CLI and a real JWKS server on 127.0.0.1. Each test
 * checks what the client got and what (if anything) the backend received. The list with outcomes is in
 * docs/security.md ("Attacks tried").
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const ISSUER = "https://id.example.com/";
const AUDIENCE = "shop-api";
const ALLOWED_IP = "198.51.100.5";

let h: Harness;
let jwks: Server;
let signingKey: CryptoKey;

function route(name: string, host: string, path: string, annotations: Record<string, string> = {}, to = "echo") {
  return routeYaml({ namespace: "t", name, host, path, backends: [[to, 100]], annotations });
}

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  const key: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [key] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  h = await startHarness({
    backends: ["echo", "dead"],
    manifests: [
      lbService("t", "echo", "echo"),
      lbService("t", "dead", "dead"),
      route("public", "app.example.com", "/"),
      route("admin", "app.example.com", "/admin", { "haproxy.router.openshift.io/ip_allowlist": "198.51.100.0/24" }),
      route("api", "app.example.com", "/api", {
        "auth.edgeroute.dev/jwt-jwks-url": jwksUrl,
        "auth.edgeroute.dev/jwt-issuer": ISSUER,
        "auth.edgeroute.dev/jwt-audience": AUDIENCE,
        "auth.edgeroute.dev/jwt-forward-claims": "sub=X-User,groups=X-User-Groups",
      }),
      route("dead", "dead.example.com", "/", {}, "dead"),
    ].join(""),
  });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

const received = () => h.backends.echo?.received ?? [];
const last = () => {
  const entry = received()[received().length - 1];
  if (entry === undefined) throw new Error("the backend received nothing");
  return entry;
};
const get = (path: string, headers: Record<string, string> = {}, host = "app.example.com") =>
  send(h.gateway.url, host, path, { headers });

/** The gateway's first output line that `matches`, waiting for wrangler to print it (up to 15 s). */
async function logLine(matches: (line: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const line = h.gateway.output().split("\n").find(matches);
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no such log line in the gateway output:\n${h.gateway.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function token(claims: Record<string, unknown> = {}, expires = true): Promise<string> {
  const jwt = new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuedAt();
  return (expires ? jwt.setExpirationTime("5m") : jwt).sign(signingKey);
}

describe("path parameters cannot skip a route and its policies", () => {
  it.each(["/admin;x=1/secret", "/admin;jsessionid=1", "/;x/admin/secret", "/admin;/secret"])(
    "%s is /admin's: 403 for a client outside the allowlist, backend not reached",
    async (path) => {
      const before = received().length;
      const res = await get(path);
      expect(res.status).toBe(403);
      expect(received().length).toBe(before);
    },
  );

  it("forwards the path unchanged, parameters included, when /admin's policy allows it", async () => {
    const res = await get("/admin;jsessionid=A1B2/secret?x=1", { "CF-Connecting-IP": ALLOWED_IP });
    expect(res.status).toBe(200);
    expect(last().target).toBe("/admin;jsessionid=A1B2/secret?x=1");
  });

  it("refuses a dot segment with parameters (/public/..;/admin) with 400", async () => {
    const before = received().length;
    expect((await get("/public/..;/admin")).status).toBe(400);
    expect(received().length).toBe(before);
  });
});

describe("headers the gateway owns cannot come from the client", () => {
  it("removes a claim header on every route of the host, not only on the JWT route", async () => {
    const res = await get("/other", { "X-User": "mallory", "X-User-Groups": "admins" });
    expect(res.status).toBe(200);
    expect(last().path).toBe("/other");
    expect(last().headers["x-user"]).toBeUndefined();
    expect(last().headers["x-user-groups"]).toBeUndefined();
  });

  it("removes the underscore spellings CGI, FastCGI and Rack read as the same header", async () => {
    const res = await get("/other", {
      X_User: "mallory",
      x_user_groups: "admins",
      X_Forwarded_For: "10.0.0.1",
      X_Forwarded_Proto: "https",
      X_SSL_Client_Cert: "forged",
      "X-SSL-Client-DN": "CN=forged",
      X_Unrelated: "kept",
    });
    expect(res.status).toBe(200);
    // Underscored names do reach the backend through the gateway (so the removals below are real), except the owned ones.
    expect(last().headers.x_unrelated).toBe("kept");
    const headers = Object.keys(last().headers);
    for (const name of [
      "x_user",
      "x_user_groups",
      "x_forwarded_for",
      "x_forwarded_proto",
      "x_ssl_client_cert",
      "x-ssl-client-dn",
    ])
      expect(headers, name).not.toContain(name);
    expect(last().headers["x-forwarded-for"]).toBe("203.0.113.7");
  });

  it("verifies a token against the JWKS on loopback and forwards only the gateway's claims", async () => {
    const res = await get("/api/me", {
      Authorization: `Bearer ${await token({ groups: ["ops"] })}`,
      "X-User": "mallory",
      X_User: "mallory",
    });
    expect(res.status).toBe(200);
    expect(last().headers["x-user"]).toBe("alice");
    expect(last().headers["x-user-groups"]).toBe('["ops"]');
    expect(last().headers.x_user).toBeUndefined();
  });

  it("refuses a token without exp", async () => {
    const before = received().length;
    const res = await get("/api/me", { Authorization: `Bearer ${await token({}, false)}` });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain("The access token has no expiry");
    expect(received().length).toBe(before);
  });
});

describe("the gateway reveals nothing on route hosts", () => {
  it("passes /__edgeroute/health on a route host to the route's backend", async () => {
    const res = await get("/__edgeroute/health");
    expect(res.status).toBe(200);
    expect(last().path).toBe("/__edgeroute/health");
    expect(res.body).not.toContain('"version"');
  });

  it("answers it on the admin host (127.0.0.1 in local development)", async () => {
    const res = await send(h.gateway.url, new URL(h.gateway.url).host, "/__edgeroute/health");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, routes: 4 });
  });

  it("answers an unreachable backend with 503, a request id and no fetch error text", async () => {
    await h.backends.dead?.close();
    const res = await get("/", {}, "dead.example.com");
    expect(res.status).toBe(503);
    expect(res.body).toContain("The backend refused the connection.");
    expect(res.body).toMatch(/request [0-9a-f-]{36}/);
    expect(res.body).not.toMatch(/ECONNREFUSED|connect|Network|127\.0\.0\.1|internal error/i);
    const id = /request ([0-9a-f-]{36})/.exec(res.body)?.[1] as string;
    // The log line with that id has the detail (wrangler prints the Worker's log lines as they come).
    const line = await logLine((l) => l.includes(id) && l.includes("UpstreamConnect"));
    // wrangler decorates the line (colours), so the JSON fields are matched as text.
    expect(line).toContain('"code":"UpstreamConnect"');
    expect(line).toContain(`"ray":"${id}"`);
    expect(line).toMatch(/"detail":"[^"]+"/);
  });
});

describe("Forwarded values are RFC 7239 tokens or quoted-strings", () => {
  it("quotes a host with a port and a bracketed IPv6 client", async () => {
    await get("/fwd", { "CF-Connecting-IP": "2001:db8::7" }, "app.example.com:8080");
    expect(last().headers.forwarded).toBe('for="[2001:db8::7]";host="app.example.com:8080";proto=http');
    await get("/fwd", {}, "app.example.com");
    expect(last().headers.forwarded).toBe("for=203.0.113.7;host=app.example.com;proto=http");
  });
});
