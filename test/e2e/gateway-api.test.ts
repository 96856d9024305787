/**
 * Gateway API HTTPRoutes end to end: the conformance-derived case table (test/cases/gateway.cases.ts) through the
 * real gateway (`wrangler dev`, workerd) over HTTP and HTTPS, in front of real echo backends, checking what the
 * client got and what the backend received; then weights (statistically) and request mirroring.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../scripts/dev/wrangler-dev.ts";
import { GATEWAY_BACKENDS, GATEWAY_CASES, GATEWAY_MANIFESTS } from "../cases/gateway.cases.ts";
import { freePort, type Harness, send, startHarness } from "../support/harness.ts";

let h: Harness;
let https: RunningGateway;

beforeAll(async () => {
  h = await startHarness({ backends: GATEWAY_BACKENDS, manifests: GATEWAY_MANIFESTS });
  https = await startGateway({ port: await freePort(), persistTo: h.persistTo, protocol: "https", stdio: "collect" });
});

afterAll(async () => {
  await https?.stop();
  await h?.stop();
});

const backend = (name: string) => {
  const b = h.backends[name];
  if (!b) throw new Error(`no backend ${name}`);
  return b;
};

describe("Gateway API conformance cases through the real gateway", () => {
  it.each(GATEWAY_CASES)("$id", async (c) => {
    const gateway = c.https ? https : h.gateway;
    const before = Object.fromEntries(GATEWAY_BACKENDS.map((name) => [name, backend(name).received.length]));
    const res = await send(gateway.url, c.host, c.path, {
      method: c.method ?? "GET",
      headers: c.headers ?? {},
    });
    const e = c.expect;
    if ("none" in e) {
      expect(res.status).toBe(503);
      if (c.method !== "HEAD") expect(res.body).toContain("Application is not available");
    } else if ("status" in e) {
      expect(res.status).toBe(e.status);
      if (e.status === 500) {
        // Nothing was forwarded anywhere.
        for (const name of GATEWAY_BACKENDS) expect(backend(name).received.length).toBe(before[name]);
      }
    } else if ("redirect" in e) {
      expect(res.status).toBe(e.redirect);
      // wrangler dev's proxy rewrites the scheme of a Location naming the request's own host to its listener's
      // scheme; test/worker/gateway-api.test.ts checks such Locations exactly in workerd.
      const location = new URL(e.location);
      if (location.hostname === new URL(`http://${c.host}`).hostname)
        expect(res.headers.location).toBe(
          `${c.https ? "https" : "http"}:${e.location.slice(location.protocol.length)}`,
        );
      else expect(res.headers.location).toBe(e.location);
      for (const name of GATEWAY_BACKENDS) expect(backend(name).received.length).toBe(before[name]);
    } else {
      expect(res.status).toBe(200);
      expect(res.headers["x-backend"]).toBe(e.backend);
      const received = backend(e.backend).received.at(-1);
      expect(backend(e.backend).received.length).toBe((before[e.backend] ?? 0) + 1);
      expect(received?.method).toBe(c.method === "HEAD" ? "HEAD" : (c.method ?? "GET"));
      if (e.target !== undefined) expect(received?.target).toBe(e.target);
      for (const [name, value] of Object.entries(e.received ?? {})) expect(received?.headers[name] ?? null).toBe(value);
      for (const [name, value] of Object.entries(e.response ?? {})) expect(res.headers[name] ?? null).toBe(value);
    }
  });
});

describe("HTTPRouteWeight", () => {
  it("splits 70/30 and never sends to the weight-0 backend", async () => {
    const counts: Record<string, number> = {};
    const n = 300;
    for (let i = 0; i < n; i++) {
      const res = await send(h.gateway.url, "weight.example.com", "/");
      expect(res.status).toBe(200);
      const name = String(res.headers["x-backend"]);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts["infra-backend-v3"]).toBeUndefined();
    // 70% of 300 has a standard deviation of about 8 requests: ±30 is well beyond chance.
    expect(counts["infra-backend-v1"]).toBeGreaterThan(180);
    expect(counts["infra-backend-v1"]).toBeLessThan(240);
    expect((counts["infra-backend-v1"] ?? 0) + (counts["infra-backend-v2"] ?? 0)).toBe(n);
  });
});

describe("HTTPRouteRequestMirror", () => {
  it("answers from the backend and sends a copy, body included, to the mirror", async () => {
    const body = "mirrored body";
    const res = await send(h.gateway.url, "mirror.example.com", "/mirror/one?x=1", { method: "POST", body });
    expect(res.status).toBe(200);
    expect(res.headers["x-backend"]).toBe("infra-backend-v1");
    const mirror = backend("infra-backend-v2");
    const deadline = Date.now() + 15_000;
    while (!mirror.received.some((r) => r.target === "/mirror/one?x=1") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const copy = mirror.received.find((r) => r.target === "/mirror/one?x=1");
    expect(copy?.method).toBe("POST");
    expect(copy?.bodyBytes).toBe(Buffer.byteLength(body));
    expect(backend("infra-backend-v1").received.at(-1)?.bodyBytes).toBe(Buffer.byteLength(body));
  });

  it("still answers the client when the mirror backend is down", async () => {
    await backend("infra-backend-v2").close();
    const res = await send(h.gateway.url, "mirror.example.com", "/mirror/two");
    expect(res.status).toBe(200);
    expect(res.headers["x-backend"]).toBe("infra-backend-v1");
  });
});
