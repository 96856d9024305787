/**
 * Several clusters through the real CLI and the real `wrangler kv --local`: each cluster's export labelled
 * `NAME=PATH` for validate, push, diff, explain, and status showing every endpoint's cluster.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseShard, type Pointer, shardKey } from "../../../worker/core/index.ts";
import { kvGet, kvJson, routes, tempDir } from "../helpers.ts";

/** A Route as `oc get route -o yaml` prints it (the fields that matter). */
function routeYaml(o: {
  ns?: string;
  name: string;
  host: string;
  service: string;
  created: string;
  order?: string;
}): string {
  return `---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: ${o.name}
  namespace: ${o.ns ?? "shop"}
  creationTimestamp: "${o.created}"
${o.order === undefined ? "" : `  annotations:\n    edgeroute.dev/cluster-order: "${o.order}"\n`}spec:
  host: ${o.host}
  to:
    kind: Service
    name: ${o.service}
    weight: 100
`;
}

function serviceYaml(o: { ns?: string; name: string; ip: string; port: number }): string {
  return `---
apiVersion: v1
kind: Service
metadata:
  name: ${o.name}
  namespace: ${o.ns ?? "shop"}
spec:
  type: LoadBalancer
  ports:
  - name: http
    port: ${o.port}
    targetPort: 8080
status:
  loadBalancer:
    ingress:
    - ip: ${o.ip}
`;
}

/** One cluster's export: shop/web (active-active), shop/api (active-passive, west first), each with its Service. */
function clusterExport(ip: string, apiOrder: string, extra = ""): string {
  return (
    routeYaml({ name: "web", host: "shop.example.com", service: "web", created: "2026-01-01T00:00:00Z" }) +
    routeYaml({
      name: "api",
      host: "api.example.com",
      service: "api",
      created: "2026-01-01T00:00:00Z",
      order: apiOrder,
    }) +
    serviceYaml({ name: "web", ip, port: 8081 }) +
    serviceYaml({ name: "api", ip, port: 9001 }) +
    extra
  );
}

