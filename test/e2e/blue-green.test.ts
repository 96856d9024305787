/**
 * A blue-green switch as an operator does it: `routes push` new weights, and the running gateway follows within
 * its refresh interval without a restart; a client pinned to the side that went to weight 0 is moved.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, lbService, send, startHarness } from "../support/harness.ts";

const manifests = (blue: number, green: number): string => `---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: web
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  host: shop.example.com
  to:
    kind: Service
    name: web-blue
    weight: ${blue}
  alternateBackends:
  - kind: Service
    name: web-green
    weight: ${green}
  port:
    targetPort: http
${lbService("shop", "web-blue", "blue")}${lbService("shop", "web-green", "green")}`;

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

  for (let i = 0; i < 50; i++) expect((await send(h.gateway.url, "shop.example.com", "/")).headers["x-backend"]).toBe("green");
  const pinned = await send(h.gateway.url, "shop.example.com", "/", { headers: { Cookie: blueCookie } });
  expect(pinned.headers["x-backend"]).toBe("green");
  expect(String(pinned.headers["set-cookie"])).not.toBe(String(first.headers["set-cookie"]));
});
