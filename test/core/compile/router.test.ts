import { describe, expect, it } from "vitest";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import { parseShard, serializeTable } from "../../../worker/core/table/index.ts";
import type { CompileOptions, SourceObject } from "../../../worker/core/compile/types.ts";
import { ingress, only, problems, route, rule, run, service, sources } from "./fixtures.ts";

type Json = Record<string, unknown>;

/** A ClusterIP Service as `oc get service -o yaml` prints it. */
function clusterIp(name: string, namespace = "shop"): Json {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, resourceVersion: "4711", managedFields: [{ manager: "kube-controller-manager" }] },
    spec: {
      type: "ClusterIP",
      clusterIP: "172.30.12.34",
      clusterIPs: ["172.30.12.34"],
      ports: [{ name: "http", port: 8080, targetPort: 8080, protocol: "TCP" }],
    },
    status: { loadBalancer: {} },
  };
}

/** A `status.ingress[]` entry as the router writes it. */
function admittedBy(
  routerName: string,
  canonical: string | undefined,
  host: string,
  status = "True",
  reason?: string,
): Json {
  return {
    host,
    routerName,
    ...(canonical === undefined ? {} : { routerCanonicalHostname: canonical }),
    wildcardPolicy: "None",
    conditions: [
      {
        type: "Admitted",
        status,
        lastTransitionTime: "2026-01-01T00:00:00Z",
        ...(reason === undefined ? {} : { reason, message: `route ${reason.toLowerCase()}` }),
      },
    ],
  };
}

function withStatus(r: Json, entries: Json[]): Json {
  return { ...r, status: { ingress: entries } };
}

const EAST = "router-default.apps.east.example.com";

