/**
 * The routes CLI for routes served through a cluster's router: `--cluster-router [NAME=]HOST` with `NAME=PATH`
 * inputs for manifests written by hand, `--resolve NAME=ADDRESS:PORT` for a local stand-in, and what validate,
 * explain and push say and publish.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../scripts/cli.ts";
import { parseShard, type Pointer, shardKey } from "../../../worker/core/index.ts";
import { captureIo, EXAMPLE, kvGet, kvJson, routes, tempDir } from "../helpers.ts";

/** A Route and its ClusterIP Service as written by hand: no status. */
const HAND_WRITTEN = `apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: web
  namespace: shop
spec:
  host: web.east.example.com
  tls:
    termination: edge
  to:
    kind: Service
    name: web
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: ClusterIP
  ports:
    - name: http
      port: 8080
`;

async function handWritten(): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, "east"));
  await writeFile(join(dir, "east", "web.yaml"), HAND_WRITTEN);
  return dir;
}

describe("routes handed to a cluster router", () => {
  it("validate names the router per route: from the status of an export, or from --cluster-router per cluster", async () => {
    const dir = await handWritten();
    const bare = captureIo({ cwd: dir });
    expect(await main(["validate", "east=east"], bare.io)).toBe(0);
    expect(bare.stderr()).toMatch(
      /^east\/web\.yaml:\d+ {2}warning {2}RouteNotAdmitted {2}Route shop\/web \(cluster east\) {2}status\.ingress {2}not admitted: .*--cluster-router east=HOST/m,
    );
    expect(bare.stdout()).toMatch(/Rejected routes \(1\):[\s\S]*web\.east\.example\.com .*RouteNotAdmitted/);
    const strict = captureIo({ cwd: dir });
    expect(await main(["validate", "--strict", "east=east"], strict.io)).toBe(1);

    const named = captureIo({ cwd: dir });
    const args = ["validate", "--remote", "--cluster-router", "east=Router-Default.Apps.East.Example.com", "east=east"];
    expect(await main(args, named.io)).toBe(0);
    expect(named.stdout()).toContain(
      "web.east.example.com  (all paths)  shop/web  edge/None  router router-default.apps.east.example.com (--cluster-router)  cluster router router-default.apps.east.example.com at https://router-default.apps.east.example.com:443",
    );
    // A plain --cluster-router applies to inputs without a cluster of their own.
    const plain = captureIo({ cwd: dir });
    expect(await main(["validate", "--cluster-router", "router.example.net", "east"], plain.io)).toBe(0);
    expect(plain.stdout()).toContain("router router.example.net (--cluster-router)");
  });

  it("explain says the route is handed to the router, and from where", async () => {
    const run = await routes(["explain", "https://frontend-store.apps.east.example.com/", EXAMPLE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "  split    handed to cluster router default (status.ingress), which applies the Route's weights, its own sticky cookie and the Service choice\n",
    );
    expect(run.stdout).toMatch(
      /router default {2}100 {5}100% {3}https:\/\/router-default\.apps\.east\.example\.com:443/,
    );
    const edge = await routes(["explain", "https://shop.example.com/", EXAMPLE]);
    expect(edge.stdout).toContain("  split    by the edge, across the Services' own load balancers below\n");
  });

  it("refuses bad option values with a clear error", async () => {
    const dir = await handWritten();
    const cases: [string[], RegExp][] = [
      [
        ["--resolve", "router-default.apps.east.example.com=127.0.0.1:8083", "--remote", "east"],
        /^error: --resolve applies to a local table only/,
      ],
      [["--resolve", "router.example.com=203.0.113.5:80", "east"], /203\.0\.113\.5 is not a loopback address/],
      [["--resolve", "router.example.com:8083", "east"], /expected NAME=ADDRESS:PORT/],
      [["--resolve", "router.example.com=127.0.0.1:70000", "east"], /expected NAME=ADDRESS:PORT/],
      [
        ["--cluster-router", "router.example.com:443", "east"],
        /is not a host name or IP address; give the router's load-balancer name without scheme or port/,
      ],
      [["--cluster-router", "West=router.example.com", "east"], /the cluster NAME must be a DNS label/],
      [["--cluster-router", "west=router.example.com", "east=east"], /no input is labelled west/],
      [
        ["--cluster-router", "a.example.com", "--cluster-router", "b.example.com", "east"],
        /a router for every input is already given/,
      ],
    ];
    for (const [args, expected] of cases) {
      const { io, stderr } = captureIo({ cwd: dir });
      expect(await main(["validate", ...args], io), args.join(" ")).toBe(1);
      expect(stderr(), args.join(" ")).toMatch(expected);
    }
  });

  it("push --local --resolve publishes the router endpoint as the local stand-in's address, over HTTP", async () => {
    const kv = await tempDir();
    const run = await routes([
      "push",
      "--persist-to",
      kv,
      "--resolve",
      "router-default.apps.east.example.com=127.0.0.2:18083",
      join(EXAMPLE, "east"),
    ]);
    expect(run.code).toBe(0);
    const pointer = await kvJson<Pointer>(kv, "routes:current");
    const parsed = parseShard((await kvGet(kv, shardKey(pointer.version, pointer, 0))) ?? "");
    if ("error" in parsed) throw new Error(parsed.error);
    const [inventory, frontend] = parsed.shard.hosts["frontend-store.apps.east.example.com"] ?? [];
    expect(inventory?.id).toBe("store/inventory");
    expect(frontend?.cookie).toBeNull();
    expect(frontend?.backends).toEqual([
      {
        service: "cluster-router/default",
        weight: 100,
        id: expect.any(String),
        router: { name: "default", from: "status" },
        endpoints: [{ scheme: "http", host: "127.0.0.2", port: 18083 }],
      },
    ]);
  }, 180_000);
});
