/**
 * The data plane end to end: the real gateway (wrangler dev / workerd) in front of real local backends, with a
 * table published by the real routes CLI. Each test checks what the client got and what the backend received.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, type RouteManifest, routeYaml } from "../support/manifests.ts";

const echo = (name: string, host: string, extra: Partial<RouteManifest> = {}): string =>
  routeYaml({ namespace: "echo", name, host, backends: [["echo", 100]], ...extra });
const FORWARDED = "haproxy.router.openshift.io/set-forwarded-headers";
const REWRITE = "haproxy.router.openshift.io/rewrite-target";

const MANIFESTS = [
  routeYaml({
    namespace: "shop",
    name: "web",
    host: "shop.example.com",
    backends: [
      ["web-blue", 90],
      ["web-green", 10],
    ],
  }),
  routeYaml({
    namespace: "shop",
    name: "zero",
    host: "zero.example.com",
    backends: [
      ["web-blue", 100],
      ["web-green", 0],
    ],
  }),
  lbService("shop", "web-blue", "blue"),
  lbService("shop", "web-green", "green"),
  lbService("echo", "echo", "echo"),
  lbService("echo", "dead", "dead"),
  echo("fwd", "fwd.example.com"),
  echo("replace", "replace.example.com", { annotations: { [FORWARDED]: "replace" } }),
  echo("ifnone", "ifnone.example.com", { annotations: { [FORWARDED]: "if-none" } }),
  echo("never", "never.example.com", { annotations: { [FORWARDED]: "never" } }),
  echo("slow", "slow.example.com", { annotations: { "haproxy.router.openshift.io/timeout": "500ms" } }),
  echo("rewrite", "rewrite.example.com", { path: "/foo", annotations: { [REWRITE]: "/baz" } }),
  echo("rewrite-root", "rewrite.example.com", { path: "/app", annotations: { [REWRITE]: "/" } }),
  echo("headers", "headers.example.com", {
    spec: `  httpHeaders:
    actions:
      request:
      - name: X-Env
        action:
          type: Set
          set:
            value: prod
      - name: X-Debug
        action:
          type: Delete
      response:
      - name: X-Frame-Options
        action:
          type: Set
          set:
            value: DENY
      - name: X-Internal
        action:
          type: Delete
`,
  }),
  routeYaml({ namespace: "echo", name: "dead", host: "dead.example.com", backends: [["dead", 100]] }),
].join("");

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ backends: ["blue", "green", "echo", "dead"], manifests: MANIFESTS });
  await h.backends.dead?.close();
});

afterAll(async () => {
  await h?.stop();
});

const last = (name: string) => {
  const received = h.backends[name]?.received ?? [];
  const entry = received[received.length - 1];
  if (!entry) throw new Error(`backend ${name} received nothing`);
  return entry;
};

describe("weighted split and sticky sessions", () => {
  it("splits 90/10 within 5 percentage points over 500 requests (retried up to 3 times, as conformance suites do)", async () => {
    let share = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      let blue = 0;
      for (let i = 0; i < 500; i++) {
        const res = await send(h.gateway.url, "shop.example.com", "/");
        expect(res.status).toBe(200);
        if (res.headers["x-backend"] === "blue") blue++;
      }
      share = blue / 500;
      if (Math.abs(share - 0.9) <= 0.05) break;
    }
    expect(Math.abs(share - 0.9)).toBeLessThanOrEqual(0.05);
  });

  it("never sends a request to a backend of weight 0", async () => {
    const before = h.backends.green?.received.length ?? 0;
    for (let i = 0; i < 200; i++)
      expect((await send(h.gateway.url, "zero.example.com", "/")).headers["x-backend"]).toBe("blue");
    expect(h.backends.green?.received.length).toBe(before);
  });

  it("pins a client with an HttpOnly cookie, and strips that cookie before forwarding", async () => {
    const first = await send(h.gateway.url, "shop.example.com", "/");
    const setCookie = String(first.headers["set-cookie"] ?? "");
    expect(setCookie).toMatch(/^[A-Za-z0-9_-]+=[0-9a-f]+; Path=\/; HttpOnly$/);
    const cookie = setCookie.split(";")[0] as string;
    const side = first.headers["x-backend"];
    for (let i = 0; i < 30; i++) {
      const res = await send(h.gateway.url, "shop.example.com", "/", {
        headers: { Cookie: `theme=dark; ${cookie}; lang=en` },
      });
      expect(res.headers["x-backend"]).toBe(side);
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(last(side as string).headers.cookie).toBe("theme=dark; lang=en");
    }
  });
});

describe("what the backend receives", () => {
  it("gets the method, canonical path, query unchanged and the body bytes", async () => {
    const body = randomBytes(1 << 20);
    const res = await send(h.gateway.url, "fwd.example.com", "/api/%61b//c/./d?x=1&y=%2F%20&x=2", {
      method: "PUT",
      body,
      headers: { "Content-Type": "application/octet-stream" },
    });
    expect(res.status).toBe(200);
    const got = last("echo");
    expect(got.method).toBe("PUT");
    expect(got.path).toBe("/api/ab/c/d");
    expect(got.query).toBe("x=1&y=%2F%20&x=2");
    expect(got.bodyBytes).toBe(body.length);
    expect(got.bodySha256).toBe(createHash("sha256").update(body).digest("hex"));
    expect(got.headers["content-type"]).toBe("application/octet-stream");
  });

  it("gets X-Forwarded-* and Forwarded appended after the client's own (default policy)", async () => {
    await send(h.gateway.url, "Fwd.Example.com:8080", "/", { headers: { "X-Forwarded-For": "10.9.9.9" } });
    const got = last("echo");
    expect(got.headers["x-forwarded-for"]).toBe("10.9.9.9, 203.0.113.7");
    expect(got.headers["x-forwarded-host"]).toBe("fwd.example.com:8080");
    expect(got.headers["x-forwarded-port"]).toBe("8080");
    expect(got.headers["x-forwarded-proto"]).toBe("http");
    expect(got.headers.forwarded).toBe('for=203.0.113.7;host="fwd.example.com:8080";proto=http');
  });

  it("follows set-forwarded-headers replace, if-none and never", async () => {
    const spoof = { "X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https" };
    await send(h.gateway.url, "replace.example.com", "/", { headers: spoof });
    expect(last("echo").headers["x-forwarded-for"]).toBe("203.0.113.7");
    expect(last("echo").headers["x-forwarded-proto"]).toBe("http");
    await send(h.gateway.url, "ifnone.example.com", "/", { headers: spoof });
    expect(last("echo").headers["x-forwarded-for"]).toBe("6.6.6.6");
    expect(last("echo").headers["x-forwarded-host"]).toBe("ifnone.example.com");
    await send(h.gateway.url, "never.example.com", "/", { headers: spoof });
    expect(last("echo").headers["x-forwarded-for"]).toBe("6.6.6.6");
    expect(last("echo").headers["x-forwarded-host"]).toBeUndefined();
  });

  // workerd's HTTP server consumes the client's Connection header before the Worker runs, so the headers it names
  // cannot be told apart there; the Worker strips the Connection list of requests it builds itself.
  it("does not get hop-by-hop headers, Proxy or X-SSL*", async () => {
    await send(h.gateway.url, "fwd.example.com", "/", {
      headers: {
        Connection: "keep-alive",
        "Keep-Alive": "timeout=5",
        TE: "trailers",
        Proxy: "http://evil.example:1",
        "X-SSL-Client-Cert": "forged",
        "X-SSL": "forged",
        "X-Kept": "yes",
      },
    });
    const got = last("echo");
    for (const name of ["keep-alive", "te", "proxy", "x-ssl-client-cert", "x-ssl"]) {
      expect(got.headers[name], name).toBeUndefined();
    }
    expect(got.headers["x-kept"]).toBe("yes");
  });

  it("applies spec.httpHeaders.actions to the request and the response", async () => {
    const res = await send(h.gateway.url, "headers.example.com", "/__set-header?X-Internal=secret&X-Other=1", {
      headers: { "X-Env": "dev", "X-Debug": "1" },
    });
    const got = last("echo");
    expect(got.headers["x-env"]).toBe("prod");
    expect(got.headers["x-debug"]).toBeUndefined();
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["x-internal"]).toBeUndefined();
    expect(res.headers["x-other"]).toBe("1");
  });

  it("rewrites the path as rewrite-target says, keeping the query", async () => {
    await send(h.gateway.url, "rewrite.example.com", "/foo/bar?q=1");
    expect(last("echo").target).toBe("/baz/bar?q=1");
    await send(h.gateway.url, "rewrite.example.com", "/foo");
    expect(last("echo").target).toBe("/baz");
    await send(h.gateway.url, "rewrite.example.com", "/app/x/");
    expect(last("echo").target).toBe("/x/");
    await send(h.gateway.url, "rewrite.example.com", "/app");
    expect(last("echo").target).toBe("/");
  });
});

describe("backend failures and responses", () => {
  it("passes a backend's redirect to the client unchanged", async () => {
    const res = await send(h.gateway.url, "fwd.example.com", "/__redirect");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/elsewhere");
  });

  it("does not pass the backend's hop-by-hop response headers to the client", async () => {
    const path = "/__set-header?Proxy-Connection=close&Upgrade=h2c&X-Kept=1";
    // First without the sticky cookie (the response is copied to add it), then pinned (nothing else to change).
    const first = await send(h.gateway.url, "fwd.example.com", path);
    const pinned = String(first.headers["set-cookie"]).split(";")[0] as string;
    const second = await send(h.gateway.url, "fwd.example.com", path, { headers: { Cookie: pinned } });
    expect(second.headers["set-cookie"]).toBeUndefined();
    for (const res of [first, second]) {
      expect(res.status).toBe(200);
      expect(res.headers["proxy-connection"]).toBeUndefined();
      expect(res.headers.upgrade).toBeUndefined();
      expect(res.headers["x-kept"]).toBe("1");
    }
  });

  it("does not pass the backend's connection headers or the names its Connection header lists", async () => {
    // Keep-Alive and Upgrade are written by the runtime itself (the response passes through uncopied); a name
    // listed in Connection is not, so the gateway removes it.
    const keepAlive = "/__set-header?Keep-Alive=timeout%3D99&Upgrade=h2c&X-Kept=1";
    const listed = "/__set-header?Connection=keep-alive%2C%20X-Listed&X-Listed=1&X-Kept=1";
    const first = await send(h.gateway.url, "fwd.example.com", keepAlive);
    const pinned = String(first.headers["set-cookie"]).split(";")[0] as string;
    for (const path of [keepAlive, listed]) {
      for (const headers of [{}, { Cookie: pinned }] as Record<string, string>[]) {
        const res = await send(h.gateway.url, "fwd.example.com", path, { headers });
        expect(res.status).toBe(200);
        expect(res.headers["keep-alive"]).not.toBe("timeout=99");
        expect(res.headers.upgrade).toBeUndefined();
        expect(res.headers["x-listed"]).toBeUndefined();
        expect(String(res.headers.connection ?? "")).not.toContain("X-Listed");
        expect(res.headers["x-kept"]).toBe("1");
      }
    }
  });

  it("passes error statuses through", async () => {
    expect((await send(h.gateway.url, "fwd.example.com", "/__status/418")).status).toBe(418);
  });

  it("answers 504 when the backend is slower than the route's timeout", async () => {
    const res = await send(h.gateway.url, "slow.example.com", "/__delay/3000");
    expect(res.status).toBe(504);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toContain("did not answer within 500 ms");
  });

  it("answers the router's 503 page when the backend refuses the connection (HAProxy: a connection error is 503)", async () => {
    const res = await send(h.gateway.url, "dead.example.com", "/");
    expect(res.status).toBe(503);
    expect(res.body).toContain("Application is not available");
    expect(res.body).toContain("not accepting requests");
  });

  it("answers 502 when the backend resets the connection after the request (HAProxy: a broken response is 502)", async () => {
    const res = await send(h.gateway.url, "fwd.example.com", "/__reset");
    expect(res.status).toBe(502);
    expect(res.body).toContain("broken off");
  });

  it("sends the backend a Via header naming the client's protocol and the gateway (RFC 9110 §7.6.3), after the client's", async () => {
    const res = await send(h.gateway.url, "fwd.example.com", "/via", { headers: { Via: "1.0 client-proxy" } });
    expect(res.status).toBe(200);
    const received = h.backends.echo?.received.at(-1);
    expect(received?.path).toBe("/via");
    expect(received?.headers.via).toBe("1.0 client-proxy, 1.1 edgeroute");
  });

  it("answers the router's 503 page for a host no route serves", async () => {
    const res = await send(h.gateway.url, "unknown.example.com", "/");
    expect(res.status).toBe(503);
    expect(res.body).toContain("Application is not available");
    expect(res.headers["cache-control"]).toBe("no-store");
  });
});

describe("local development shows what production would refuse", () => {
  it("starts without a warm-up failure: the request path's first run works at module scope (worker/warm-up.ts)", async () => {
    expect((await send(h.gateway.url, "fwd.example.com", "/warm")).status).toBe(200);
    expect(h.gateway.output()).not.toContain("warm-up-failed");
  });

  it("logs once per endpoint why `routes push --remote` would refuse it, and still forwards", async () => {
    const endpoint = `http://127.0.0.1:${h.backends.echo?.port}`;
    for (const path of ["/prod-check-1", "/prod-check-2", "/prod-check-3"]) {
      expect((await send(h.gateway.url, "fwd.example.com", path)).status).toBe(200);
    }
    // The warning is written after the first request's response (worker/background.ts), the access log line of the
    // last request when it is answered: wait for both.
    const warningsFor = () =>
      h.gateway
        .output()
        .split("\n")
        .filter(
          (line) => line.includes('"event":"endpoint-refused-remotely"') && line.includes(`"endpoint":"${endpoint}"`),
        );
    const deadline = Date.now() + 5_000;
    while (
      (!h.gateway.output().includes('"path":"/prod-check-3"') || warningsFor().length === 0) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(h.gateway.output()).toContain('"path":"/prod-check-3"');
    const warnings = warningsFor();
    expect(warnings).toHaveLength(1);
    const line = warnings[0] ?? "";
    // wrangler prefixes and may colour the line; the JSON object is between the first { and the last }.
    const logged = JSON.parse(line.slice(line.indexOf("{"), line.lastIndexOf("}") + 1)) as Record<string, string>;
    expect(logged.service).toBe("echo/echo");
    expect(logged.message).toContain("127.0.0.1 is a loopback address");
    expect(logged.message).toContain("127.0.0.1 is an IP address, and a deployed Worker cannot fetch IP addresses");
    expect(logged.message).toContain(`port ${h.backends.echo?.port} is not a port Cloudflare's proxy accepts for http`);
  });
});
