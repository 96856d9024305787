/**
 * Gateway API compile rules beyond the conformance case table: what is refused and how, listener and
 * allowedRoutes details, timeouts and mirror fractions, and the docs/gateway-api.md example.
 */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import { plainRequest, resolveRoute, tableLookup, type RequestFacts } from "../../../worker/core/index.ts";
import type { CompileResult } from "../../../worker/core/compile/types.ts";

function run(text: string, gatewayClass?: string): CompileResult {
  const objects = parseAllDocuments(text).map((doc, i) => ({
    source: { file: "g.yaml", doc: i },
    object: doc.toJSON(),
  }));
  return compile(objects, { ...DEFAULT_COMPILE_OPTIONS, ...(gatewayClass === undefined ? {} : { gatewayClass }) });
}

const SERVICES = ["foo-svc", "foo-svc-canary"]
  .map(
    (name) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {type: LoadBalancer, ports: [{name: http, port: 8080}]}
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}]}}
`,
  )
  .join("");

const gateway = (listener = "{name: http, protocol: HTTP, port: 80}", cls = "edgeroute") => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: example-gateway, namespace: default}
spec:
  gatewayClassName: ${cls}
  listeners: [${listener}]
`;

const route = (rules: string, extra = "") => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: foo-route, namespace: default}
spec:
  parentRefs: [{name: example-gateway}]
  hostnames: ["foo.example.com"]
${extra}  rules:
${rules}`;

const headers = (h: Record<string, string>): RequestFacts => ({
  ...plainRequest(),
  header: (name) => h[name] ?? null,
});

describe("the docs/gateway-api.md example", () => {
  it("pushes and serves /login and the env: canary header as documented", () => {
    const result = run(
      gateway() +
        route(`  - matches: [{path: {type: PathPrefix, value: /login}}]
    backendRefs: [{name: foo-svc, port: 8080}]
  - matches: [{headers: [{type: Exact, name: env, value: canary}]}]
    backendRefs: [{name: foo-svc-canary, port: 8080}]
`) +
        SERVICES,
    );
    expect(result.diagnostics).toEqual([]);
    const lookup = tableLookup(result.table.shards);
    const serve = (path: string, facts?: RequestFacts) => {
      const r = resolveRoute(lookup, "foo.example.com", path, false, facts);
      return r.outcome === "none" ? "none" : r.route.backends[0]?.service;
    };
    expect(serve("/login/x")).toBe("default/foo-svc");
    expect(serve("/", headers({ env: "canary" }))).toBe("default/foo-svc-canary");
    expect(serve("/")).toBe("none");
    expect(resolveRoute(lookup, "foo.example.com", "/login", true).outcome).toBe("none");
  });
});

describe("refused with UnsupportedValue, the route not accepted", () => {
  it.each([
    [
      "a RegularExpression path",
      `  - matches: [{path: {type: RegularExpression, value: "/v[0-9]+"}}]\n`,
      "RegularExpression path matches are not supported",
    ],
    [
      "a RegularExpression header",
      `  - matches: [{headers: [{type: RegularExpression, name: a, value: "b.*"}]}]\n`,
      "header matches are not supported; use Exact",
    ],
    [
      "backendRef filters",
      `  - backendRefs: [{name: foo-svc, port: 8080, filters: [{type: RequestHeaderModifier}]}]\n`,
      "backendRef-level filters are not supported",
    ],
    ["a CORS filter", `  - filters: [{type: CORS}]\n`, 'filter type "CORS" is not supported'],
    [
      "a redirect with backendRefs",
      `  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]\n    backendRefs: [{name: foo-svc, port: 8080}]\n`,
      "may not have backendRefs",
    ],
    [
      "ReplacePrefixMatch on an Exact match",
      `  - matches: [{path: {type: Exact, value: /a}}]\n    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]\n    backendRefs: [{name: foo-svc, port: 8080}]\n`,
      "ReplacePrefixMatch needs every match",
    ],
  ])("%s", (_, rules, message) => {
    const result = run(gateway() + route(rules) + SERVICES);
    const problem = result.diagnostics.find((d) => d.code === "UnsupportedValue");
    expect(problem?.severity).toBe("warning");
    expect(problem?.message).toContain(message);
    expect(result.admitted).toEqual([]);
    expect(result.gatewayStatus[0]?.conditions[0]).toMatchObject({
      type: "Accepted",
      status: "False",
      reason: "UnsupportedValue",
    });
  });
});

describe("listeners", () => {
  it("a Gateway of another class is skipped with a notice; --gateway-class serves it", () => {
    const text = gateway(undefined, "mine") + route("  - backendRefs: [{name: foo-svc, port: 8080}]\n") + SERVICES;
    const skipped = run(text);
    expect(skipped.diagnostics.map((d) => d.code)).toEqual(["SkippedGatewayClass", "NoMatchingParent"]);
    expect(skipped.admitted).toEqual([]);
    expect(run(text, "mine").admitted.map((r) => r.host)).toEqual(["foo.example.com"]);
  });

  it("an HTTPS listener on another port is served on 443 with a notice, and selected by its own port", () => {
    const result = run(
      gateway("{name: tls, protocol: HTTPS, port: 8443}") +
        route("  - backendRefs: [{name: foo-svc, port: 8080}]\n").replace(
          "[{name: example-gateway}]",
          "[{name: example-gateway, port: 8443}]",
        ) +
        SERVICES,
    );
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([["notice", "UnsupportedValue"]]);
    expect(result.admitted[0]?.tls).toEqual({ termination: "edge", insecure: "None" });
  });

  it("a TCP listener is not used", () => {
    const result = run(
      gateway("{name: tcp, protocol: TCP, port: 9000}") +
        route("  - backendRefs: [{name: foo-svc, port: 8080}]\n") +
        SERVICES,
    );
    expect(result.diagnostics[0]).toMatchObject({
      severity: "warning",
      code: "UnsupportedValue",
      field: "spec.listeners[0].protocol",
    });
    expect(result.gatewayStatus[0]?.conditions[0]?.reason).toBe("NoMatchingParent");
  });

  it("allowedRoutes Selector matchExpressions and kinds", () => {
    const listener = (selector: string, kinds = "") =>
      `{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: Selector, selector: ${selector}}${kinds}}}`;
    const text = (l: string) => gateway(l) + route("  - backendRefs: [{name: foo-svc, port: 8080}]\n") + SERVICES;
    const inDefault = "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [default]}]}";
    expect(run(text(listener(inDefault))).admitted).toHaveLength(1);
    expect(
      run(text(listener("{matchExpressions: [{key: team, operator: Exists}]}"))).gatewayStatus[0]?.conditions[0]
        ?.reason,
    ).toBe("NotAllowedByListeners");
    expect(run(text(listener(inDefault, ", kinds: [{kind: GRPCRoute}]"))).gatewayStatus[0]?.conditions[0]?.reason).toBe(
      "NotAllowedByListeners",
    );
  });

  it("neither listener nor route hostname: the route serves the catch-all host, below every named host", () => {
    const result = run(
      gateway() +
        route("  - backendRefs: [{name: foo-svc, port: 8080}]\n").replace('  hostnames: ["foo.example.com"]\n', "") +
        SERVICES,
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.admitted.map((r) => [r.id, r.host])).toEqual([["default/foo-route#0.0", "*"]]);
    expect(Object.keys(result.table.shards[0]?.hosts ?? {})).toEqual(["*"]);
  });
});

describe("backendRefs to Services that exist only inside their cluster", () => {
  it.each(["ClusterIP", "NodePort"])(
    "a %s Service is refused with how to fix it (500 for its share), with or without a cluster router",
    (type) => {
      const text =
        gateway() +
        route("  - backendRefs: [{name: internal, port: 8080}]\n") +
        `---