describe("several clusters (NAME=PATH)", { timeout: 480_000 }, () => {
  let dir: string;
  let kv: string;
  const east = () => `east=${join(dir, "east.yaml")}`;
  const west = () => `west=${join(dir, "west.yaml")}`;

  beforeAll(async () => {
    dir = await tempDir("edgeroute-clusters-");
    kv = join(dir, "kv");
    await writeFile(join(dir, "east.yaml"), clusterExport("127.0.0.1", "west, east"));
    // A Route of another namespace in west claims east's host, but is newer: the router's rules reject it.
    await writeFile(
      join(dir, "west.yaml"),
      clusterExport(
        "127.0.0.2",
        "west, east",
        routeYaml({
          ns: "other",
          name: "web",
          host: "shop.example.com",
          service: "web",
          created: "2026-02-01T00:00:00Z",
        }) + serviceYaml({ ns: "other", name: "web", ip: "127.0.0.3", port: 8081 }),
      ),
    );
  });

  it("validate shows each route's clusters in failover order, and reports admission across clusters", async () => {
    const run = await routes(["validate", east(), west()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Admitted routes (2):",
        "HOST              PATH         ROUTE     TLS   SPLIT BY  BACKENDS        CLUSTERS",
        "api.example.com   (all paths)  shop/api  http  edge      api 100 (100%)  west → east",
        "shop.example.com  (all paths)  shop/web  http  edge      web 100 (100%)  east, west",
        "",
        "Rejected routes (1):",
        "HOST              PATH  OBJECT                          REASON              MESSAGE",
        "shop.example.com  -     Route other/web (cluster west)  HostAlreadyClaimed  a route in another namespace holds shop.example.com and is older than web (shop/web in clusters east, west)",
        "",
      ].join("\n"),
    );
    expect(run.stderr).toMatch(
      /^.*west\.yaml:\d+ {2}warning {2}HostAlreadyClaimed {2}Route other\/web \(cluster west\) {2}spec\.host {2}not admitted: /m,
    );
    expect(run.stderr).toMatch(
      /\n2 clusters \(east, west\), 2 files, 10 objects: 2 routes admitted, 1 rejected; 0 errors, 1 warning, 0 notices\n$/,
    );
  });

  it("validate refuses copies of one route that disagree on the host, naming both; and a mix of labelled and plain inputs", async () => {
    const changed = join(dir, "west-changed.yaml");
    await writeFile(
      changed,
      clusterExport("127.0.0.2", "west, east").replace("host: shop.example.com", "host: shop2.example.com"),
    );
    const run = await routes(["validate", east(), `west=${changed}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /west-changed\.yaml:\d+ {2}error {2}ClusterCopiesDisagree {2}Route shop\/web \(cluster west\) {2}spec\.host {2}Route shop\/web \(cluster west\) has host shop2\.example\.com, but its copy Route shop\/web \(cluster east\) \(\S*east\.yaml:\d+\) has host shop\.example\.com; the copies of one route in several clusters are served as one route and must agree on host, path and TLS\n/,
    );
    const mixed = await routes(["validate", east(), join(dir, "west.yaml")]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/^error: \S*west\.yaml: no cluster named, but other inputs are labelled NAME=PATH; /);
    const badName = await routes(["validate", `East=${join(dir, "east.yaml")}`]);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/^error: East=\S+: "East" is not a valid cluster name in NAME=PATH \(/);
  });

  it("push publishes endpoints tagged with their cluster and priority; status and explain show them; diff shows a new order", async () => {
    const push = await routes(["push", east(), west(), "--persist-to", kv]);
    expect(push.code, push.stderr).toBe(0);
    const pointer = await kvJson<Pointer>(kv, "routes:current");
    const shard = await kvGet(kv, shardKey(pointer.version, pointer, 0));
    // Endpoint tuples (schema v2, docs/route-table.md): [host, port, scheme, {cluster, priority}].
    expect(shard).toContain('["127.0.0.1",8081,"http",{"cluster":"east"}]');
    expect(shard).toContain('["127.0.0.2",8081,"http",{"cluster":"west"}]');
    expect(shard).toContain('["127.0.0.1",9001,"http",{"cluster":"east","priority":1}]');
    expect(shard).toContain('["127.0.0.2",9001,"http",{"cluster":"west"}]');
    const parsed = parseShard(shard ?? "");
    if ("error" in parsed) throw new Error(parsed.error);
    const endpoints = (host: string) => parsed.shard.hosts[host]?.[0]?.backends[0]?.endpoints;
    expect(Object.keys(parsed.shard.hosts).map((host) => [host, endpoints(host)])).toEqual([
      [
        "api.example.com",
        [
          { scheme: "http", host: "127.0.0.1", port: 9001, cluster: "east", priority: 1 },
          { scheme: "http", host: "127.0.0.2", port: 9001, cluster: "west" },
        ],
      ],
      [
        "shop.example.com",
        [
          { scheme: "http", host: "127.0.0.1", port: 8081, cluster: "east" },
          { scheme: "http", host: "127.0.0.2", port: 8081, cluster: "west" },
        ],
      ],
    ]);

    const status = await routes(["status", "--persist-to", kv]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      [
        "Endpoints (4):",
        "SERVICE   CLUSTER  ENDPOINT               PRIORITY  ROUTES",
        "shop/api  east     http://127.0.0.1:9001  1         1",
        "shop/api  west     http://127.0.0.2:9001  0         1",
        "shop/web  east     http://127.0.0.1:8081  0         1",
        "shop/web  west     http://127.0.0.2:8081  0         1",
        "",
      ].join("\n"),
    );
    const json = JSON.parse((await routes(["status", "--persist-to", kv, "--output", "json"])).stdout) as {
      endpoints: { service: string; cluster: string; priority: number; endpoint: { host: string }; routes: string[] }[];
    };
    expect(json.endpoints[0]).toEqual({
      service: "shop/api",
      cluster: "east",
      priority: 1,
      endpoint: { scheme: "http", host: "127.0.0.1", port: 9001, cluster: "east" },
      routes: ["shop/api"],
    });

    // From the live table: the health columns too; east (priority 1) is not eligible while west has an endpoint up.
    const explain = await routes(["explain", "http://api.example.com/", "--persist-to", kv]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain(
      "  clusters west → east (active-passive: a later cluster serves only when every earlier one has no endpoint left)\n" +
        "  backends\n" +
        "    BACKEND  WEIGHT  SHARE  ENDPOINT               CLUSTER  PRIORITY  HEALTH   ELIGIBLE\n" +
        "    api      100     100%   http://127.0.0.1:9001  east     1         unknown  no\n" +
        "                            http://127.0.0.2:9001  west     0         unknown  yes\n",
    );
    const fromManifests = await routes(["explain", "http://shop.example.com/", east(), west()]);
    expect(fromManifests.stdout).toContain("  clusters east, west (active-active)\n");

    const reordered = join(dir, "east-reordered.yaml");
    const westReordered = join(dir, "west-reordered.yaml");
    await writeFile(reordered, clusterExport("127.0.0.1", "east, west"));
    await writeFile(westReordered, clusterExport("127.0.0.2", "east, west"));
    const diff = await routes(["diff", `east=${reordered}`, `west=${westReordered}`, "--persist-to", kv]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain(
      "  ~ shop/api: api endpoints http://127.0.0.1:9001 (east, priority 1) http://127.0.0.2:9001 (west)→http://127.0.0.1:9001 (east) http://127.0.0.2:9001 (west, priority 1)\n",
    );
  });
});
