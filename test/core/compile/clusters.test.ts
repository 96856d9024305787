/**
 * Several clusters: objects labelled with their cluster (`SourceRef.cluster`, set by the CLI from `NAME=PATH`)
 * never collide by name, Services resolve within their own cluster, the same Route in several clusters becomes one
 * route with endpoints tagged by cluster, and `edgeroute.dev/cluster-order` makes it active-passive.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import { parseShard, serializeTable } from "../../../worker/core/index.ts";
import type { CompileResult, SourceObject } from "../../../worker/core/compile/types.ts";
import { ingress, only, problems, route, rule, service } from "./fixtures.ts";

const ORDER = "edgeroute.dev/cluster-order";

/** Each cluster's objects as the CLI hands them over for `NAME=NAME.yaml`. */
function clustered(clusters: Record<string, unknown[]>): SourceObject[] {
  return Object.entries(clusters).flatMap(([cluster, objects]) =>
    objects.map((object, doc) => ({ source: { file: `${cluster}.yaml`, doc, cluster }, object })),
  );
}

function compileClusters(clusters: Record<string, unknown[]>): CompileResult {
  return compile(clustered(clusters), DEFAULT_COMPILE_OPTIONS);
}

const east = (ip = "203.0.113.10") => service("web", { ip });
const west = (ip = "198.51.100.20") => service("web", { ip });

describe("objects of several clusters", () => {
  it("never collide by name, and a Service is found only by routes of its own cluster", () => {
    const result = compileClusters({
      east: [route("web", { host: "east.example.com" }), east()],
      west: [route("other", { host: "west.example.com" }), west(), route("lost", { service: "east-only" })],
    });
    expect(result.diagnostics.filter((d) => d.code === "DuplicateObject")).toEqual([]);
    const error = only(problems(result));
    expect(error).toMatchObject({
      severity: "error",
      code: "ServiceNotFound",
      object: "Route shop/lost (cluster west)",
      field: "spec.to.name",
      source: { file: "west.yaml", cluster: "west" },
    });
    expect(error.message).toContain("which is not in the input of cluster west");
    const byId = new Map(result.admitted.map((r) => [r.id, r]));
    expect(byId.get("shop/web")?.backends[0]?.endpoints).toEqual([
      { scheme: "http", host: "203.0.113.10", port: 80, cluster: "east" },
    ]);
    expect(byId.get("shop/other")?.backends[0]?.endpoints).toEqual([
      { scheme: "http", host: "198.51.100.20", port: 80, cluster: "west" },
    ]);
  });

  it("still refuses the same object twice within one cluster", () => {
    const result = compileClusters({ east: [east(), east()] });
    expect(only(problems(result))).toMatchObject({
      code: "DuplicateObject",
      object: "Service shop/web (cluster east)",
    });
    expect(only(problems(result)).message).toMatch(/Each object may appear only once per cluster$/);
  });

  it("unlabelled input keeps today's meaning: no cluster on any endpoint, no priority", () => {
    const result = compile(
      [route("web"), east()].map((object, doc) => ({ source: { file: "a.yaml", doc }, object })),
      DEFAULT_COMPILE_OPTIONS,
    );
    expect(only(result.admitted).backends[0]?.endpoints).toEqual([{ scheme: "http", host: "203.0.113.10", port: 80 }]);
  });
});

