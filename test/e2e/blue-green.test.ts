/**
 * A blue-green switch as an operator does it: `routes push` new weights, and the running gateway follows within
 * its refresh interval without a restart. A client pinned to the side that went to weight 0 stays there (the router's
 * drain: weight 0 "does not participate in load-balancing but continues to serve existing persistent connections")
 * until that Service leaves the route.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const manifests = (blue: number | undefined, green: number): string =>
  routeYaml({
    namespace: "shop",
    name: "web",
    host: "shop.example.com",
    backends:
      blue === undefined
        ? [["web-green", green]]
        : [
            ["web-blue", blue],
            ["web-green", green],
          ],
  }) +
  lbService("shop", "web-blue", "blue") +
  lbService("shop", "web-green", "green");

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ backends: ["blue", "green"], manifests: manifests(100, 0) });
});
afterAll(async () => {
  await h?.stop();
});

it("moves all new traffic to green after a push, drains blue's pinned clients, and re-pins them once blue is gone", async () => {
  const first = await send(h.gateway.url, "shop.example.com", "/");
  expect(first.headers["x-backend"]).toBe("blue");
  const blueCookie = String(first.headers["set-cookie"]).split(";")[0] as string;

  const before = await h.version();
  await h.push(manifests(0, 100));
  const after = await h.waitForChange(before);
  expect(after).not.toBe(before);

  for (let i = 0; i < 50; i++)
    expect((await send(h.gateway.url, "shop.example.com", "/")).headers["x-backend"]).toBe("green");
  const draining = await send(h.gateway.url, "shop.example.com", "/", { headers: { Cookie: blueCookie } });
  expect(draining.headers["x-backend"]).toBe("blue");
  expect(draining.headers["set-cookie"]).toBeUndefined();

  const drained = await h.version();
  await h.push(manifests(undefined, 100));
  expect(await h.waitForChange(drained)).not.toBe(drained);
  const pinned = await send(h.gateway.url, "shop.example.com", "/", { headers: { Cookie: blueCookie } });
  expect(pinned.headers["x-backend"]).toBe("green");
  expect(String(pinned.headers["set-cookie"])).not.toBe(String(first.headers["set-cookie"]));
});
