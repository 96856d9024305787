/**
 * Issue 8: the real gateway (wrangler dev) in front of real local backends that die, come back, answer 503,
 * reset or hang while load runs. Two endpoints of one Service are the same port on 127.0.0.1 (backend a) and
 * 127.0.0.2 (backend b). One gateway serves every case; each case has its own host, so what one case teaches the
 * gateway about an endpoint (passive ejection, probes) never leaks into another.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EchoBackend } from "../../scripts/dev/echo-backend.ts";
import { routes } from "../cli/helpers.ts";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { eventually, load } from "../support/load.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

/** A Route of host `<name>.example.com` to Service web (endpoints a and b). */
function twoEndpoints(name: string, annotations: Record<string, string> = {}): string {
  return routeYaml({ namespace: "shop", name, host: `${name}.example.com`, backends: [["web", 100]], annotations });
}

const ROUND_ROBIN = { "haproxy.router.openshift.io/balance": "roundrobin" };
const MANIFESTS = [
  lbService("shop", "web", "a", undefined, ["127.0.0.1", "127.0.0.2"]),
  lbService("shop", "web-blue", "blue"),
  lbService("shop", "web-green", "green"),
  twoEndpoints("dies"),
  routeYaml({
    namespace: "shop",
    name: "split",
    host: "split.example.com",
    backends: [
      ["web-blue", 50],
      ["web-green", 50],
    ],
  }),
  twoEndpoints("retry503", { ...ROUND_ROBIN, "haproxy.router.openshift.io/retry-on": "conn-failure,503" }),
  twoEndpoints("post", ROUND_ROBIN),
  twoEndpoints("reset"),
  twoEndpoints("hang", {
    ...ROUND_ROBIN,
    "haproxy.router.openshift.io/retry-on": "conn-failure response-timeout",
    "haproxy.router.openshift.io/timeout": "4s",
  }),
  twoEndpoints("panic"),
  twoEndpoints("check", { ...ROUND_ROBIN, "router.openshift.io/haproxy.health.check.interval": "1s" }),
  twoEndpoints("down", {
    "router.openshift.io/haproxy.health.check.interval": "1s",
    "haproxy.router.openshift.io/timeout": "20s",
  }),
].join("");

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    backends: ["a", { name: "b", host: "127.0.0.2", samePortAs: "a" }, "blue", "green"],
    manifests: MANIFESTS,
  });
}, 180_000);
afterAll(async () => {
  await h?.stop();
});
/** Every case starts with every backend up and well. */
const killed = new Set<string>();
afterEach(async () => {
  for (const name of killed) await h.restart(name);
  killed.clear();
  for (const backend of Object.values(h.backends)) backend.failWith = undefined;
});
async function kill(name: string): Promise<void> {
  killed.add(name);
  await h.kill(name);
}
function backend(name: string): EchoBackend {
  return h.backends[name] as EchoBackend;
}
/** Requests a backend got from clients (the echo backend keeps health-check probes apart). */
function served(name: string, host?: string): number {
  return backend(name).received.filter((r) => host === undefined || r.headers["x-forwarded-host"] === host).length;
}
const failures = (result: { failures: { status: number; body: string }[] }): string[] =>
  result.failures.map((f) => `${f.status} ${f.body.slice(0, 300)}`);

