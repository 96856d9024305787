/**
 * Canary annotations in the compiler: Route `edgeroute.dev/canary-*` and ingress-nginx canary Ingresses, and the
 * errors that name the annotation and say what is allowed.
 */
import { describe, expect, it } from "vitest";
import { backendId } from "../../../worker/core/table/defaults.ts";
import { ingress, only, problems, route, rule, run, service } from "./fixtures.ts";

const twoBackends = { spec: { alternateBackends: [{ kind: "Service", name: "green", weight: 0 }] } };

describe("Route canary annotations", () => {
  it("compile into the route's canary, naming the backend by its id", () => {
    const result = run([
      route("web", {
        ...twoBackends,
        annotations: {
          "edgeroute.dev/canary-backend": "green",
          "edgeroute.dev/canary-by-header": "X-Canary",
          "edgeroute.dev/canary-by-header-pattern": "^b",
          "edgeroute.dev/canary-by-cookie": "canary",
          "edgeroute.dev/canary-by-query": "beta",
        },
      }),
      service("web"),
      service("green"),
    ]);
    expect(problems(result)).toEqual([]);
    expect(only(result.admitted).canary).toEqual({
      backend: backendId("shop/green"),
      header: { name: "x-canary", pattern: "^b" },
      cookie: "canary",
      query: { name: "beta" },
    });
  });

  it.each([
    [{ "edgeroute.dev/canary-by-header": "X-Canary" }, "edgeroute.dev/canary-backend", "is missing"],
    [
      { "edgeroute.dev/canary-backend": "nope", "edgeroute.dev/canary-by-header": "X-Canary" },
      "edgeroute.dev/canary-backend",
      "is not a backend of the Route",
    ],
    [
      { "edgeroute.dev/canary-backend": "green" },
      "edgeroute.dev/canary-backend",
      "needs edgeroute.dev/canary-by-header",
    ],
    [
      {
        "edgeroute.dev/canary-backend": "green",
        "edgeroute.dev/canary-by-header": "X-Canary",
        "edgeroute.dev/canary-by-header-pattern": "(",
      },
      "edgeroute.dev/canary-by-header-pattern",
      "is not a regular expression",
    ],
  ])("refuses %j", (annotations, name, message) => {
    const result = run([route("web", { ...twoBackends, annotations }), service("web"), service("green")]);
    const d = only(problems(result));
    expect(d).toMatchObject({ severity: "error", code: "InvalidAnnotation", field: `metadata.annotations["${name}"]` });
    expect(d.message).toContain(message);
    expect(result.admitted).toEqual([]);
  });
});

describe("ingress-nginx canary Ingress", () => {
  const canary = (annotations: Record<string, string>) =>
    ingress(
      "app-canary",
      { rules: [rule("app.example.com", [{ path: "/", service: "green" }])] },
      {
        annotations: { "nginx.ingress.kubernetes.io/canary": "true", ...annotations },
      },
    );

  it("joins the primary's route with weight 0 and its rules", () => {
    const result = run([
      ingress("app", { rules: [rule("app.example.com", [{ path: "/", service: "web" }])] }),
      canary({
        "nginx.ingress.kubernetes.io/canary-by-header": "X-Canary",
        "nginx.ingress.kubernetes.io/canary-weight": "10",
      }),
      service("web"),
      service("green"),
    ]);
    expect(problems(result)).toEqual([]);
    const admitted = only(result.admitted);
    expect(admitted.backends.map((b) => [b.service, b.weight])).toEqual([
      ["shop/web", 100],
      ["shop/green", 0],
    ]);
    expect(admitted.canary).toEqual({
      backend: backendId("shop/green"),
      header: { name: "x-canary" },
      weight: { weight: 10, total: 100 },
    });
  });

  it("without a primary for the same host and path is reported and not served", () => {
    const result = run([canary({}), service("green")]);
    const d = only(problems(result));
    expect(d).toMatchObject({ severity: "warning", code: "RouteNotAdmitted" });
    expect(d.message).toContain("no primary Ingress serves app.example.com");
    expect(result.admitted).toEqual([]);
  });

  it("refuses a canary weight above the total", () => {
    const result = run([
      ingress("app", { rules: [rule("app.example.com", [{ path: "/", service: "web" }])] }),
      canary({
        "nginx.ingress.kubernetes.io/canary-weight": "30",
        "nginx.ingress.kubernetes.io/canary-weight-total": "20",
      }),
      service("web"),
      service("green"),
    ]);
    expect(only(problems(result)).message).toBe("must be an integer from 0 to 20");
  });
});
