/**
 * Header, cookie and query canaries end to end: a Route with the `edgeroute.dev/canary-*` annotations, and an
 * ingress-nginx canary Ingress beside its primary, through the real gateway in front of real backends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, send, startHarness } from "../support/harness.ts";
import { lbService, routeYaml } from "../support/manifests.ts";

function ingress(name: string, host: string, service: string, annotations: Record<string, string> = {}): string {
  const lines = Object.entries({ "kubernetes.io/ingress.class": "edgeroute", ...annotations })
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`)
    .join("");
  return `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
  annotations:
${lines}spec:
  rules:
  - host: ${host}
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: ${service}
            port:
              name: http
`;
}

const manifests =
  routeYaml({
    namespace: "shop",
    name: "web",
    host: "route.example.com",
    backends: [
      ["stable", 100],
      ["canary", 0],
    ],
    annotations: {
      "edgeroute.dev/canary-backend": "canary",
      "edgeroute.dev/canary-by-header": "X-Canary",
      "edgeroute.dev/canary-by-cookie": "canary",
      "edgeroute.dev/canary-by-query": "beta",
      "edgeroute.dev/canary-by-query-value": "yes",
    },
  }) +
  routeYaml({
    namespace: "shop",
    name: "pattern",
    host: "pattern.example.com",
    backends: [
      ["stable", 100],
      ["canary", 0],
    ],
    annotations: {
      "edgeroute.dev/canary-backend": "canary",
      "edgeroute.dev/canary-by-header": "X-User",
      "edgeroute.dev/canary-by-header-pattern": "^(alice|bob)$",
    },
  }) +
  ingress("app", "nginx.example.com", "stable") +
  ingress("app-canary", "nginx.example.com", "canary", {
    "nginx.ingress.kubernetes.io/canary": "true",
    "nginx.ingress.kubernetes.io/canary-by-header": "X-Canary",
    "nginx.ingress.kubernetes.io/canary-by-header-value": "on",
    "nginx.ingress.kubernetes.io/canary-by-cookie": "canary",
  }) +
  ingress("all", "weight.example.com", "stable") +
  ingress("all-canary", "weight.example.com", "canary", {
    "nginx.ingress.kubernetes.io/canary": "true",
    "nginx.ingress.kubernetes.io/canary-by-header": "X-Canary",
    "nginx.ingress.kubernetes.io/canary-weight": "5",
    "nginx.ingress.kubernetes.io/canary-weight-total": "5",
  }) +
  lbService("shop", "stable", "stable") +
  lbService("shop", "canary", "canary");

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ backends: ["stable", "canary"], manifests });
});
afterAll(async () => {
  await h?.stop();
});

async function who(host: string, path = "/", headers: Record<string, string> = {}): Promise<string> {
  const res = await send(h.gateway.url, host, path, { headers });
  expect(res.status).toBe(200);
  return String(res.headers["x-backend"]);
}

describe("Route canary annotations", () => {
  it("sends nothing to the canary (weight 0) without a canary header, cookie or query", async () => {
    for (let i = 0; i < 10; i++) expect(await who("route.example.com")).toBe("stable");
  });
  it("header always / never", async () => {
    expect(await who("route.example.com", "/", { "X-Canary": "always" })).toBe("canary");
    expect(await who("route.example.com", "/", { "X-Canary": "never", Cookie: "canary=always" })).toBe("stable");
    // Any other header value is ignored and the next rule decides.
    expect(await who("route.example.com", "/", { "X-Canary": "maybe", Cookie: "canary=always" })).toBe("canary");
  });
  it("cookie, then query", async () => {
    expect(await who("route.example.com", "/", { Cookie: "a=b; canary=always" })).toBe("canary");
    expect(await who("route.example.com", "/?beta=yes")).toBe("canary");
    expect(await who("route.example.com", "/?beta=no")).toBe("stable");
    expect(await who("route.example.com", "/?beta=yes", { Cookie: "canary=never" })).toBe("stable");
  });
  it("the canary backend receives the request unchanged and no sticky cookie is set", async () => {
    const res = await send(h.gateway.url, "route.example.com", "/x?beta=yes", { headers: { "X-Canary": "always" } });
    expect(res.headers["x-backend"]).toBe("canary");
    expect(res.headers["set-cookie"]).toBeUndefined();
    const received = h.backends.canary?.received.at(-1);
    expect(received?.target).toBe("/x?beta=yes");
    expect(received?.headers["x-canary"]).toBe("always");
  });
  it("header pattern", async () => {
    expect(await who("pattern.example.com", "/", { "X-User": "alice" })).toBe("canary");
    expect(await who("pattern.example.com", "/", { "X-User": "mallory" })).toBe("stable");
  });
});

describe("ingress-nginx canary Ingress", () => {
  it("header with a value, then cookie, else the primary", async () => {
    expect(await who("nginx.example.com")).toBe("stable");
    expect(await who("nginx.example.com", "/", { "X-Canary": "on" })).toBe("canary");
    // With canary-by-header-value, other values (even "always") are ignored and the cookie decides.
    expect(await who("nginx.example.com", "/", { "X-Canary": "always" })).toBe("stable");
    expect(await who("nginx.example.com", "/", { "X-Canary": "off", Cookie: "canary=always" })).toBe("canary");
    expect(await who("nginx.example.com", "/", { Cookie: "canary=never" })).toBe("stable");
  });
  it("canary-weight 5 of 5 sends everything to the canary unless the header says never", async () => {
    for (let i = 0; i < 5; i++) expect(await who("weight.example.com")).toBe("canary");
    expect(await who("weight.example.com", "/", { "X-Canary": "never" })).toBe("stable");
  });
});