apiVersion: v1
kind: Service
metadata: {name: internal, namespace: default}
spec: {type: ${type}, clusterIP: 10.0.0.5, ports: [{name: http, port: 8080}]}
`;
      for (const options of [{}, { clusterRouters: { "": "router.apps.example.com" } }]) {
        const objects = parseAllDocuments(text).map((doc, i) => ({
          source: { file: "g.yaml", doc: i },
          object: doc.toJSON(),
        }));
        const result = compile(objects, { ...DEFAULT_COMPILE_OPTIONS, ...options });
        const warning = result.diagnostics.find((d) => d.code === "BackendNotFound");
        expect(warning).toMatchObject({ severity: "warning", field: "spec.rules[0].backendRefs[0].name" });
        expect(warning?.message).toContain(`Service default/internal is of type ${type}`);
        expect(warning?.message).toContain("make the Service type LoadBalancer");
        expect(result.gatewayStatus.map((st) => st.conditions[1]?.reason)).toEqual(["BackendNotFound"]);
        const served = result.admitted[0];
        expect(served?.backends.map((backend) => [backend.endpoints, backend.invalid !== undefined])).toEqual([
          [[], true],
        ]);
      }
    },
  );
});

describe("timeouts and mirrors", () => {
  it("the smaller of request and backendRequest; 0s disables", () => {
    const timeout = (t: string) =>
      run(gateway() + route(`  - backendRefs: [{name: foo-svc, port: 8080}]\n    timeouts: ${t}\n`) + SERVICES)
        .admitted[0]?.timeoutMs;
    expect(timeout("{request: 10s, backendRequest: 1500ms}")).toBe(1500);
    expect(timeout("{request: 1m30s}")).toBe(90_000);
    expect(timeout('{request: "0s"}')).toBe(2 ** 31 - 1);
    const bad = run(
      gateway() + route("  - backendRefs: [{name: foo-svc, port: 8080}]\n    timeouts: {request: 1.5s}\n") + SERVICES,
    );
    expect(bad.diagnostics[0]?.message).toContain("is not a duration");
  });

  it("percent and fraction", () => {
    const mirror = (m: string) =>
      run(
        gateway() +
          route(
            `  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: foo-svc-canary, port: 8080}${m}}}]\n    backendRefs: [{name: foo-svc, port: 8080}]\n`,
          ) +
          SERVICES,
      ).admitted[0]?.gateway?.mirrors?.map((x) => x.fraction);
    expect(mirror("")).toEqual([1]);
    expect(mirror(", percent: 25")).toEqual([0.25]);
    expect(mirror(", fraction: {numerator: 1, denominator: 8}")).toEqual([0.125]);
  });

  it("several RequestMirror filters on one rule (HTTPRouteRequestMultipleMirrors) each get a copy", () => {
    const result = run(
      gateway() +
        route(`  - filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: foo-svc-canary, port: 8080}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: foo-svc, port: 8080}, percent: 50}}
    backendRefs: [{name: foo-svc, port: 8080}]
