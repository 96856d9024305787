/**
 * Divergences on the data plane, end to end: the real gateway (wrangler dev) in front of real local backends, the
 * table published by the real routes CLI (test/support/harness.ts). Like divergences.test.ts, every test here
 * states what the cited source requires and FAILS on the current code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const MANIFESTS = [
  lbService("audit", "echo", "echo"),
  lbService("audit", "dead", "dead"),
  routeYaml({ namespace: "audit", name: "echo", host: "echo.example.com", backends: [["echo", 100]] }),
  routeYaml({ namespace: "audit", name: "dead", host: "dead.example.com", backends: [["dead", 100]] }),
].join("");

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ backends: ["echo", "dead"], manifests: MANIFESTS });
  await h.backends.dead?.close();
});

afterAll(async () => {
  await h?.stop();
});

describe("9. Via on forwarded requests (RFC 9110 §7.6.3)", () => {
  // https://www.rfc-editor.org/rfc/rfc9110#section-7.6.3: "An HTTP-to-HTTP gateway MUST send an appropriate Via
  // header field in each inbound request message". The OpenShift router (HAProxy) sends none either, so this is a
  // divergence from the RFC only, not from the router.
  it("the backend receives a Via header naming the protocol version", async () => {
    const res = await send(h.gateway.url, "echo.example.com", "/");
    expect(res.status).toBe(200);
    const received = h.backends.echo?.received.at(-1);
    expect(String(received?.headers.via ?? "")).toMatch(/^1\.1 /);
  });
});

describe("4. A backend that refuses the connection: the router's 503 page", () => {
  // HAProxy answers a connection the server refused (or a connect timeout) with 503 after its retries: its
  // `http_return_srv_error` (src/http_ana.c, https://github.com/haproxy/haproxy) sets `txn->status = 503` for
  // SI_ET_CONN_ERR and SI_ET_CONN_TO, and the router's 503 errorfile is "Application is not available" (ROUTER
  // images/router/haproxy/conf/error-page-503.http). Today: 502 "could not be reached" (worker/answers.ts
  // UpstreamConnect; test/e2e/forwarding.test.ts asserts the 502).
  it("answers 503", async () => {
    const res = await send(h.gateway.url, "dead.example.com", "/");
    expect(res.status).toBe(503);
  });
});