describe("the same route in several clusters", () => {
  it("is one route whose backends have endpoints in each cluster, all preferred equally (active-active)", () => {
    const result = compileClusters({
      east: [route("web", { host: "shop.example.com" }), east()],
      west: [route("web", { host: "shop.example.com" }), west()],
    });
    expect(problems(result)).toEqual([]);
    expect(result.rejected).toEqual([]);
    const web = only(result.admitted);
    expect(web.id).toBe("shop/web");
    expect(web.backends).toEqual([
      {
        service: "shop/web",
        weight: 100,
        id: expect.any(String),
        endpoints: [
          { scheme: "http", host: "203.0.113.10", port: 80, cluster: "east" },
          { scheme: "http", host: "198.51.100.20", port: 80, cluster: "west" },
        ],
      },
    ]);
  });

  it("merges the copies of every Ingress route, keyed by route id (and host for the default backend)", () => {
    const spec = { defaultBackend: { service: { name: "web", port: { number: 80 } } }, rules: [rule("a.example.com")] };
    const result = compileClusters({
      east: [ingress("ing", spec), east()],
      west: [ingress("ing", spec), west()],
    });
    expect(problems(result)).toEqual([]);
    // The default backend serves the catch-all host (a.example.com's only rule already serves every path).
    expect(result.admitted.map((r) => [r.id, r.host, r.backends[0]?.endpoints.map((e) => e.cluster)])).toEqual([
      ["shop/ing#0.0", "a.example.com", ["east", "west"]],
      ["shop/ing#default", "*", ["east", "west"]],
    ]);
  });

  it("adds a backend Service that only one copy names, and warns that the copies differ", () => {
    const result = compileClusters({
      east: [route("web", { host: "shop.example.com" }), east()],
      west: [route("web", { host: "shop.example.com", service: "canary" }), service("canary", { ip: "198.51.100.30" })],
    });
    const web = only(result.admitted);
    expect(web.backends.map((b) => [b.service, b.weight, b.endpoints.map((e) => e.cluster)])).toEqual([
      ["shop/web", 100, ["east"]],
      ["shop/canary", 100, ["west"]],
    ]);
    expect(only(problems(result))).toMatchObject({ severity: "warning", code: "ClusterCopiesDisagree" });
  });

  it("takes every other setting from the oldest copy and warns, naming both copies and the settings", () => {
    const result = compileClusters({
      east: [
        route("web", {
          host: "shop.example.com",
          created: "2024-05-01T00:00:00Z",
          annotations: { "haproxy.router.openshift.io/timeout": "5s" },
        }),
        east(),
      ],
      west: [route("web", { host: "shop.example.com", created: "2024-01-01T00:00:00Z", weight: 50 }), west()],
    });
    const web = only(result.admitted);
    expect(web.timeoutMs).toBe(30_000);
    expect(web.backends[0]?.weight).toBe(50);
    const warning = only(problems(result));
    expect(warning).toMatchObject({
      severity: "warning",
      code: "ClusterCopiesDisagree",
      object: "Route shop/web (cluster east)",
      source: { file: "east.yaml", cluster: "east" },
    });
    expect(warning.message).toBe(
      "Route shop/web (cluster east) differs from its older copy Route shop/web (cluster west) (west.yaml) in timeoutMs, the weight of Service shop/web; the route is served once, with the settings of the oldest copy (cluster west)",
    );
  });

  it.each([
    [
      "host",
      { host: "other.example.com" },
      "spec.host",
      "has host other.example.com, but its copy Route shop/web (cluster east) (east.yaml) has host shop.example.com",
    ],
    [
      "path",
      { path: "/api" },
      "spec.path",
      "has prefix path /api, but its copy Route shop/web (cluster east) (east.yaml) has no path",
    ],
    [
      "TLS",
      { tls: { termination: "edge" } },
      "spec.tls",
      "has TLS edge/None, but its copy Route shop/web (cluster east) (east.yaml) has no TLS",
    ],
  ])("refuses copies that disagree on %s, naming both", (_, change, field, text) => {
    const result = compileClusters({
      east: [route("web", { host: "shop.example.com" }), east()],
      west: [route("web", { host: "shop.example.com", created: "2024-02-01T00:00:00Z", ...change }), west()],
    });
    const error = only(problems(result));
    expect(error).toMatchObject({
      severity: "error",
      code: "ClusterCopiesDisagree",
      object: "Route shop/web (cluster west)",
      field,
      source: { file: "west.yaml", cluster: "west" },
    });
    expect(error.message).toBe(
      `Route shop/web (cluster west) ${text}; the copies of one route in several clusters are served as one route and must agree on host, path and TLS`,
    );
  });
});