`) +
        SERVICES,
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.admitted[0]?.gateway?.mirrors?.map((m) => [m.backend.service, m.fraction])).toEqual([
      ["default/foo-svc-canary", 1],
      ["default/foo-svc", 0.5],
    ]);
  });
});

describe("--remote: HTTPRoute backends must be reachable by a deployed Worker (worker/core/reach.ts)", () => {
  const remote = (text: string): CompileResult => {
    const objects = parseAllDocuments(text).map((doc, i) => ({
      source: { file: "g.yaml", doc: i },
      object: doc.toJSON(),
    }));
    return compile(objects, { ...DEFAULT_COMPILE_OPTIONS, target: "remote", zones: ["example.com"] });
  };
  const service = (name: string, metadata: string, port: number, ingress: string) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default${metadata}}
spec: {type: LoadBalancer, ports: [{name: http, port: ${port}}]}
status: {loadBalancer: {ingress: [${ingress}]}}
`;
  const rules = `  - backendRefs: [{name: foo-svc, port: PORT}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: mirror-svc, port: 80}}}]
`;

  it("refuses a backendRef and a mirror by IP address, each with UnreachableEndpoint, and serves nothing of the route", () => {
    const result = remote(
      gateway() +
        route(rules.replace("PORT", "9000")) +
        service("foo-svc", "", 9000, "{ip: 203.0.113.10}") +
        service("mirror-svc", "", 80, "{ip: 203.0.113.11}"),
    );
    const errors = result.diagnostics.filter((d) => d.code === "UnreachableEndpoint");
    expect(errors.map((d) => [d.field, d.severity])).toEqual([
      ["spec.rules[0].backendRefs[0].name", "error"],
      ["spec.rules[0].filters[0].requestMirror.backendRef.name", "error"],
    ]);
    expect(errors[0]?.message).toContain("http://203.0.113.10:9000");
    expect(errors[0]?.message).toContain("is an IP address");
    expect(errors[0]?.message).toContain("port 9000 is not a port Cloudflare's proxy accepts for http");
    expect(errors[1]?.message).toContain("http://203.0.113.11:80");
    expect(result.admitted).toEqual([]);
  });

  it("accepts load balancers named in the route host's zone on a proxy port", () => {
    const named = (host: string) => `, annotations: {external-dns.alpha.kubernetes.io/hostname: ${host}}`;
    const result = remote(
      gateway() +
        route(rules.replace("PORT", "80")) +
        service("foo-svc", named("foo-lb.example.com"), 80, "{hostname: a1.elb.example.net}") +
        service("mirror-svc", named("mirror-lb.example.com"), 80, "{hostname: a2.elb.example.net}"),
    );
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.admitted.map((r) => r.backends[0]?.endpoints)).toEqual([
      [{ scheme: "http", host: "foo-lb.example.com", port: 80 }],
    ]);
    expect(result.admitted[0]?.gateway?.mirrors?.[0]?.backend.endpoints).toEqual([
      { scheme: "http", host: "mirror-lb.example.com", port: 80 },
    ]);
  });
});

describe("labelled inputs (NAME=PATH): a backendRef finds its Service in the HTTPRoute's own cluster", () => {
  const objects = (cluster: string, text: string) =>
    parseAllDocuments(text).map((doc, i) => ({
      source: { file: `${cluster}.yaml`, doc: i, cluster },
      object: doc.toJSON(),
    }));
  const rules = "  - backendRefs: [{name: foo-svc, port: 8080}]\n";

  it("tags the endpoints with that cluster, and a Service of another cluster is BackendNotFound", () => {
    const east = compile(
      [...objects("east", gateway() + route(rules) + SERVICES.split("---").slice(0, 2).join("---"))],
      DEFAULT_COMPILE_OPTIONS,
    );
    expect(east.admitted[0]?.backends[0]?.endpoints).toEqual([
      { scheme: "http", host: "203.0.113.10", port: 8080, cluster: "east" },
    ]);
    const split = compile(
      [...objects("east", gateway() + route(rules)), ...objects("west", SERVICES)],
      DEFAULT_COMPILE_OPTIONS,
    );
    const missing = split.diagnostics.find((d) => d.code === "BackendNotFound");
    expect(missing?.field).toBe("spec.rules[0].backendRefs[0].name");
    expect(missing?.message).toContain("not in the input of cluster east");
    expect(split.admitted[0]?.backends[0]?.invalid).toContain("not in the input of cluster east");
  });
});
