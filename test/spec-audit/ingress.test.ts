/**
 * Kubernetes Ingress semantics, case by case from the specification
 * (https://kubernetes.io/docs/concepts/services-networking/ingress/): the "Examples" table of path matching, the
 * multiple-match precedence, host wildcards and Ingress validation. Behaviour found to differ from the
 * specification is in divergences.test.ts instead.
 */
import { describe, expect, it } from "vitest";
import { ingress, rule, service } from "../core/compile/fixtures.ts";
import { compiled, errors } from "./support.ts";

interface PathSpec {
  path: string;
  pathType: "Exact" | "Prefix" | "ImplementationSpecific";
}

/**
 * The table under "Examples" (https://kubernetes.io/docs/concepts/services-networking/ingress/#examples), one
 * Ingress per row on its own host. `serves` is the path of the winning Ingress path, or null for no match.
 */
const EXAMPLES: { paths: PathSpec[]; request: string; serves: string | null; note: string }[] = [
  { paths: [{ path: "/", pathType: "Prefix" }], request: "/any/path", serves: "/", note: "Prefix / matches all" },
  { paths: [{ path: "/foo", pathType: "Exact" }], request: "/foo", serves: "/foo", note: "Exact /foo, /foo" },
  { paths: [{ path: "/foo", pathType: "Exact" }], request: "/bar", serves: null, note: "Exact /foo, /bar" },
  { paths: [{ path: "/foo", pathType: "Exact" }], request: "/foo/", serves: null, note: "Exact /foo, /foo/" },
  { paths: [{ path: "/foo/", pathType: "Exact" }], request: "/foo", serves: null, note: "Exact /foo/, /foo" },
  { paths: [{ path: "/foo", pathType: "Prefix" }], request: "/foo", serves: "/foo", note: "Prefix /foo, /foo" },
  { paths: [{ path: "/foo", pathType: "Prefix" }], request: "/foo/", serves: "/foo", note: "Prefix /foo, /foo/" },
  { paths: [{ path: "/foo/", pathType: "Prefix" }], request: "/foo", serves: "/foo/", note: "Prefix /foo/, /foo" },
  { paths: [{ path: "/foo/", pathType: "Prefix" }], request: "/foo/", serves: "/foo/", note: "Prefix /foo/, /foo/" },
  { paths: [{ path: "/aaa/bb", pathType: "Prefix" }], request: "/aaa/bbb", serves: null, note: "not a string prefix" },
  { paths: [{ path: "/aaa/bbb", pathType: "Prefix" }], request: "/aaa/bbb", serves: "/aaa/bbb", note: "same" },
  {
    paths: [{ path: "/aaa/bbb/", pathType: "Prefix" }],
    request: "/aaa/bbb",
    serves: "/aaa/bbb/",
    note: "ignores trailing slash in path",
  },
  {
    paths: [{ path: "/aaa/bbb", pathType: "Prefix" }],
    request: "/aaa/bbb/",
    serves: "/aaa/bbb",
    note: "matches trailing slash",
  },
  {
    paths: [{ path: "/aaa/bbb", pathType: "Prefix" }],
    request: "/aaa/bbb/ccc",
    serves: "/aaa/bbb",
    note: "matches subpath",
  },
  {
    paths: [{ path: "/aaa/bbb", pathType: "Prefix" }],
    request: "/aaa/bbbxyz",
    serves: null,
    note: "does not match string prefix",
  },
  {
    paths: [
      { path: "/", pathType: "Prefix" },
      { path: "/aaa", pathType: "Prefix" },
    ],
    request: "/aaa/ccc",
    serves: "/aaa",
    note: "matches /aaa prefix",
  },
  {
    paths: [
      { path: "/", pathType: "Prefix" },
      { path: "/aaa", pathType: "Prefix" },
      { path: "/aaa/bbb", pathType: "Prefix" },
    ],
    request: "/aaa/bbb",
    serves: "/aaa/bbb",
    note: "matches /aaa/bbb prefix",
  },
  {
    paths: [
      { path: "/", pathType: "Prefix" },
      { path: "/aaa", pathType: "Prefix" },
      { path: "/aaa/bbb", pathType: "Prefix" },
    ],
    request: "/ccc",
    serves: "/",
    note: "matches / prefix",
  },
  { paths: [{ path: "/aaa", pathType: "Prefix" }], request: "/ccc", serves: null, note: "no match" },
  {
    paths: [
      { path: "/foo", pathType: "Prefix" },
      { path: "/foo", pathType: "Exact" },
    ],
    request: "/foo",
    serves: "/foo Exact",
    note: "Mixed: prefers Exact",
  },
  // Beyond the table: the same precedence rules (longest path first, then Exact over Prefix), and matching "done on
  // a path element by element basis" and "case sensitive".
  { paths: [{ path: "/Foo", pathType: "Prefix" }], request: "/foo", serves: null, note: "case-sensitive" },
  {
    paths: [
      { path: "/foo", pathType: "Exact" },
      { path: "/foo/bar", pathType: "Prefix" },
    ],
    request: "/foo/bar/baz",
    serves: "/foo/bar",
    note: "longest matching path first",
  },
  {
    paths: [
      { path: "/foo/bar", pathType: "Prefix" },
      { path: "/foo", pathType: "Prefix" },
    ],
    request: "/foo/barbaz",
    serves: "/foo",
    note: "element by element: /foo/bar does not match /foo/barbaz",
  },
  {
    paths: [{ path: "/foo", pathType: "Exact" }],
    request: "/foo?x=1",
    serves: "/foo",
    note: "the query string is not part of the path",
  },
  {
    paths: [{ path: "/", pathType: "Exact" }],
    request: "/",
    serves: "/",
    note: "Exact / serves /",
  },
  {
    paths: [{ path: "/", pathType: "Exact" }],
    request: "/a",
    serves: null,
    note: "Exact / serves nothing else",
  },
];