describe("failover through the real gateway", { timeout: 180_000 }, () => {
  it("no GET fails when one of two endpoints dies under load (600 GETs, concurrency 10, b killed after 150)", async () => {
    const result = await load(h.gateway.url, "dies.example.com", {
      total: 600,
      concurrency: 10,
      afterAnswer: async (n) => {
        if (n === 150) await kill("b");
      },
    });
    expect(failures(result)).toEqual([]);
    expect(result.backends.slice(0, 150)).toContain("b");
    expect(result.backends.slice(-100).every((b) => b === "a")).toBe(true);
  });

  it("a split side that dies gives its share to the other, and its sticky clients move with a new cookie", async () => {
    const host = "split.example.com";
    let greenCookie: string | undefined;
    for (let i = 0; i < 40 && greenCookie === undefined; i++) {
      const sent = await send(h.gateway.url, host, "/");
      if (sent.headers["x-backend"] === "green") greenCookie = String(sent.headers["set-cookie"]).split(";")[0];
    }
    expect(greenCookie).toBeDefined();
    const result = await load(h.gateway.url, host, {
      total: 300,
      concurrency: 10,
      afterAnswer: async (n) => {
        if (n === 50) await kill("green");
      },
    });
    expect(failures(result)).toEqual([]);
    expect(result.backends.slice(-100).every((b) => b === "blue")).toBe(true);

    const pinned = await send(h.gateway.url, host, "/", { headers: { Cookie: greenCookie as string } });
    expect(pinned.status).toBe(200);
    expect(pinned.headers["x-backend"]).toBe("blue");
    const cookie = String(pinned.headers["set-cookie"]);
    expect(cookie).toMatch(/^er_[0-9a-f]+=[0-9a-f]+;/);
    expect(cookie.split(";")[0]).not.toBe(greenCookie);
  });

  it("retry-on 503 hides an endpoint that answers 503", async () => {
    backend("b").failWith = "503";
    const result = await load(h.gateway.url, "retry503.example.com", { total: 60, concurrency: 4 });
    expect(failures(result)).toEqual([]);
    expect(result.backends.every((b) => b === "a")).toBe(true);
    // b was asked, and answered 503, before this isolate ejected it: the retries hid it from every client.
    expect(served("b", "retry503.example.com")).toBeGreaterThan(0);
  });

  it("a POST to a refused endpoint goes to the other one and is delivered exactly once", async () => {
    await kill("b");
    const result = await load(h.gateway.url, "post.example.com", {
      total: 20,
      concurrency: 2,
      method: "POST",
      path: "/orders",
      headers: { "Content-Type": "text/plain" },
      body: (i) => `order-${i}`,
    });
    expect(failures(result)).toEqual([]);
    const posts = backend("a").received.filter((r) => r.method === "POST" && r.path === "/orders");
    expect(posts).toHaveLength(20);
    expect(new Set(posts.map((r) => r.bodySha256)).size).toBe(20);
  });

  it("a POST reset after delivery is not sent again; a GET is (retry-on empty-response, the default)", async () => {
    const host = "reset.example.com";
    const post = await send(h.gateway.url, host, "/__reset", { method: "POST", body: "pay-once" });
    expect(post.status).toBe(502);
    const all = (): EchoBackend["received"] => [...backend("a").received, ...backend("b").received];
    expect(all().filter((r) => r.method === "POST" && r.path === "/__reset")).toHaveLength(1);

    const get = await send(h.gateway.url, host, "/__reset");
    expect(get.status).toBe(502);
    // Both endpoints were tried, once each: a retry never goes back to an endpoint this request already tried.
    expect(all().filter((r) => r.method === "GET" && r.path === "/__reset")).toHaveLength(2);
  });

  it("retry-on response-timeout moves GETs off a hung endpoint within the route's timeout", async () => {
    backend("b").failWith = "hang";
    const result = await load(h.gateway.url, "hang.example.com", { total: 6, concurrency: 2 });
    expect(failures(result)).toEqual([]);
    expect(result.backends.every((b) => b === "a")).toBe(true);
  });

  it("panic mode: when every endpoint is ejected (503s the health check does not see) they are tried anyway, and the log says so", async () => {
    const host = "panic.example.com";
    // /__status/503 answers 503 from both endpoints while the probed path / stays healthy: only passive health
    // ejects them (3 failures in a row each), so both end up ejected and the next request is in panic mode.
    await eventually("a request in panic mode", async () => {
      const sent = await send(h.gateway.url, host, "/__status/503");
      // The backend's own 503 reaches the client (no retry-on 503 here), never a gateway page.
      expect(sent.headers["x-backend"]).toMatch(/^[ab]$/);
      return /"host":"panic\.example\.com","path":"\/__status\/503"[^\n]*"panic":true/.test(h.gateway.output());
    });
  });

  it("health checks take a 503-ing endpoint out with no retry annotation, and bring it back when it recovers", async () => {
    const host = "check.example.com";
    // Traffic registers the route's probes with the health objects.
    expect((await send(h.gateway.url, host, "/")).status).toBe(200);
    backend("b").failWith = "503";
    const status = async (): Promise<string> => (await routes(["status", "--persist-to", h.persistTo])).stdout;
    await eventually("routes status reports b down", async () =>
      /shop\/check +shop\/web +- +http:\/\/127\.0\.0\.2:\d+ +check\.example\.com +down .* +no +HTTP 503/.test(
        await status(),
      ),
    );
    // Once the isolate has read the snapshot, no client request reaches b.
    await eventually("30 answers in a row from a", async () => {
      const result = await load(h.gateway.url, host, { total: 30, concurrency: 3 });
      return result.failures.length === 0 && result.backends.every((b) => b === "a");
    });
    const before = served("b", host);
    const after = await load(h.gateway.url, host, { total: 30, concurrency: 3 });
    expect(failures(after)).toEqual([]);
    expect(served("b", host)).toBe(before);

    backend("b").failWith = undefined;
    await eventually("b serves clients again", async () => {
      await load(h.gateway.url, host, { total: 10, concurrency: 2 });
      return served("b", host) > before;
    });
  });

  it("every endpoint down: a 503 at once, then the 503 page saying the health checks fail; a restart is used again", async () => {
    const host = "down.example.com";
    expect((await send(h.gateway.url, host, "/")).status).toBe(200);
    await kill("a");
    await kill("b");
    const first = await send(h.gateway.url, host, "/");
    expect([502, 503]).toContain(first.status);
    await eventually("503 from the health checks", async () => {
      const sent = await send(h.gateway.url, host, "/");
      return sent.status === 503 && sent.body.includes("failing its health checks");
    });
    await h.restart("a");
    killed.delete("a");
    await eventually("a serves again", async () => (await send(h.gateway.url, host, "/")).status === 200);
  });
});
