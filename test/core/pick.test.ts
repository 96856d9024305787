import { describe, expect, it } from "vitest";
import { newBalanceState, pickBackend, pickEndpoint } from "../../worker/core/pick.ts";
import { backend } from "../support/route-builder.ts";

const blue = backend("shop/blue", 90);
const green = backend("shop/green", 10);
const off = backend("shop/off", 0);

describe("pickBackend", () => {
  it("draws over cumulative weights", () => {
    expect(pickBackend([blue, green], 0)?.backend).toBe(blue);
    expect(pickBackend([blue, green], 0.8999)?.backend).toBe(blue);
    expect(pickBackend([blue, green], 0.9)?.backend).toBe(green);
    expect(pickBackend([blue, green], 0.99999)?.backend).toBe(green);
  });

  it("never picks weight 0, and all zero is no backend", () => {
    for (let i = 0; i < 100; i++) expect(pickBackend([off, green], i / 100)?.backend).toBe(green);
    expect(pickBackend([off, backend("shop/off2", 0)], 0.5)).toBeUndefined();
  });

  it("keeps a sticky client on its backend, and re-picks when it went to weight 0 or away", () => {
    expect(pickBackend([blue, green], 0, green.id)).toEqual({ backend: green, sticky: true });
    expect(pickBackend([blue, off], 0.5, off.id)).toEqual({ backend: blue, sticky: false });
    expect(pickBackend([blue, green], 0.95, "gone")).toEqual({ backend: green, sticky: false });
  });
});

describe("pickEndpoint", () => {
  const eps = [
    { scheme: "http" as const, host: "10.0.0.1", port: 80 },
    { scheme: "http" as const, host: "10.0.0.2", port: 80 },
    { scheme: "http" as const, host: "10.0.0.3", port: 80 },
  ];
  const multi = backend("shop/multi", 1, eps);

  it("roundrobin cycles", () => {
    const state = newBalanceState();
    const seen = [0, 1, 2, 3].map(() => pickEndpoint(multi, "roundrobin", state, "", 0)?.host);
    expect(seen).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1"]);
  });

  it("leastconn takes the endpoint with fewest in flight", () => {
    const state = newBalanceState();
    state.inFlight.set(`${multi.id}|10.0.0.1|80`, 2);
    state.inFlight.set(`${multi.id}|10.0.0.2|80`, 1);
    state.inFlight.set(`${multi.id}|10.0.0.3|80`, 3);
    expect(pickEndpoint(multi, "leastconn", state, "", 0)?.host).toBe("10.0.0.2");
  });

  it("source keeps a client on one endpoint and spreads clients", () => {
    const state = newBalanceState();
    const a = pickEndpoint(multi, "source", state, "198.51.100.1", 0);
    for (let i = 0; i < 5; i++) expect(pickEndpoint(multi, "source", state, "198.51.100.1", Math.random())).toBe(a);
    const hosts = new Set(
      Array.from({ length: 50 }, (_, i) => pickEndpoint(multi, "source", state, `198.51.100.${i}`, 0)?.host),
    );
    expect(hosts.size).toBeGreaterThan(1);
  });

  it("random follows the draw", () => {
    expect(pickEndpoint(multi, "random", newBalanceState(), "", 0.7)?.host).toBe("10.0.0.3");
  });
});