describe("Ingress path matching: the specification's Examples table", () => {
  const objects: unknown[] = [service("web")];
  EXAMPLES.forEach((row, i) => {
    objects.push(ingress(`ex${i}`, { rules: [rule(`ex${i}.example.com`, row.paths)] }));
  });
  const table = compiled(objects);

  it("compiles without errors", () => {
    expect(errors(table.result)).toEqual([]);
  });

  it.each(EXAMPLES.map((row, i) => ({ ...row, i })))("$note: $request", ({ paths, request, serves, i }) => {
    const outcome = table.resolve(`http://ex${i}.example.com${request}`);
    if (serves === null) {
      expect(outcome.outcome).toBe("none");
      return;
    }
    if (outcome.outcome !== "route") throw new Error(`${request}: expected a route, got ${outcome.outcome}`);
    const [servedPath, type] = serves.split(" ");
    // The route id is `<ns>/<ingress>#<rule>.<path index>`: it names the Ingress path that serves.
    const index = Number(outcome.route.id.split(".").pop());
    const winner = paths[index];
    expect(winner?.path).toBe(servedPath);
    if (type !== undefined) expect(winner?.pathType).toBe(type);
  });
});

describe("Ingress hosts (https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards)", () => {
  const table = compiled([
    service("web"),
    service("exact"),
    ingress("wild", { rules: [rule("*.foo.com")] }),
    ingress("precise", { rules: [rule("bar.foo.com", [{ path: "/", service: "exact" }])] }),
  ]);

  it("compiles without errors", () => {
    expect(errors(table.result)).toEqual([]);
  });

  // "*.foo.com": bar.foo.com matches based on shared suffix; baz.bar.foo.com no match (the wildcard only covers a
  // single DNS label); foo.com no match.
  it.each([
    ["http://baz.foo.com/", "shop/wild#0.0 prefix (root)"],
    ["http://baz.bar.foo.com/", "none"],
    ["http://foo.com/", "none"],
    ["http://BAZ.Foo.COM/x", "shop/wild#0.0 prefix (root)"],
    ["http://baz.foo.com:8080/", "shop/wild#0.0 prefix (root)"],
    ["http://bar.foo.com/", "shop/precise#0.0 prefix (root)"],
  ])("%s → %s", (url, expected) => {
    expect(table.serve(url)).toBe(expected);
  });

  it("a host is a DNS name: an IP address host is refused with the field named", () => {
    // networking.k8s.io/v1 IngressRule.host: "IP in the Spec of the parent Ingress is not allowed"
    // (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressSpec).
    const t = compiled([service("web"), ingress("ip", { rules: [rule("192.0.2.10")] })]);
    expect(errors(t.result).join("\n")).toMatch(/spec\.rules\[0\]\.host: .*IP address/);
  });

  it("a wildcard only as the whole first label", () => {
    const t = compiled([service("web"), ingress("mid", { rules: [rule("foo.*.com")] })]);
    expect(errors(t.result).join("\n")).toMatch(/spec\.rules\[0\]\.host/);
  });
});