describe("routes whose Services have no address of their own go to the cluster's router", () => {
  it("hands an admitted Route to every admitting router (shards), over HTTPS for TLS routes, with no edge cookie", () => {
    const r = route("web", {
      host: "web.apps.east.example.com",
      tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
      spec: { alternateBackends: [{ kind: "Service", name: "web-green", weight: 10 }] },
    });
    const result = run(
      [
        withStatus(r, [
          admittedBy("default", EAST, "web.apps.east.example.com"),
          admittedBy("internal", "router-internal.apps.east.example.com", "web.apps.east.example.com"),
        ]),
        clusterIp("web"),
        clusterIp("web-green"),
      ],
      { target: "remote" },
    );
    expect(problems(result)).toEqual([]);
    const compiled = only(result.admitted);
    expect(compiled.cookie).toBeNull();
    expect(compiled.backends).toEqual([
      {
        service: "cluster-router/default, internal",
        weight: 100,
        id: expect.any(String),
        router: { name: "default, internal", from: "status" },
        endpoints: [
          { scheme: "https", host: EAST, port: 443 },
          { scheme: "https", host: "router-internal.apps.east.example.com", port: 443 },
        ],
      },
    ]);
  });

  it("hands a Route whose Services are not in the input (an export of routes only) to the router that admitted it", () => {
    const r = route("web", { host: "web.apps.east.example.com" });
    const result = run([withStatus(r, [admittedBy("default", EAST, "web.apps.east.example.com")])], {
      target: "remote",
    });
    expect(problems(result)).toEqual([]);
    expect(only(result.diagnostics)).toMatchObject({
      severity: "notice",
      code: "ServiceNotFound",
      field: "spec.to.name",
    });
    expect(only(result.admitted).backends[0]?.endpoints).toEqual([{ scheme: "http", host: EAST, port: 80 }]);
    // Without a router that admitted it, the missing Service is the one problem named.
    const alone = run([
      withStatus(r, [admittedBy("default", EAST, "web.apps.east.example.com", "False", "HostAlreadyClaimed")]),
    ]);
    expect(only(problems(alone))).toMatchObject({ severity: "error", code: "ServiceNotFound" });
  });

  it("reaches a plain route on the router's HTTP side (port 80)", () => {
    const r = withStatus(route("web", { host: "web.example.com" }), [admittedBy("default", EAST, "web.example.com")]);
    const compiled = only(run([r, clusterIp("web")], { target: "remote" }).admitted);
    expect(compiled.backends[0]?.endpoints).toEqual([{ scheme: "http", host: EAST, port: 80 }]);
  });

  it("reports a Route the router did not admit with the router's reason, and does not serve it", () => {
    const r = withStatus(route("web", { host: "web.example.com" }), [
      admittedBy("default", EAST, "web.example.com", "False", "HostAlreadyClaimed"),
    ]);
    const result = run([r, clusterIp("web")]);
    expect(result.admitted).toEqual([]);
    const warning = only(problems(result));
    expect(warning).toMatchObject({ severity: "warning", code: "RouteNotAdmitted", field: "status.ingress" });
    expect(warning.message).toContain("router default: Admitted=False (HostAlreadyClaimed: route hostalreadyclaimed)");
    expect(only(result.rejected)).toMatchObject({ object: "Route shop/web", reason: "RouteNotAdmitted" });
  });

  it("uses only the routers that admitted the Route, and ignores entries left over for another host", () => {
    const r = withStatus(route("web", { host: "web.example.com" }), [
      admittedBy("default", EAST, "old.example.com"),
      admittedBy("sharded", "router-sharded.apps.east.example.com", "web.example.com"),
      admittedBy("internal", "router-internal.apps.east.example.com", "web.example.com", "False", "RouteNotAdmitted"),
    ]);
    const compiled = only(run([r, clusterIp("web")]).admitted);
    expect(compiled.backends[0]?.router).toEqual({ name: "sharded", from: "status" });
    expect(compiled.backends[0]?.endpoints.map((e) => e.host)).toEqual(["router-sharded.apps.east.example.com"]);
  });

  it("explains a router that admitted the Route without a canonical host name", () => {
    const r = withStatus(route("web", { host: "web.example.com" }), [
      admittedBy("default", undefined, "web.example.com"),
    ]);
    const result = run([r, clusterIp("web")]);
    expect(result.admitted).toEqual([]);
    expect(problems(result).map((d) => [d.severity, d.code, d.field])).toEqual([
      ["warning", "InvalidField", "status.ingress[0].routerCanonicalHostname"],
      ["warning", "RouteNotAdmitted", "status.ingress"],
    ]);
  });

  it("without status, uses the cluster router option, per cluster first; without either the route is not served", () => {
    const bare = (name: string): Json => {
      const r = route(name, { host: `${name}.example.com`, service: name });
      delete r.status;
      return r;
    };
    const objects: SourceObject[] = [
      ...sources([bare("a"), clusterIp("a")], "east.yaml").map((o) => ({
        ...o,
        source: { ...o.source, cluster: "east" },
      })),
      ...sources([bare("b"), clusterIp("b")], "plain.yaml"),
    ];
    const options: CompileOptions = { ...DEFAULT_COMPILE_OPTIONS, target: "remote" };
    const none = compile(objects, options);
    expect(none.admitted).toEqual([]);
    const east = problems(none).find((d) => d.object.endsWith("(cluster east)"));
    const plain = problems(none).find((d) => !d.object.endsWith("(cluster east)"));
    expect(east?.message).toContain("--cluster-router east=HOST");
    expect(plain?.message).toContain("--cluster-router HOST");
    const both = compile(objects, { ...options, clusterRouters: { east: EAST, "": "Router.Example.com" } });
    expect(problems(both)).toEqual([]);
    expect(both.admitted.map((r) => [r.id, r.backends[0]?.router, r.backends[0]?.endpoints[0]?.host])).toEqual([
      ["shop/a", { name: EAST, from: "option" }, EAST],
      ["shop/b", { name: "router.example.com", from: "option" }, "router.example.com"],
    ]);
  });

  it("takes the object's status before the option, and a Service's own load balancer before both", () => {
    const options = { clusterRouters: { "": "option.example.com" } };
    const admitted = withStatus(route("web", { host: "web.example.com" }), [
      admittedBy("default", EAST, "web.example.com"),
    ]);
    expect(only(run([admitted, clusterIp("web")], options).admitted).backends[0]?.router).toEqual({
      name: "default",
      from: "status",
    });
    const own = only(run([admitted, service("web")], options).admitted);
    expect(own.backends[0]?.router).toBeUndefined();
    expect(own.backends[0]?.endpoints).toEqual([{ scheme: "http", host: "203.0.113.10", port: 80 }]);
    expect(own.cookie).not.toBeNull();
  });

  it("hands a route with mixed backends (a load balancer and a ClusterIP Service) whole to the router", () => {
    const r = withStatus(
      route("web", {
        host: "web.example.com",
        spec: { alternateBackends: [{ kind: "Service", name: "green", weight: 50 }] },
      }),
      [admittedBy("default", EAST, "web.example.com")],
    );
    const compiled = only(run([r, service("web"), clusterIp("green")], { target: "remote" }).admitted);
    expect(compiled.backends.map((b) => [b.service, b.weight, b.endpoints])).toEqual([
      ["cluster-router/default", 100, [{ scheme: "http", host: EAST, port: 80 }]],
    ]);
  });

  it("serves an Ingress through its own status.loadBalancer.ingress, over HTTPS when it has TLS", () => {
    const ing = {
      ...ingress("api", {
        tls: [{ hosts: ["api.example.com"] }],
        rules: [rule("api.example.com", [{ port: { number: 8080 } }])],
      }),
      status: { loadBalancer: { ingress: [{ hostname: EAST }, { ip: "203.0.113.50" }] } },
    };
    const compiled = only(run([ing, clusterIp("web")]).admitted);
    expect(compiled.backends[0]?.router).toEqual({ name: `${EAST}, 203.0.113.50`, from: "status" });
    expect(compiled.backends[0]?.endpoints).toEqual([
      { scheme: "https", host: EAST, port: 443 },
      { scheme: "https", host: "203.0.113.50", port: 443 },
    ]);
    // For a deployed Worker, router endpoints pass the same reachability rules as any endpoint (no IP addresses).
    const remote = only(problems(run([ing, clusterIp("web")], { target: "remote" })));
    expect(remote).toMatchObject({ code: "UnreachableEndpoint", field: "status.loadBalancer.ingress" });
    expect(remote.message).toContain("is served by cluster router");
    expect(remote.message).toContain("https://203.0.113.50:443");
    const bare = run([
      ingress("api", { rules: [rule("api.example.com", [{ port: { number: 8080 } }])] }),
      clusterIp("web"),
    ]);
    expect(only(problems(bare))).toMatchObject({ code: "RouteNotAdmitted", field: "status.loadBalancer.ingress" });
  });

  it("checks router addresses like any endpoint: never metadata or link-local, loopback only locally", () => {
    const at = (canonical: string): Json =>
      withStatus(route("web", { host: "web.example.com" }), [admittedBy("default", canonical, "web.example.com")]);
    const metadata = only(problems(run([at("169.254.169.254"), clusterIp("web")])));
    expect(metadata).toMatchObject({
      severity: "error",
      code: "ForbiddenEndpoint",
      field: "status.ingress[0].routerCanonicalHostname",
    });
    expect(metadata.message).toContain("cluster router default");
    expect(only(problems(run([at("127.0.0.1"), clusterIp("web")], { target: "remote" }))).code).toBe(
      "ForbiddenEndpoint",
    );
    const option = run([{ ...route("web"), status: {} }, clusterIp("web")], {
      target: "remote",
      clusterRouters: { "": "metadata.google.internal" },
    });
    expect(only(problems(option)).code).toBe("ForbiddenEndpoint");
  });

  it("maps a router name to a local stand-in with the resolve option, for a local table only", () => {
    const r = withStatus(route("web", { host: "web.example.com", tls: { termination: "edge" } }), [
      admittedBy("default", EAST, "web.example.com"),
    ]);
    const resolve = { [EAST]: { address: "127.0.0.2", port: 9080 } };
    const local = only(run([r, clusterIp("web")], { resolve }).admitted);
    expect(local.backends[0]?.endpoints).toEqual([{ scheme: "http", host: "127.0.0.2", port: 9080 }]);
    expect(local.backends[0]?.router).toEqual({ name: "default", from: "status" });
    const remote = only(run([r, clusterIp("web")], { resolve, target: "remote" }).admitted);
    expect(remote.backends[0]?.endpoints).toEqual([{ scheme: "https", host: EAST, port: 443 }]);
  });

  it("treats NodePort and still-pending LoadBalancer Services like ClusterIP ones", () => {
    const r = withStatus(route("web", { host: "web.example.com" }), [admittedBy("default", EAST, "web.example.com")]);
    const nodePort = { ...clusterIp("web"), spec: { type: "NodePort", ports: [{ port: 8080, nodePort: 30080 }] } };
    expect(only(run([r, nodePort]).admitted).backends[0]?.router).toEqual({ name: "default", from: "status" });
    expect(only(run([r, service("web", { noAddress: true })]).admitted).backends[0]?.router).toEqual({
      name: "default",
      from: "status",
    });
  });

  it("maps a load balancer's name with the resolve option too", () => {
    const resolve = { "lb.example.net": { address: "127.0.0.3", port: 9081 } };
    const compiled = only(run([route("web"), service("web", { hostname: "LB.example.net" })], { resolve }).admitted);
    expect(compiled.backends[0]?.endpoints).toEqual([{ scheme: "http", host: "127.0.0.3", port: 9081 }]);
    expect(compiled.backends[0]?.router).toBeUndefined();
  });

  it("publishes the router in the table and reads it back", () => {
    const r = withStatus(route("web", { host: "web.example.com" }), [admittedBy("default", EAST, "web.example.com")]);
    const result = run([r, clusterIp("web")]);
    const serialized = serializeTable(result.table, (text) => String(text.length));
    const parsed = parseShard(serialized.shards[0] ?? "");
    if ("error" in parsed) throw new Error(parsed.error);
    expect(parsed.shard.hosts["web.example.com"]?.[0]).toEqual(only(result.admitted));
  });
});
