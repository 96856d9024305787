import { describe, expect, it } from "vitest";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import { globMatch } from "../../../worker/core/compile/hsts.ts";
import { ingress, route, rule, service, sources } from "./fixtures.ts";

/** Seeded generator of arbitrary JSON-like values (including wrong types everywhere). */
function generator(seed: number): () => unknown {
  let state = seed >>> 0;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const value = (depth: number): unknown => {
    switch (next(depth > 2 ? 6 : 8)) {
      case 0:
        return null;
      case 1:
        return next(2) === 0;
      case 2:
        return [0, -1, 1.5, 256, 257, 65536, 1e300][next(7)];
      case 3:
        return ["", " ", "/", "#", "*.x", "Service", "edge", "passthrough", "%[x]", "a".repeat(300), "ÄÖ", "\u0000"][
          next(12)
        ];
      case 4:
        return undefined;
      case 5:
        return "shop.example.com";
      case 6:
        return Array.from({ length: next(4) }, () => value(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: next(4) }, (_, i) => [
            ["host", "path", "to", "tls", "name", "weight", "port", "value", "type"][next(9)] ?? `k${i}`,
            value(depth + 1),
          ]),
        );
    }
  };
  return () => value(0);
}

/** Replace the value at a dotted path of a deep copy. */
function mutate(object: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(object);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== "object" || next === null) return copy;
    at = next as Record<string, unknown>;
  }
  at[path[path.length - 1] as string] = value;
  return copy;
}

const ROUTE_PATHS = [
  "spec",
  "spec.host",
  "spec.path",
  "spec.to",
  "spec.to.name",
  "spec.to.weight",
  "spec.tls",
  "spec.port",
  "spec.alternateBackends",
  "spec.httpHeaders",
  "metadata",
  "metadata.name",
  "metadata.annotations",
  "metadata.creationTimestamp",
  "spec.wildcardPolicy",
  "spec.subdomain",
];
const INGRESS_PATHS = [
  "spec",
  "spec.rules",
  "spec.tls",
  "spec.defaultBackend",
  "spec.ingressClassName",
  "metadata.annotations",
];
const SERVICE_PATHS = ["spec", "spec.type", "spec.ports", "spec.externalName", "status", "status.loadBalancer"];

describe("robustness", () => {
  it("never throws, whatever the values at any field, and keeps the table consistent with what it admitted", () => {
    const random = generator(42);
    const baseRoute = route("web", { tls: { termination: "edge" } });
    const baseIngress = ingress("ing", { rules: [rule("a.example.com")], tls: [{ hosts: ["a.example.com"] }] });
    const baseService = service("web");
    for (let i = 0; i < 400; i++) {
      const pick = <T>(items: T[]): T => items[i % items.length] as T;
      const objects = [
        mutate(baseRoute, pick(ROUTE_PATHS).split("."), random()),
        mutate(baseIngress, pick(INGRESS_PATHS).split("."), random()),
        mutate(baseService, pick(SERVICE_PATHS).split("."), random()),
        random(),
      ];
      const result = compile(sources(objects), {
        ...DEFAULT_COMPILE_OPTIONS,
        requiredHsts: [{ domainPatterns: ["*.example.com"] }],
      });
      for (const d of result.diagnostics) {
        expect(d.message.length).toBeGreaterThan(0);
        expect(d.message.length).toBeLessThan(1200);
      }
      expect(result.table.index.routeCount).toBe(result.admitted.length);
    }
  });

  it("reports cyclic values instead of failing on them", () => {
    const r = route("web");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    (r.spec as Record<string, unknown>).host = cyclic;
    const result = compile(sources([r, service("web")]), DEFAULT_COMPILE_OPTIONS);
    expect(result.diagnostics[0]).toMatchObject({ code: "InvalidHost", field: "spec.host" });
  });

  it("treats a malformed HSTS domain pattern as matching nothing", () => {
    expect(globMatch("[z-a].example.com", "b.example.com")).toBe(false);
  });
});
