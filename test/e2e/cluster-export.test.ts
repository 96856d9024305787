/**
 * The README's chain for the second example, unedited: routes-config/east/store-export.yaml (an
 * `oc get routes,services -o yaml` export: ClusterIP Services, Routes admitted by router `default`) published as
 * `npm start` does (`--resolve router-default.apps.east.example.com=127.0.0.1:PORT`), served by the real gateway
 * over HTTPS, through the router stand-in, to the blue and green backends.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RouterStandIn, startRouterStandIn } from "../../scripts/dev/router-standin.ts";
import { EXAMPLE } from "../cli/helpers.ts";
import { freePort, type Harness, send, startHarness } from "../support/harness.ts";

const HOST = "frontend-store.apps.east.example.com";
let h: Harness;
let router: RouterStandIn;
let pushed: { diagnostics: { severity: string }[] };

beforeAll(async () => {
  const port = await freePort();
  const manifests = await readFile(join(EXAMPLE, "east", "store-export.yaml"), "utf8");
  h = await startHarness({
    backends: ["blue", "green"],
    manifests,
    protocol: "https",
    pushArgs: ["--resolve", `router-default.apps.east.example.com=127.0.0.1:${port}`],
  });
  pushed = JSON.parse((await h.push(manifests)).stdout);
  // The same Service → backend map as scripts/dev/start.ts.
  router = await startRouterStandIn({
    name: "east/default",
    manifests: [join(EXAMPLE, "east")],
    services: {
      "store/frontend-blue": h.backends.blue?.url ?? "",
      "store/frontend-green": h.backends.green?.url ?? "",
      "store/inventory": h.backends.green?.url ?? "",
    },
    port,
  });
});
afterAll(async () => {
  await router?.close();
  await h?.stop();
});

it("publishes the export with no diagnostics at all", () => {
  expect(pushed.diagnostics).toEqual([]);
});

it("serves the edge Route over HTTPS through the router, which splits 75/25 by the Route's weights", async () => {
  const sides: Record<string, number> = {};
  for (let i = 0; i < 40; i++) {
    const res = await send(h.gateway.url, HOST, "/");
    expect(res.status).toBe(200);
    expect(res.headers["x-router"]).toBe("east/default");
    const side = String(res.headers["x-backend"]);
    sides[side] = (sides[side] ?? 0) + 1;
  }
  // Both sides answer (all 40 on blue has probability 0.75^40 ≈ 1e-5); the router, not the edge, chose.
  expect(Object.keys(sides).sort()).toEqual(["blue", "green"]);
  expect(router.forwarded.filter((f) => f.route === "store/frontend")).toHaveLength(40);
  const received = h.backends.blue?.received.at(-1);
  expect(received?.headers["x-forwarded-host"]).toBe(HOST);
  expect(received?.headers["x-forwarded-proto"]).toBe("https");
});

it("leaves stickiness to the router's own cookie", async () => {
  const first = await send(h.gateway.url, HOST, "/");
  const cookies = first.headers["set-cookie"] as string[];
  expect(cookies.map((c) => c.split("=")[0])).toEqual([expect.stringMatching(/^router_/)]);
  const cookie = (cookies[0] as string).split(";")[0] as string;
  for (let i = 0; i < 5; i++)
    expect((await send(h.gateway.url, HOST, "/", { headers: { Cookie: cookie } })).headers["x-backend"]).toBe(
      first.headers["x-backend"],
    );
});
