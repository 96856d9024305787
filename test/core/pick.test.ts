import { describe, expect, it } from "vitest";
import { eligibleEndpoints, newBalanceState, pickBackend, pickEndpoint } from "../../worker/core/pick.ts";
import type { Backend, Endpoint } from "../../worker/core/table/types.ts";
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

  it("keeps a sticky client on its backend, even at weight 0 (the router's drain), and re-picks when it went away or down", () => {
    expect(pickBackend([blue, green], 0, green.id)).toEqual({ backend: green, sticky: true });
    expect(pickBackend([blue, off], 0.5, off.id)).toEqual({ backend: off, sticky: true });
    const one: Endpoint[] = [{ scheme: "http", host: "10.0.0.9", port: 80 }];
    const [liveBlue, drained] = [backend("shop/blue", 90, one), backend("shop/off", 0, one)];
    expect(pickBackend([liveBlue, drained], 0.5, drained.id, () => true)).toEqual({ backend: drained, sticky: true });
    expect(pickBackend([liveBlue, drained], 0.5, drained.id, (b) => b !== drained)).toEqual({
      backend: liveBlue,
      sticky: false,
    });
    expect(pickBackend([blue, green], 0.95, "gone")).toEqual({ backend: green, sticky: false });
  });
});

describe("pickBackend in turns (balance roundrobin)", () => {
  it("alternates equal weights, spreads 3/1 as a a b a, and skips backends without a usable endpoint", () => {
    const one: Endpoint[] = [{ scheme: "http", host: "10.0.0.9", port: 80 }];
    const a = backend("shop/a", 1, one);
    const b = backend("shop/b", 1, one);
    const state = newBalanceState();
    const ids = (list: readonly Backend[], n: number, usable?: (x: Backend) => boolean): string[] =>
      Array.from({ length: n }, () => pickBackend(list, 0, undefined, usable, state)?.backend.service ?? "none");
    expect(ids([a, b], 6)).toEqual(["shop/a", "shop/b", "shop/a", "shop/b", "shop/a", "shop/b"]);
    const heavy = [backend("shop/x", 3), backend("shop/y", 1)];
    expect(ids(heavy, 8)).toEqual(["shop/x", "shop/x", "shop/y", "shop/x", "shop/x", "shop/x", "shop/y", "shop/x"]);
    expect(ids([a, b, off], 4, (x) => x !== a)).toEqual(["shop/b", "shop/b", "shop/b", "shop/b"]);
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

describe("health and priority", () => {
  const ep = (host: string, extra: Partial<Endpoint> = {}): Endpoint => ({ scheme: "http", host, port: 80, ...extra });
  const a = ep("10.0.0.1");
  const b = ep("10.0.0.2");
  const blueSide = backend("shop/blue", 90, [a]);
  const greenSide = backend("shop/green", 10, [b]);
  const downOf =
    (...down: Endpoint[]) =>
    (_: unknown, e: Endpoint): boolean =>
      !down.includes(e);

  it("a backend with no usable endpoint gives its share to the others in proportion to their weights", () => {
    const third = backend("shop/third", 30, [ep("10.0.0.3")]);
    // blue (90) is down: green 10 and third 30 share everything, 1:3.
    const picks = Array.from(
      { length: 400 },
      (_, i) => pickBackend([blueSide, greenSide, third], i / 400, undefined, downOf(a))?.backend.service,
    );
    expect(picks.filter((s) => s === "shop/green")).toHaveLength(100);
    expect(picks.filter((s) => s === "shop/third")).toHaveLength(300);
    expect(pickBackend([blueSide, greenSide], 0.5, undefined, downOf(a, b))).toBeUndefined();
  });

  it("a sticky cookie naming a backend with no usable endpoint picks again", () => {
    expect(pickBackend([blueSide, greenSide], 0, greenSide.id, downOf(b))).toEqual({
      backend: blueSide,
      sticky: false,
    });
    expect(pickBackend([blueSide, greenSide], 0, greenSide.id, downOf(a))).toEqual({
      backend: greenSide,
      sticky: true,
    });
  });

  it("endpoints: skips unusable ones, and uses the lowest priority tier that has a usable endpoint", () => {
    const east1 = ep("10.1.0.1", { cluster: "east" });
    const east2 = ep("10.1.0.2", { cluster: "east" });
    const west = ep("10.2.0.1", { cluster: "west", priority: 1 });
    const multi = backend("shop/multi", 1, [east1, east2, west]);
    expect(eligibleEndpoints(multi)).toEqual([east1, east2]);
    expect(eligibleEndpoints(multi, downOf(east1))).toEqual([east2]);
    expect(eligibleEndpoints(multi, downOf(east1, east2))).toEqual([west]);
    expect(eligibleEndpoints(multi, downOf(east1, east2, west))).toEqual([]);
    // Active-active: all in tier 0, the backend's own list (nothing allocated).
    const both = backend("shop/both", 1, [east1, ep("10.2.0.2", { cluster: "west" })]);
    expect(eligibleEndpoints(both)).toBe(both.endpoints);
    const state = newBalanceState();
    const seen = [0, 1, 2, 3].map(() => pickEndpoint(multi, "roundrobin", state, "", 0, downOf(east2))?.host);
    expect(seen.every((host) => host === "10.1.0.1")).toBe(true);
  });
});
