/**
 * Hosts beyond exact names, pushed with the CLI and served by the real gateway (`wrangler dev`) in front of real
 * echo backends, from two clusters' exports (east=…, west=…):
 * - an Ingress `spec.defaultBackend` is the catch-all for hosts (and paths) no route serves, below every named host
 *   (https://kubernetes.io/docs/concepts/services-networking/ingress/#default-backend);
 * - an HTTPRoute wildcard covers any number of labels and the longest wildcard wins (Gateway API hostnames);
 * - the same HTTPRoute in both clusters is one route with each cluster's load balancer as an endpoint, attached
 *   only through its own cluster's Gateway.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

const GATEWAY = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: shop
spec:
  gatewayClassName: edgeroute
  listeners:
  - name: http
    protocol: HTTP
    port: 80
`;

function httpRoute(name: string, hostname: string, service: string): string {
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  parentRefs:
  - name: edge
  hostnames:
  - "${hostname}"
  rules:
  - backendRefs:
    - name: ${service}
      port: {{port:${service}}}
`;
}

const DEFAULT_BACKEND = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: fallback
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  defaultBackend:
    service:
      name: fallback
      port:
        number: {{port:fallback}}
`;

/** The east cluster holds the Gateway, the named Route, the default backend and both wildcard HTTPRoutes. */
const east =
  GATEWAY +
  routeYaml({ namespace: "shop", name: "shop", host: "shop.example.com", path: "/cart", backends: [["shop", 100]] }) +
  DEFAULT_BACKEND +
  httpRoute("deep", "*.gw.example.com", "deep") +
  httpRoute("longer", "*.b.gw.example.com", "longer") +
  httpRoute("both", "both.example.com", "east") +
  lbService("shop", "shop", "shop") +
  lbService("shop", "fallback", "fallback") +
  lbService("shop", "deep", "deep") +
  lbService("shop", "longer", "longer") +
  lbService("shop", "east", "east");

/** The west cluster has the same HTTPRoute on its own Gateway and load balancer, and one whose Gateway is elsewhere. */
const west =
  GATEWAY +
  httpRoute("both", "both.example.com", "west") +
  lbService("shop", "west", "west") +
  `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: orphan
  namespace: shop
spec:
  parentRefs:
  - name: edge-in-east-only
  hostnames:
  - orphan.example.com
  rules:
  - backendRefs:
    - name: west
      port: {{port:west}}
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    backends: ["shop", "fallback", "deep", "longer", "east", "west"],
    manifests: { east, west },
  });
}, 300_000);
afterAll(async () => {
  await h?.stop();
});

const backendOf = async (host: string, path = "/"): Promise<string> => {
  const res = await send(h.gateway.url, host, path);
  return res.status === 200 ? String(res.headers["x-backend"]) : `status ${res.status}`;
};

it("named hosts first; hosts and paths nothing else serves reach the Ingress default backend", {
  timeout: 120_000,
}, async () => {
  expect(await backendOf("shop.example.com", "/cart/1")).toBe("shop");
  expect(await backendOf("shop.example.com", "/other")).toBe("fallback");
  expect(await backendOf("nobody.example.org", "/x")).toBe("fallback");
  // The catch-all takes what a wildcard host leaves, too: gw.example.com itself is no wildcard's.
  expect(await backendOf("gw.example.com")).toBe("fallback");
  const received = h.backends.fallback?.received.at(-1);
  expect(received?.headers["x-forwarded-host"]).toBe("gw.example.com");
});

it("an HTTPRoute wildcard covers several labels, and the longest wildcard wins", { timeout: 120_000 }, async () => {
  expect(await backendOf("a.gw.example.com")).toBe("deep");
  expect(await backendOf("a.b.c.gw.example.com")).toBe("deep");
  expect(await backendOf("x.b.gw.example.com")).toBe("longer");
  expect(await backendOf("y.x.b.gw.example.com")).toBe("longer");
  expect(await backendOf("b.gw.example.com")).toBe("deep");
});

it("the same HTTPRoute in two clusters is served from both; a Gateway of another cluster attaches nothing", {
  timeout: 120_000,
}, async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) seen.add(await backendOf("both.example.com", `/?i=${i}`));
  expect([...seen].sort()).toEqual(["east", "west"]);
  // west's orphan names a Gateway that only east has: not attached, so the catch-all answers its host.
  expect(await backendOf("orphan.example.com")).toBe("fallback");
});
