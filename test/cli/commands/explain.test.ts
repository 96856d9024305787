/** `routes explain` end to end: from the table live in the real local KV, and from manifests. */
import { beforeAll, describe, expect, it } from "vitest";
import type { Pointer } from "../../../worker/core/index.ts";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EXAMPLE, kvJson, routes, tempDir } from "../helpers.ts";

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec:
  gatewayClassName: edgeroute
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: orders, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  hostnames: [gw.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /orders}, headers: [{name: X-Version, value: "2"}]}]
    backendRefs: [{name: web-blue, port: 8081}]
  - matches: [{path: {type: PathPrefix, value: /orders}, method: POST, headers: [{name: X-Version, value: "2"}]}]
    backendRefs: [{name: web-green, port: 8082}]
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}}]
---
${["web-blue", "web-green"]
  .map(
    (name, i) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec: {type: LoadBalancer, ports: [{name: http, port: ${8081 + i}}]}
status: {loadBalancer: {ingress: [{ip: 127.0.0.1}]}}
`,
  )
  .join("---\n")}`;

describe("explain", { timeout: 180_000 }, () => {
  let kv: string;
  let live: Pointer;
  const explain = (...args: string[]) => routes(["explain", ...args, "--persist-to", kv]);

  beforeAll(async () => {
    kv = await tempDir("edgeroute-kv-");
    const nothing = await explain("https://shop.example.com/");
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(
      /^error: no route table is published in local KV ROUTES .*; push one, or give manifests to explain against\n$/,
    );
    expect((await routes(["push", EXAMPLE, "--persist-to", kv])).code).toBe(0);
    live = await kvJson<Pointer>(kv, "routes:current");
  }, 180_000);

  it("names the serving route, its backends with weights and endpoints, and the routes considered", async () => {
    const run = await explain("https://Shop.Example.com:443/a/../cart?x=1");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines.slice(0, 6)).toEqual([
      `https://shop.example.com/cart  (host shop.example.com, path /cart, from live version ${live.version})`,
      "",
      "→ served by Route shop/web (exact host shop.example.com)",
      "  path     (all paths)",
      "  tls      edge/Redirect",
      "  split    by the edge, across the Services' own load balancers below",
    ]);
    expect(lines[6]).toMatch(/^ {2}balance {2}roundrobin, sticky cookie \S+; timeout 30000 ms$/);
    expect(lines.slice(7)).toEqual([
      "  backends",
      "    BACKEND    WEIGHT  SHARE  ENDPOINT               HEALTH   ELIGIBLE",
      "    web-blue   90      90%    http://127.0.0.1:8081  unknown  yes",
      "    web-green  10      10%    http://127.0.0.1:8082  unknown  yes",
      "                              http://127.0.0.2:8082  unknown  yes",
      "  canary   web-green: no canary header, cookie or query decided; the weighted pick above applies",
      "",
      "Considered (1, most specific first):",
      "  ✓ shop/web  host shop.example.com; prefix path (no path) is the most specific match served over HTTPS",
      "",
    ]);
  });

  it("-H and -b decide the Route's canary as the Worker would", async () => {
    const always = await explain("https://shop.example.com/", "-H", "X-Canary: always", "-b", "canary=never");
    expect(always.stdout).toContain("  canary   → web-green (header x-canary: always)\n");
    const never = await explain("https://shop.example.com/", "-b", "other=1", "-b", "canary=never");
    expect(never.stdout).toContain("  canary   not web-green (cookie canary=never)\n");
  });

  it("-X and -H select among HTTPRoute matches and name the precedence step that decided", async () => {
    const dir = await tempDir("edgeroute-explain-");
    await writeFile(join(dir, "gateway.yaml"), GATEWAY);
    const post = await explain("http://gw.example.com/orders", dir, "-X", "post", "-H", "X-Version: 2");
    expect(post.code).toBe(0);
    expect(post.stdout).toContain("→ served by HTTPRoute shop/orders#1.0 (exact host gw.example.com)\n");
    expect(post.stdout).toContain("path     /orders [method POST, header x-version=2]");
    expect(post.stdout).toContain(
      "✗ shop/orders#0.0  host gw.example.com; path /orders matches, but shop/orders#1.0 wins: a method match comes first",
    );
    const get = await explain("http://gw.example.com/orders", dir, "-H", "X-Version: 2");
    expect(get.stdout).toContain("→ served by HTTPRoute shop/orders#0.0");
    expect(get.stdout).toContain("path /orders matches, but the request does not meet method POST, header x-version=2");
    const redirect = await explain("http://gw.example.com/old/x?y=1", dir);
    expect(redirect.stdout).toContain(
      "→ 301 redirect to https://gw.example.com/new/x?y=1 by HTTPRoute shop/orders#2.0 (RequestRedirect)\n",
    );
  });

  it("plain HTTP on an edge route with insecureEdgeTerminationPolicy Redirect is a 302", async () => {
    const run = await explain("http://shop.example.com/cart?x=1");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "→ 302 redirect to https://shop.example.com/cart?x=1 by Route shop/web (insecureEdgeTerminationPolicy Redirect, exact host)\n",
    );
    // The Location keeps the request URI as the client sent it, as the router and the Worker do (matching uses
    // the canonical path /admin/x).
    const raw = await routes(["explain", "http://shop.example.com/%61dmin//x?q=1", EXAMPLE]);
    expect(raw.stdout).toContain("  (host shop.example.com, path /admin/x, ");
    expect(raw.stdout).toContain("→ 302 redirect to https://shop.example.com/%61dmin//x?q=1 by Route shop/web");
  });

  it("an Ingress Exact path serves only itself; other paths of the host are listed with why they do not match", async () => {
    const exact = await explain("http://api.example.com/healthz", "--output", "json");
    expect(exact.code).toBe(0);
    const document = JSON.parse(exact.stdout) as {
      resolution: { outcome: string; route: { id: string } };
      considered: { route: { id: string }; chosen: boolean }[];
    };
    expect(document.resolution).toMatchObject({ outcome: "route", route: { id: "shop/api#0.0" } });
    expect(document.considered.filter((entry) => entry.chosen).map((entry) => entry.route.id)).toEqual([
      "shop/api#0.0",
    ]);

    const below = await explain("http://api.example.com/healthz/deep");
    expect(below.code).toBe(0);
    expect(below.stdout).toContain("→ no route serves this URL: the gateway answers 503\n");
    expect(below.stdout).toContain(
      "  ✗ shop/api#0.0  host api.example.com; exact path /healthz does not cover /healthz/deep\n",
    );
  });

  it("from manifests instead of the live table, with compile options", async () => {
    const run = await routes(["explain", "http://unknown.example.com/", EXAMPLE, "--not-found", "404"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      "http://unknown.example.com/  (host unknown.example.com, path /, from manifests)\n\n→ no route serves this URL: the gateway answers 404\n\nno route names host unknown.example.com or a wildcard covering it\n",
    );
  });

  it("refuses what the Worker would refuse, saying why", async () => {
    const cases: [string, RegExp][] = [
      [
        "shop.example.com/cart",
        /^error: shop\.example\.com\/cart is not a URL; give a full URL such as https:\/\/shop\.example\.com\/cart\n$/,
      ],
      [
        "ftp://shop.example.com/",
        /^error: ftp:\/\/shop\.example\.com\/: the URL must start with http:\/\/ or https:\/\//,
      ],
      [
        "http://shop.example.com/a%2Fb",
        /^error: http:\/\/shop\.example\.com\/a%2Fb: the Worker answers 400: encoded '\/', '\\' or NUL in path\n$/,
      ],
    ];
    for (const [url, expected] of cases) {
      const run = await routes(["explain", url, EXAMPLE]);
      expect(run.code, url).toBe(1);
      expect(run.stderr).toMatch(expected);
    }
  });
});
