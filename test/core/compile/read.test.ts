import { describe, expect, it } from "vitest";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import type { SourceObject } from "../../../worker/core/compile/types.ts";
import { only, problems, route, run, service } from "./fixtures.ts";

describe("read", () => {
  it("reads a Route and its LoadBalancer Service, ignoring status and managedFields", () => {
    const result = run([route("web"), service("web")]);
    expect(problems(result)).toEqual([]);
    const r = only(result.admitted);
    expect(r).toMatchObject({ id: "shop/web", kind: "Route", host: "web.example.com", path: "", match: "prefix" });
    expect(r.backends).toEqual([
      {
        service: "shop/web",
        weight: 100,
        id: expect.stringMatching(/^[0-9a-f]{8}$/),
        endpoints: [{ scheme: "http", host: "203.0.113.10", port: 80 }],
      },
    ]);
  });

  it("unpacks typed lists as the API returns them (RouteList, ServiceList: items without kind), the same way the CLI does", () => {
    const strip = (o: unknown): unknown => {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = o as Record<string, unknown>;
      return rest;
    };
    const routes = { apiVersion: "route.openshift.io/v1", kind: "RouteList", items: [strip(route("web"))] };
    const services = { apiVersion: "v1", kind: "ServiceList", items: [strip(service("web"))] };
    const result = compile(
      [
        { source: { file: "routes.json", doc: 0 }, object: routes },
        { source: { file: "services.json", doc: 0 }, object: services },
      ],
      DEFAULT_COMPILE_OPTIONS,
    );
    expect(problems(result)).toEqual([]);
    expect(only(result.admitted)).toMatchObject({ id: "shop/web", kind: "Route" });
  });

  it("unpacks kind: List objects, with the item index and line lookups re-rooted at items[i]", () => {
    const list = { apiVersion: "v1", kind: "List", items: [service("web"), route("web", { host: "Bad_Host" })] };
    const asked: string[] = [];
    const objects: SourceObject[] = [
      {
        source: { file: "all.yaml", doc: 0 },
        object: list,
        lineOf: (f) => (asked.push(f), f === "items[1].spec.host" ? 42 : undefined),
      },
    ];
    const result = compile(objects, DEFAULT_COMPILE_OPTIONS);
    const d = only(problems(result));
    expect(d).toMatchObject({
      code: "InvalidHost",
      object: "Route shop/web",
      field: "spec.host",
      source: { file: "all.yaml", doc: 0, item: 1, line: 42 },
    });
    expect(asked).toContain("items[1].spec.host");
  });

  it("skips other kinds and other apiVersions with a notice", () => {
    const result = run([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "shop" } },
      { apiVersion: "networking.k8s.io/v1beta1", kind: "Ingress", metadata: { name: "old", namespace: "shop" } },
    ]);
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.object])).toEqual([
      ["notice", "SkippedKind", "ConfigMap shop/x"],
      ["notice", "SkippedKind", "Ingress shop/old"],
    ]);
    expect(result.diagnostics[0]?.message).toContain("route.openshift.io/v1 Route");
  });

  it("skips empty documents silently and rejects non-objects and objects without kind or name", () => {
    const result = run([
      null,
      "just text",
      { apiVersion: "v1", metadata: { name: "x" } },
      { apiVersion: "route.openshift.io/v1", kind: "Route", metadata: {} },
    ]);
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.field, d.source.doc])).toEqual([
      ["error", "InvalidField", "", 1],
      ["error", "MissingField", "kind", 2],
      ["error", "MissingField", "metadata.name", 3],
    ]);
  });

  it("reports a duplicate object once and keeps the first copy in source order, whatever the input order", () => {
    const first = route("web", { host: "one.example.com" });
    const second = route("web", { host: "two.example.com" });
    const objects: SourceObject[] = [
      { source: { file: "b.yaml", doc: 0 }, object: second },
      { source: { file: "a.yaml", doc: 0 }, object: first },
      { source: { file: "a.yaml", doc: 1 }, object: service("web") },
    ];
    const result = compile(objects, DEFAULT_COMPILE_OPTIONS);
    const d = only(problems(result));
    expect(d).toMatchObject({
      severity: "error",
      code: "DuplicateObject",
      object: "Route shop/web",
      source: { file: "b.yaml" },
    });
    expect(d.message).toContain("a.yaml");
    expect(only(result.admitted).host).toBe("one.example.com");
  });

  it("refuses non-string annotation values (an unquoted YAML boolean)", () => {
    const r = route("web");
    (r.metadata as Record<string, unknown>).annotations = { "haproxy.router.openshift.io/disable_cookies": true };
    const d = only(problems(run([r, service("web")])));
    expect(d).toMatchObject({
      code: "InvalidAnnotation",
      field: 'metadata.annotations["haproxy.router.openshift.io/disable_cookies"]',
    });
    expect(d.message).toContain("quote");
  });

  it("reads objects without a namespace in default", () => {
    const r = route("web");
    delete (r.metadata as Record<string, unknown>).namespace;
    const s = service("web");
    delete (s.metadata as Record<string, unknown>).namespace;
    expect(only(run([r, s]).admitted).id).toBe("default/web");
  });
});