describe(`${ORDER}: active-passive`, () => {
  const ordered = (
    order: string,
    clusters = { east: east(), west: west(), south: service("web", { ip: "192.0.2.9" }) },
  ) =>
    compileClusters(
      Object.fromEntries(
        Object.entries(clusters).map(([name, svc]) => [
          name,
          [route("web", { host: "shop.example.com", annotations: { [ORDER]: order } }), svc],
        ]),
      ),
    );

  it("gives each endpoint its cluster's position as priority (0 omitted); clusters not listed come last", () => {
    const result = ordered("west, east");
    expect(problems(result)).toEqual([]);
    expect(only(result.admitted).backends[0]?.endpoints).toEqual([
      { scheme: "http", host: "203.0.113.10", port: 80, cluster: "east", priority: 1 },
      { scheme: "http", host: "192.0.2.9", port: 80, cluster: "south", priority: 2 },
      { scheme: "http", host: "198.51.100.20", port: 80, cluster: "west" },
    ]);
  });

  it.each([
    ["east,,west", "an empty entry is not a cluster name"],
    ["east, West", '"West" is not a cluster name'],
    ["east, east", "names cluster east twice"],
  ])("refuses %j with an error saying what is allowed", (value, text) => {
    const result = ordered(value);
    const error = problems(result).find((d) => d.severity === "error");
    expect(error).toMatchObject({ code: "InvalidAnnotation", field: `metadata.annotations["${ORDER}"]` });
    expect(error?.message).toContain(text);
    expect(error?.message).toContain(
      'the value must be a comma-separated list of clusters, most preferred first, e.g. "east, south, west"',
    );
  });

  it("warns about a cluster that is not an input, and still orders the others", () => {
    const result = ordered("north, west");
    expect(only(problems(result).filter((d) => d.source.cluster === "east"))).toMatchObject({
      severity: "warning",
      code: "InvalidAnnotation",
      message:
        "cluster north is not one of the inputs (east, south, west); it orders nothing until its export is given as north=PATH",
    });
    expect(only(result.admitted).backends[0]?.endpoints.map((e) => [e.cluster, e.priority])).toEqual([
      ["east", 2],
      ["south", 2],
      ["west", 1],
    ]);
  });

  it("is ignored with a warning on unlabelled input", () => {
    const result = compile(
      [route("web", { annotations: { [ORDER]: "east" } }), east()].map((object, doc) => ({
        source: { file: "a.yaml", doc },
        object,
      })),
      DEFAULT_COMPILE_OPTIONS,
    );
    expect(only(problems(result))).toMatchObject({ severity: "warning", code: "InvalidAnnotation" });
    expect(only(result.admitted).backends[0]?.endpoints).toEqual([{ scheme: "http", host: "203.0.113.10", port: 80 }]);
  });
});

describe("admission across clusters", () => {
  it("follows the router's rules as one router would: the oldest claim wins, and the rejection names the clusters", () => {
    const result = compileClusters({
      east: [route("web", { host: "shop.example.com", created: "2024-03-01T00:00:00Z" }), east()],
      west: [
        route("web", { namespace: "other", host: "shop.example.com", created: "2024-01-01T00:00:00Z" }),
        service("web", { namespace: "other", ip: "198.51.100.20" }),
      ],
    });
    expect(only(result.admitted).backends[0]?.endpoints.map((e) => e.cluster)).toEqual(["west"]);
    expect(only(result.rejected)).toEqual({
      object: "Route shop/web (cluster east)",
      host: "shop.example.com",
      path: "",
      reason: "HostAlreadyClaimed",
      message: "a route in another namespace holds shop.example.com and is older than web (other/web in cluster west)",
    });
  });

  it("a merged route claims its host once, with the age of its oldest copy", () => {
    const result = compileClusters({
      east: [route("web", { host: "shop.example.com", created: "2024-01-01T00:00:00Z" }), east()],
      west: [
        route("web", { host: "shop.example.com", created: "2024-06-01T00:00:00Z" }),
        west(),
        route("late", { host: "shop.example.com", created: "2024-03-01T00:00:00Z" }),
      ],
    });
    expect(result.admitted.map((r) => r.id)).toEqual(["shop/web"]);
    expect(only(result.rejected)).toMatchObject({
      object: "Route shop/late (cluster west)",
      reason: "HostAlreadyClaimed",
      message: "route shop/web in clusters east, west already exposes shop.example.com and is older",
    });
  });
});

describe("published form", () => {
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

  it("keeps each endpoint's cluster and priority, and reads a shard of the old form (no cluster) unchanged", () => {
    const result = compileClusters({
      east: [route("web", { host: "shop.example.com", annotations: { [ORDER]: "west" } }), east()],
      west: [route("web", { host: "shop.example.com", annotations: { [ORDER]: "west" } }), west()],
    });
    const published = serializeTable(result.table, sha256);
    expect(published.shards[0]).toContain(
      '"endpoints":[{"cluster":"east","host":"203.0.113.10","port":80,"priority":1,"scheme":"http"},{"cluster":"west","host":"198.51.100.20","port":80,"scheme":"http"}]',
    );
    const parsed = parseShard(published.shards[0] ?? "");
    if ("error" in parsed) throw new Error(parsed.error);
    expect(parsed.shard.hosts["shop.example.com"]?.[0]?.backends[0]?.endpoints).toEqual(
      only(result.admitted).backends[0]?.endpoints,
    );
    const old =
      '{"backends":{"0":[{"endpoints":[{"host":"203.0.113.10","port":80,"scheme":"http"}],"service":"shop/web"}]},"hosts":{"shop.example.com":[{"backends":0,"id":"shop/web"}]},"schema":"edgeroute/route-table/v1","wildcards":{}}';
    const read = parseShard(old);
    if ("error" in read) throw new Error(read.error);
    expect(read.shard.hosts["shop.example.com"]?.[0]?.backends[0]?.endpoints).toEqual([
      { host: "203.0.113.10", port: 80, scheme: "http" },
    ]);
  });
});

