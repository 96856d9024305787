/**
 * A route's TLS policy at the edge, through the real gateway on both of its listeners (HTTPS with wrangler's
 * self-signed certificate, and plain HTTP): insecureEdgeTerminationPolicy, HSTS only over HTTPS, and the
 * Secure/SameSite attributes of the sticky cookie on TLS routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../scripts/dev/wrangler-dev.ts";
import { freePort, type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const tls = (insecure: string) => `  tls:\n    termination: edge\n    insecureEdgeTerminationPolicy: ${insecure}\n`;
const HSTS = { "haproxy.router.openshift.io/hsts_header": "max-age=31536000;includeSubDomains;preload" };

const MANIFESTS = [
  lbService("web", "app", "app"),
  routeYaml({
    namespace: "web",
    name: "redirect",
    host: "redirect.example.com",
    backends: [["app", 100]],
    spec: tls("Redirect"),
    annotations: HSTS,
  }),
  routeYaml({
    namespace: "web",
    name: "acme",
    host: "redirect.example.com",
    path: "/.well-known/acme-challenge",
    backends: [["app", 100]],
  }),
  routeYaml({ namespace: "web", name: "none", host: "none.example.com", backends: [["app", 100]], spec: tls("None") }),
  routeYaml({
    namespace: "web",
    name: "allow",
    host: "allow.example.com",
    backends: [["app", 100]],
    spec: tls("Allow"),
    annotations: HSTS,
  }),
  routeYaml({
    namespace: "web",
    name: "plain",
    host: "plain.example.com",
    backends: [["app", 100]],
    annotations: HSTS,
  }),
].join("");

let h: Harness;
let plain: RunningGateway;

beforeAll(async () => {
  h = await startHarness({ backends: ["app"], manifests: MANIFESTS, protocol: "https" });
  plain = await startGateway({ port: await freePort(), persistTo: h.persistTo, stdio: "collect" });
});
afterAll(async () => {
  await plain?.stop();
  await h?.stop();
});

describe("insecureEdgeTerminationPolicy", () => {
  it("Redirect: 302 over HTTP, served over HTTPS", async () => {
    const res = await send(plain.url, "redirect.example.com", "/login?next=%2Fcart");
    expect(res.status).toBe(302);
    // wrangler dev's proxy rewrites the scheme of absolute URLs it forwards (see test/worker/gateway.test.ts).
    expect(res.headers.location).toMatch(/^https?:\/\/redirect\.example\.com\/login\?next=%2Fcart$/);
    expect((await send(h.gateway.url, "redirect.example.com", "/login")).status).toBe(200);
  });

  it("a more specific plain-HTTP route on the same host is served instead of the redirect", async () => {
    const res = await send(plain.url, "redirect.example.com", "/.well-known/acme-challenge/token");
    expect(res.status).toBe(200);
    expect(h.backends.app?.received.at(-1)?.path).toBe("/.well-known/acme-challenge/token");
  });

  it("None: 503 over HTTP, served over HTTPS", async () => {
    expect((await send(plain.url, "none.example.com", "/")).status).toBe(503);
    expect((await send(h.gateway.url, "none.example.com", "/")).status).toBe(200);
  });

  it("Allow: served over both", async () => {
    expect((await send(plain.url, "allow.example.com", "/")).status).toBe(200);
    expect((await send(h.gateway.url, "allow.example.com", "/")).status).toBe(200);
  });

  it("a plain route is served over HTTP and answers 503 over HTTPS, as the router's 443 side does", async () => {
    expect((await send(plain.url, "plain.example.com", "/")).status).toBe(200);
    expect((await send(h.gateway.url, "plain.example.com", "/")).status).toBe(503);
  });
});

describe("HSTS and cookies", () => {
  it("sends the route's HSTS header on HTTPS responses only", async () => {
    const secure = await send(h.gateway.url, "allow.example.com", "/");
    expect(secure.headers["strict-transport-security"]).toBe("max-age=31536000;includeSubDomains;preload");
    const insecure = await send(plain.url, "allow.example.com", "/");
    expect(insecure.headers["strict-transport-security"]).toBeUndefined();
  });

  it("never sends HSTS for a plain route (the annotation only applies to edge/reencrypt)", async () => {
    expect((await send(plain.url, "plain.example.com", "/")).headers["strict-transport-security"]).toBeUndefined();
  });

  it("marks the sticky cookie Secure; SameSite=None on a TLS route that is not served over HTTP", async () => {
    const res = await send(h.gateway.url, "redirect.example.com", "/");
    expect(String(res.headers["set-cookie"])).toMatch(/; HttpOnly; Secure; SameSite=None$/);
  });

  it("tells the backend the client used HTTPS", async () => {
    await send(h.gateway.url, "none.example.com", "/x");
    const got = h.backends.app?.received.at(-1);
    expect(got?.headers["x-forwarded-proto"]).toBe("https");
    expect(got?.headers.forwarded).toMatch(/proto=https$/);
  });
});