describe("Ingress validation (networking.k8s.io/v1)", () => {
  it("a path of type Exact or Prefix must be absolute", () => {
    // HTTPIngressPath.path: "Paths must begin with a '/' and must be present when using PathType with value Exact
    // or Prefix" (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressSpec).
    const t = compiled([service("web"), ingress("rel", { rules: [rule("rel.example.com", [{ path: "foo" }])] })]);
    expect(errors(t.result).join("\n")).toMatch(/spec\.rules\[0\]\.http\.paths\[0\]\.path: .*"\/"/);
  });

  it("pathType is required", () => {
    const objects = [
      service("web"),
      ingress("nopt", {
        rules: [
          {
            host: "nopt.example.com",
            http: { paths: [{ path: "/", backend: { service: { name: "web", port: { number: 80 } } } }] },
          },
        ],
      }),
    ];
    expect(errors(compiled(objects).result).join("\n")).toMatch(/pathType/);
  });

  it("an unknown pathType is refused, naming the allowed values", () => {
    const t = compiled([
      service("web"),
      ingress("badpt", { rules: [rule("badpt.example.com", [{ path: "/", pathType: "Regex" as "Exact" }])] }),
    ]);
    expect(errors(t.result).join("\n")).toMatch(/Exact, Prefix, ImplementationSpecific/);
  });

  it("ImplementationSpecific with no path serves every path of the host", () => {
    const t = compiled([
      service("web"),
      ingress("is", { rules: [rule("is.example.com", [{ pathType: "ImplementationSpecific" }])] }),
    ]);
    expect(errors(t.result)).toEqual([]);
    expect(t.serve("http://is.example.com/a/b")).toBe("shop/is#0.0 prefix (root)");
  });

  it("a service port by name or by number", () => {
    const t = compiled([
      service("web"),
      ingress("byname", { rules: [rule("byname.example.com", [{ path: "/", port: { name: "http" } }])] }),
      ingress("bynum", { rules: [rule("bynum.example.com", [{ path: "/", port: { number: 80 } }])] }),
    ]);
    expect(errors(t.result)).toEqual([]);
    expect(t.serve("http://byname.example.com/")).toBe("shop/byname#0.0 prefix (root)");
    expect(t.serve("http://bynum.example.com/")).toBe("shop/bynum#0.0 prefix (root)");
  });
});

describe("Ingress defaultBackend on the hosts of the rules", () => {
  // "If none of the hosts or paths match the HTTP request in the Ingress objects, the traffic is routed to your
  // default backend." Paths of a named host that no rule matches go to the default backend.
  const t = compiled([
    service("web"),
    service("fallback"),
    ingress("db", {
      defaultBackend: { service: { name: "fallback", port: { number: 80 } } },
      rules: [rule("db.example.com", [{ path: "/api", pathType: "Prefix" }])],
    }),
  ]);
  it("a matching rule path wins", () => {
    expect(t.serve("http://db.example.com/api/x")).toBe("shop/db#0.0 prefix /api");
  });
  it("an unmatched path of the host goes to the default backend", () => {
    expect(t.serve("http://db.example.com/other")).toBe("shop/db#default prefix (root)");
  });
});

describe("Ingress TLS (OpenShift route controller: spec.tls hosts become edge routes with Redirect)", () => {
  const t = compiled([
    service("web"),
    ingress("tls", { tls: [{ hosts: ["tls.example.com"] }], rules: [rule("tls.example.com")] }),
  ]);
  it("HTTPS is served", () => {
    expect(t.serve("https://tls.example.com/x")).toBe("shop/tls#0.0 prefix (root)");
  });
  it("plain HTTP is redirected", () => {
    expect(t.serve("http://tls.example.com/x")).toBe("redirect:shop/tls#0.0");
  });
});

describe("The Ingress examples of the Kubernetes documentation, as published", () => {
  // https://kubernetes.io/docs/concepts/services-networking/ingress/ (service names and ports as in the docs).
  const port = (number: number) => ({ number });
  const services = [
    service("service1", { ports: [{ name: "http", port: 4200, protocol: "TCP" }] }),
    service("service2", { ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
    service("s1"),
    service("s2"),
  ];
  const t = compiled([
    ...services,
    ingress("simple-fanout-example", {
      rules: [
        rule("foo.bar.com", [
          { path: "/foo", pathType: "Prefix", service: "service1", port: port(4200) },
          { path: "/bar", pathType: "Prefix", service: "service2", port: port(8080) },
        ]),
      ],
    }),
    ingress("name-virtual-host-ingress", {
      rules: [
        rule("foo.example.net", [{ path: "/", service: "s1", port: port(80) }]),
        rule("bar.example.net", [{ path: "/", service: "s2", port: port(80) }]),
      ],
    }),
    ingress("tls-example-ingress", {
      tls: [{ hosts: ["https-example.foo.com"], secretName: "testsecret-tls" }],
      rules: [rule("https-example.foo.com", [{ path: "/", service: "s1", port: port(80) }])],
    }),
  ]);

  it("compile without errors", () => {
    expect(errors(t.result)).toEqual([]);
  });

  it.each([
    ["http://foo.bar.com/foo", "shop/simple-fanout-example#0.0 prefix /foo"],
    ["http://foo.bar.com/bar/x", "shop/simple-fanout-example#0.1 prefix /bar"],
    ["http://foo.bar.com/baz", "none"],
    ["http://foo.example.net/", "shop/name-virtual-host-ingress#0.0 prefix (root)"],
    ["http://bar.example.net/a", "shop/name-virtual-host-ingress#1.0 prefix (root)"],
    ["https://https-example.foo.com/", "shop/tls-example-ingress#0.0 prefix (root)"],
    // The OpenShift route controller gives Ingress TLS hosts insecureEdgeTerminationPolicy Redirect.
    ["http://https-example.foo.com/", "redirect:shop/tls-example-ingress#0.0"],
  ])("%s → %s", (url, expected) => {
    expect(t.serve(url)).toBe(expected);
  });
});
