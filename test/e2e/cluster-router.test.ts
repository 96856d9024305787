/**
 * A cluster export as it really is: ClusterIP Services, Routes admitted by the cluster's router (status.ingress
 * with routerCanonicalHostname), an Ingress with its controller's status.loadBalancer.ingress, in the shape of
 * openshift/origin's router e2e manifests (test/extended/testdata/router: weighted routes, an Ingress). Published
 * with the real CLI (`--resolve` maps the router's name to the local stand-in), served by the real gateway in
 * workerd, through a real router stand-in (scripts/dev/router-standin.ts) to real backends.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RouterStandIn, startRouterStandIn } from "../../scripts/dev/router-standin.ts";
import { freePort, type Harness, send, startHarness } from "../support/harness.ts";

const ROUTER = "router-default.apps.east.example.com";

const admitted = (host: string, status = "True", reason = ""): string => `
status:
  ingress:
    - host: ${host}
      routerName: default
      routerCanonicalHostname: ${ROUTER}
      wildcardPolicy: None
      conditions:
        - type: Admitted
          status: "${status}"
          lastTransitionTime: "2026-11-21T14:02:31Z"${reason === "" ? "" : `\n          reason: ${reason}\n          message: route ${reason}`}
`;

const clusterIp = (name: string): string => `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: router-e2e
  resourceVersion: "5128101"
spec:
  clusterIP: 172.30.88.14
  clusterIPs: [172.30.88.14]
  ports:
    - name: http
      port: 8080
      protocol: TCP
      targetPort: 8080
  selector:
    app: ${name}
  type: ClusterIP
status:
  loadBalancer: {}
`;

const MANIFESTS = `apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: weightedroute
  namespace: router-e2e
  creationTimestamp: "2026-11-21T14:02:31Z"
  resourceVersion: "5128834"
spec:
  host: weighted.example.com
  port:
    targetPort: 8080
  to:
    kind: Service
    name: weightedendpoints1
    weight: 50
  alternateBackends:
    - kind: Service
      name: weightedendpoints2
      weight: 50
${admitted("weighted.example.com")}---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: edge-redirect
  namespace: router-e2e
  creationTimestamp: "2026-11-21T14:02:32Z"
spec:
  host: secure.example.com
  tls:
    termination: edge
    insecureEdgeTerminationPolicy: Redirect
  to:
    kind: Service
    name: weightedendpoints1
${admitted("secure.example.com")}---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: allowlisted
  namespace: router-e2e
  creationTimestamp: "2026-11-21T14:02:33Z"
  annotations:
    haproxy.router.openshift.io/ip_whitelist: 198.51.100.0/24
spec:
  host: allowlisted.example.com
  to:
    kind: Service
    name: weightedendpoints1
${admitted("allowlisted.example.com")}---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: claimed
  namespace: router-e2e
  creationTimestamp: "2026-11-21T14:02:34Z"
spec:
  host: claimed.example.com
  to:
    kind: Service
    name: weightedendpoints1
${admitted("claimed.example.com", "False", "HostAlreadyClaimed")}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: test
  namespace: router-e2e
  creationTimestamp: "2026-11-21T14:02:35Z"
spec:
  ingressClassName: openshift-default
  rules:
    - host: ingress.example.com
      http:
        paths:
          - path: /healthz
            pathType: Exact
            backend:
              service:
                name: weightedendpoints2
                port:
                  number: 8080
status:
  loadBalancer:
    ingress:
      - hostname: ${ROUTER}
${clusterIp("weightedendpoints1")}${clusterIp("weightedendpoints2")}`;

let h: Harness;
let router: RouterStandIn;
let routerPort: number;
let pushed: { diagnostics: { severity: string; code: string; object: string }[] };

const startRouter = (): Promise<RouterStandIn> =>
  startRouterStandIn({
    name: "default",
    manifests: [join(h.dir, "routes")],
    services: {
      "router-e2e/weightedendpoints1": h.backends.blue?.url ?? "",
      "router-e2e/weightedendpoints2": h.backends.green?.url ?? "",
    },
    port: routerPort,
  });

beforeAll(async () => {
  routerPort = await freePort();
  h = await startHarness({
    backends: ["blue", "green"],
    manifests: MANIFESTS,
    pushArgs: ["--resolve", `${ROUTER}=127.0.0.1:${routerPort}`, "--ingress-class", "openshift-default"],
  });
  pushed = JSON.parse((await h.push(MANIFESTS)).stdout);
  router = await startRouter();
});
afterAll(async () => {
  await router?.close();
  await h?.stop();
});

describe("a cluster export served through the cluster's router", () => {
  it("publishes with no errors, and reports the Route its router did not admit", () => {
    expect(pushed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(pushed.diagnostics.filter((d) => d.severity === "warning")).toEqual([
      expect.objectContaining({ code: "RouteNotAdmitted", object: "Route router-e2e/claimed" }),
    ]);
  });

  it("hands every request to the router with the route host; the router splits with the Route's weights", async () => {
    const sides = new Set<unknown>();
    for (let i = 0; i < 40; i++) {
      const res = await send(h.gateway.url, "weighted.example.com", `/split?i=${i}`);
      expect(res.status).toBe(200);
      expect(res.headers["x-router"]).toBe("default");
      sides.add(res.headers["x-backend"]);
    }
    // 50/50 by the router over 40 requests: one side only has probability 2^-39.
    expect(sides).toEqual(new Set(["blue", "green"]));
    const seen = router.forwarded.filter((f) => f.route === "router-e2e/weightedroute");
    expect(seen).toHaveLength(40);
    expect(seen.every((f) => f.host === "weighted.example.com")).toBe(true);
    const received = [...(h.backends.blue?.received ?? []), ...(h.backends.green?.received ?? [])].filter((r) =>
      r.path.startsWith("/split"),
    );
    expect(received).toHaveLength(40);
    expect(received.every((r) => r.headers["x-forwarded-host"] === "weighted.example.com")).toBe(true);
    // The access log says the route went to a cluster router, and which.
    expect(h.gateway.output()).toContain(
      '"route":"router-e2e/weightedroute","backend":"cluster-router/default","router":"default"',
    );
  });

  it("adds no cookie of its own: the router's cookie passes through untouched both ways and keeps the client pinned", async () => {
    const first = await send(h.gateway.url, "weighted.example.com", "/pin");
    const setCookie = first.headers["set-cookie"] as string[];
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^router_[0-9a-f]+=[0-9a-f]+; path=\/; HttpOnly$/);
    const cookie = (setCookie[0] as string).split(";")[0] as string;
    const side = first.headers["x-backend"];
    for (let i = 0; i < 10; i++) {
      const again = await send(h.gateway.url, "weighted.example.com", "/pin", { headers: { Cookie: cookie } });
      expect(again.headers["x-backend"]).toBe(side);
      expect(again.headers["set-cookie"]).toBeUndefined();
    }
    const backend = side === "blue" ? h.backends.blue : h.backends.green;
    expect(backend?.received.at(-1)?.headers.cookie).toBe(cookie);
  });

  it("applies the route's TLS policy and allowlist at the edge before the router", async () => {
    const before = router.forwarded.length;
    const redirect = await send(h.gateway.url, "secure.example.com", "/cart?id=7");
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toMatch(/^https?:\/\/secure\.example\.com\/cart\?id=7$/);
    const refused = await send(h.gateway.url, "allowlisted.example.com", "/");
    expect(refused.status).toBe(403);
    expect(router.forwarded.length).toBe(before);
  });

  it("serves an Ingress through its status.loadBalancer.ingress", async () => {
    const res = await send(h.gateway.url, "ingress.example.com", "/healthz");
    expect(res.status).toBe(200);
    expect(res.headers["x-backend"]).toBe("green");
    expect(router.forwarded.at(-1)).toEqual({
      route: "router-e2e/test#0.0",
      service: "router-e2e/weightedendpoints2",
      host: "ingress.example.com",
    });
    expect((await send(h.gateway.url, "ingress.example.com", "/healthz/x")).status).toBe(503);
  });

  it("does not serve a Route its router did not admit", async () => {
    const before = router.forwarded.length;
    const res = await send(h.gateway.url, "claimed.example.com", "/");
    expect(res.status).toBe(503);
    expect(res.body).toContain("Application is not available");
    expect(router.forwarded.length).toBe(before);
  });

  it("answers 503 while the router is down, and serves again once it is back", async () => {
    await router.close();
    const down = await send(h.gateway.url, "weighted.example.com", "/down");
    expect(down.status).toBe(503);
    router = await startRouter();
    const back = await send(h.gateway.url, "weighted.example.com", "/back");
    expect(back.status).toBe(200);
    expect(back.headers["x-router"]).toBe("default");
  });
});