describe("HTTPRoutes in several clusters", () => {
  const gatewayOf = (name = "edge"): unknown => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "shop" },
    spec: { gatewayClassName: "edgeroute", listeners: [{ name: "http", protocol: "HTTP", port: 80 }] },
  });
  const httpRoute = (annotations: Record<string, string> = {}, mirror = false): unknown => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "web", namespace: "shop", creationTimestamp: "2026-01-01T00:00:00Z", annotations },
    spec: {
      parentRefs: [{ name: "edge" }],
      hostnames: ["gw.example.com"],
      rules: [
        {
          backendRefs: [{ name: "web", port: 80 }],
          ...(mirror
            ? { filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "web", port: 80 } } }] }
            : {}),
        },
      ],
    },
  });

  it("are one route whose backends and mirrors have endpoints in each cluster; cluster-order makes it active-passive", () => {
    const result = compileClusters({
      east: [gatewayOf(), httpRoute({ [ORDER]: "west, east" }, true), east()],
      west: [gatewayOf(), httpRoute({ [ORDER]: "west, east" }, true), west()],
    });
    expect(problems(result)).toEqual([]);
    const web = only(result.admitted);
    expect([web.id, web.kind, web.host]).toEqual(["shop/web#0.0", "HTTPRoute", "gw.example.com"]);
    expect(web.backends[0]?.endpoints).toEqual([
      { scheme: "http", host: "203.0.113.10", port: 80, cluster: "east", priority: 1 },
      { scheme: "http", host: "198.51.100.20", port: 80, cluster: "west" },
    ]);
    expect(web.gateway?.mirrors?.[0]?.backend.endpoints.map((e) => e.cluster)).toEqual(["east", "west"]);
  });

  it("attach only to a Gateway of their own cluster", () => {
    const result = compileClusters({
      east: [gatewayOf(), httpRoute(), east()],
      west: [gatewayOf("elsewhere"), httpRoute(), west()],
    });
    const notice = only(result.diagnostics.filter((d) => d.code === "NoMatchingParent"));
    expect(notice).toMatchObject({ severity: "notice", source: { cluster: "west" }, field: "spec.parentRefs[0].name" });
    expect(notice.message).toContain("Gateway shop/edge is not in cluster west's input");
    expect(notice.message).toContain("ours: shop/elsewhere");
    expect(only(result.admitted).backends[0]?.endpoints.map((e) => e.cluster)).toEqual(["east"]);
  });

  it("are granted a cross-namespace backend only by a ReferenceGrant of their own cluster", () => {
    const crossRoute = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "cross", namespace: "shop", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: {
        parentRefs: [{ name: "edge" }],
        hostnames: ["cross.example.com"],
        rules: [{ backendRefs: [{ name: "web", namespace: "other", port: 80 }] }],
      },
    };
    const grant = {
      apiVersion: "gateway.networking.k8s.io/v1beta1",
      kind: "ReferenceGrant",
      metadata: { name: "allow", namespace: "other" },
      spec: {
        from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "shop" }],
        to: [{ group: "", kind: "Service" }],
      },
    };
    const result = compileClusters({
      east: [gatewayOf(), crossRoute, service("web", { namespace: "other" }), grant],
      west: [gatewayOf(), crossRoute, service("web", { namespace: "other", ip: "198.51.100.20" })],
    });
    const cross = only(result.admitted);
    expect(cross.backends.map((b) => [b.invalid === undefined, b.endpoints.map((e) => e.cluster)])).toEqual([
      [true, ["east"]],
    ]);
    const refused = result.diagnostics.find((d) => d.code === "RefNotPermitted");
    expect(refused).toMatchObject({ source: { cluster: "west" } });
  });
});
