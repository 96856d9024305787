/** `routes explain` end to end: from the table live in the real local KV, and from manifests. */
import { beforeAll, describe, expect, it } from "vitest";
import type { Pointer } from "../../../worker/core/index.ts";
import { EXAMPLE, kvJson, routes, tempDir } from "../helpers.ts";

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
      "",
      "Considered (1, most specific first):",
      "  ✓ shop/web  host shop.example.com; prefix path (no path) is the most specific match served over HTTPS",
      "",
    ]);
  });

  it("plain HTTP on an edge route with insecureEdgeTerminationPolicy Redirect is a 302", async () => {
    const run = await explain("http://shop.example.com/cart?x=1");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "→ 302 redirect to https://shop.example.com/cart?x=1 by Route shop/web (insecureEdgeTerminationPolicy Redirect, exact host)\n",
    );
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
