/**
 * A blue-green switch as an operator does it: `routes push` new weights, and the running gateway follows within
 * its refresh interval without a restart; a client pinned to the side that went to weight 0 is moved.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const manifests = (blue: number, green: number): string =>
  routeYaml({
    namespace: "shop",
    name: "web",
    host: "shop.example.com",
    backends: [
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

it("moves all traffic to green after a push, and re-pins a blue client", async () => {
  const first = await send(h.gateway.url, "shop.example.com", "/");
  expect(first.headers["x-backend"]).toBe("blue");
  const blueCookie = String(first.headers["set-cookie"]).split(";")[0] as string;

  const before = await h.version();
  await h.push(manifests(0, 100));
  const after = await h.waitForChange(before);
  expect(after).not.toBe(before);

  for (let i = 0; i < 50; i++)
    expect((await send(h.gateway.url, "shop.example.com", "/")).headers["x-backend"]).toBe("green");
  const pinned = await send(h.gateway.url, "shop.example.com", "/", { headers: { Cookie: blueCookie } });
  expect(pinned.headers["x-backend"]).toBe("green");
  expect(String(pinned.headers["set-cookie"])).not.toBe(String(first.headers["set-cookie"]));
});
