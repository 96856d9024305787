import { describe, expect, it } from "vitest";
import { compile, DEFAULT_COMPILE_OPTIONS, STAGES } from "../../../worker/core/compile/index.ts";
import { route, run, service, sources } from "./fixtures.ts";

describe("compile", () => {
  it("has the documented defaults and stage order", () => {
    expect(DEFAULT_COMPILE_OPTIONS).toEqual({
      target: "local",
      ingressClass: "edgeroute",
      interNamespaceAllowed: false,
      allowWildcards: false,
      allowPrivateEndpoints: false,
      zones: [],
      notFound: 503,
      requiredHsts: [],
      clusterRouters: {},
      resolve: {},
    });
    expect(STAGES.map((s) => s.name)).toEqual(["read", "validate", "resolve", "merge", "admit", "build"]);
  });

  it("reports every problem of a run, drops only the offending objects, and never throws on garbage", () => {
    const result = run([
      route("good"),
      route("bad-host", { host: "BAD" }),
      route("bad-weight", { weight: 999, annotations: { "haproxy.router.openshift.io/timeout": "soon" } }),
      route("no-service", { service: "missing" }),
      42,
      {
        apiVersion: "route.openshift.io/v1",
        kind: "Route",
        metadata: { name: "weird", namespace: "shop" },
        spec: "nonsense",
      },
      {
        apiVersion: "route.openshift.io/v1",
        kind: "Route",
        metadata: { name: "weirder", namespace: "shop" },
        spec: { host: 7, to: [], tls: "yes", path: {}, alternateBackends: "x", httpHeaders: { actions: 5 } },
      },
      service("web"),
    ]);
    expect(result.admitted.map((r) => r.id)).toEqual(["shop/good"]);
    expect(result.diagnostics.map((d) => [d.source.doc, d.severity, d.code])).toEqual([
      [1, "error", "InvalidHost"],
      [2, "error", "WeightOutOfRange"],
      [2, "warning", "InvalidAnnotation"],
      [3, "error", "ServiceNotFound"],
      [4, "error", "InvalidField"],
      [5, "error", "NoHostValue"],
      [5, "error", "MissingField"],
      [6, "error", "InvalidHost"],
      [6, "error", "InvalidField"],
      [6, "error", "MissingField"],
      [6, "error", "InvalidField"],
    ]);
    for (const d of result.diagnostics) {
      expect(d.message.length).toBeGreaterThan(20);
      expect(d.source.file).toBe("routes.yaml");
    }
  });

  it("does not depend on the order of its input", () => {
    const objects = sources([
      route("a", { host: "x.example.com" }),
      route("b", { host: "x.example.com" }),
      service("web"),
    ]);
    const forward = compile(objects, DEFAULT_COMPILE_OPTIONS);
    const backward = compile([...objects].reverse(), DEFAULT_COMPILE_OPTIONS);
    expect(backward).toEqual(forward);
  });
});
