/**
 * Gateway API HTTPRoute cases translated from the conformance suite (kubernetes-sigs/gateway-api,
 * conformance/tests/httproute-*.yaml and *.go; https://github.com/kubernetes-sigs/gateway-api/tree/main/conformance/tests).
 * Each case id starts with the suite's test name. Run against the compiler and matcher (test/core/gateway-cases.test.ts)
 * and end to end through the real gateway in front of real echo backends (test/e2e/gateway-api.test.ts).
 *
 * Translation rules: the suite runs each test alone on a Gateway whose listeners have no hostname; here all of them
 * share one table, so each HTTPRoute names its own hostname (edgeroute serves named hosts only). The suite's 404 for
 * "no route" is the table's not-found answer (503 by default, 404 with `--not-found 404`): expectation `none`.
 * `{{port:NAME}}` is the port of echo backend NAME (the e2e harness fills it in).
 */

export const INFRA = "gateway-conformance-infra";
export const WEB = "gateway-conformance-web-backend";
export const APP = "gateway-conformance-app-backend";

/** Echo backends; each Service of the same name is a LoadBalancer Service on 127.0.0.1 at that backend's port. */
export const GATEWAY_BACKENDS = [
  "infra-backend-v1",
  "infra-backend-v2",
  "infra-backend-v3",
  "web-backend",
  "app-backend-v1",
];

function service(namespace: string, name: string): string {
  return `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  type: LoadBalancer
  ports:
  - name: http
    port: {{port:${name}}}
    protocol: TCP
status:
  loadBalancer:
    ingress:
    - ip: 127.0.0.1
`;
}

/** A backendRef list entry (indent 4) for one of the infra backends. */
function ref(name: string, extra = ""): string {
  return `    - name: ${name}\n      port: {{port:${name}}}\n${extra}`;
}

interface RouteSpec {
  name: string;
  namespace?: string;
  hostnames?: string[];
  /** parentRefs YAML (indent 2, list items); default: the `same-namespace` Gateway. */
  parents?: string;
  /** rules YAML (indent 2, list items). */
  rules: string;
  created?: string;
}

function httpRoute(r: RouteSpec): string {
  const hostnames = r.hostnames ?? [];
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${r.name}
  namespace: ${r.namespace ?? INFRA}
  creationTimestamp: "${r.created ?? "2026-01-01T00:00:00Z"}"
spec:
  parentRefs:
${r.parents ?? `  - name: same-namespace\n    namespace: ${INFRA}\n`}${hostnames.length > 0 ? `  hostnames:\n${hostnames.map((h) => `  - "${h}"\n`).join("")}` : ""}  rules:
${r.rules}`;
}

const V1 = ref("infra-backend-v1");
const V2 = ref("infra-backend-v2");
const V3 = ref("infra-backend-v3");

export const GATEWAY_MANIFESTS: string = [
  `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: edge
spec:
  controllerName: edgeroute.dev/gateway-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: same-namespace
  namespace: ${INFRA}
spec:
  gatewayClassName: edge
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: Same
  - name: https
    port: 443
    protocol: HTTPS
    allowedRoutes:
      namespaces:
        from: Same
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: backend-namespaces
  namespace: ${INFRA}
spec:
  gatewayClassName: edgeroute
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: Selector
        selector:
          matchLabels:
            gateway-conformance: backend
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: httproute-listener-hostname-matching
  namespace: ${INFRA}
spec:
  gatewayClassName: edgeroute
  listeners:
  - name: listener-1
    port: 80
    protocol: HTTP
    hostname: bar.com
  - name: listener-2
    port: 80
    protocol: HTTP
    hostname: foo.bar.com
  - name: listener-3
    port: 80
    protocol: HTTP
    hostname: "*.bar.com"
  - name: listener-4
    port: 80
    protocol: HTTP
    hostname: "*.foo.com"
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: httproute-hostname-intersection
  namespace: ${INFRA}
spec:
  gatewayClassName: edgeroute
  listeners:
  - name: listener-1
    port: 80
    protocol: HTTP
    hostname: very.specific.com
  - name: listener-2
    port: 80
    protocol: HTTP
    hostname: "*.wildcard.io"
  - name: listener-3
    port: 80
    protocol: HTTP
    hostname: "*.anotherwildcard.io"
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: httproute-hostname-intersection-all
  namespace: ${INFRA}
spec:
  gatewayClassName: edgeroute
  listeners:
  - name: listener-1
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: Same
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: other-class
  namespace: ${INFRA}
spec:
  gatewayClassName: someone-else
  listeners:
  - name: http
    port: 80
    protocol: HTTP
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${WEB}
  labels:
    gateway-conformance: backend
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: reference-grant
  namespace: ${APP}
spec:
  from:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    namespace: ${INFRA}
  to:
  - group: ""
    kind: Service
    name: app-backend-v1
`,
  service(INFRA, "infra-backend-v1"),
  service(INFRA, "infra-backend-v2"),
  service(INFRA, "infra-backend-v3"),
  service(WEB, "web-backend"),
  service(APP, "app-backend-v1"),
  // HTTPRouteMatching
  httpRoute({
    name: "matching",
    hostnames: ["matching.example.com"],
    rules: `  - matches:
    - path:
        type: PathPrefix
        value: /
    - headers:
      - name: version
        value: one
    backendRefs:
${V1}  - matches:
    - path:
        type: PathPrefix
        value: /v2
    - headers:
      - name: version
        value: two
    backendRefs:
${V2}`,
  }),
  // HTTPRoutePathMatchOrder
  httpRoute({
    name: "path-matching-order",
    hostnames: ["path-match-order.example.com"],
    rules: [
      ["Exact", "/match", V1],
      ["Exact", "/match/exact", V2],
      ["Exact", "/match/exact/one", V3],
      ["PathPrefix", "/match/", V3],
      ["PathPrefix", "/match/prefix/", V1],
      ["PathPrefix", "/match/prefix/one", V2],
    ]
      .map(
        ([type, value, backend]) =>
          `  - matches:\n    - path:\n        type: ${type}\n        value: ${value}\n    backendRefs:\n${backend}`,
      )
      .join(""),
  }),
  // HTTPRouteHeaderMatching
  httpRoute({
    name: "header-matching",
    hostnames: ["header-matching.example.com"],
    rules: `  - matches:
    - headers:
      - name: version
        value: one
    backendRefs:
${V1}  - matches:
    - headers:
      - name: version
        value: two
    backendRefs:
${V2}  - matches:
    - headers:
      - name: version
        value: two
      - name: color
        value: orange
    backendRefs:
${V1}  - matches:
    - headers:
      - name: color
        value: blue
    - headers:
      - name: color
        value: green
    backendRefs:
${V1}  - matches:
    - headers:
      - name: color
        value: red
    - headers:
      - name: color
        value: yellow
    backendRefs:
${V2}`,
  }),
  // HTTPRouteQueryParamMatching
  httpRoute({
    name: "query-param-matching",
    hostnames: ["query-param-matching.example.com"],
    rules: `  - matches:
    - queryParams:
      - name: animal
        value: whale
    backendRefs:
${V1}  - matches:
    - queryParams:
      - name: animal
        value: dolphin
    backendRefs:
${V2}  - matches:
    - queryParams:
      - name: animal
        value: dolphin
      - name: color
        value: blue
    - queryParams:
      - name: ANIMAL
        value: Whale
    backendRefs:
${V3}  - matches:
    - path:
        type: PathPrefix
        value: /path1
      queryParams:
      - name: animal
        value: whale
    backendRefs:
${V1}  - matches:
    - headers:
      - name: version
        value: one
      queryParams:
      - name: animal
        value: whale
    backendRefs:
${V2}  - matches:
    - path:
        type: PathPrefix
        value: /path2
      headers:
      - name: version
        value: two
      queryParams:
      - name: animal
        value: whale
    backendRefs:
${V3}  - matches:
    - path:
        type: PathPrefix
        value: /path3
      queryParams:
      - name: animal
        value: shark
    - path:
        type: PathPrefix
        value: /path4
      headers:
      - name: version
        value: three
      queryParams:
      - name: animal
        value: kraken
    backendRefs:
${V1}  - matches:
    - path:
        type: PathPrefix
        value: /path5
    backendRefs:
${V1}  - matches:
    - queryParams:
      - name: animal
        value: hydra
    backendRefs:
${V2}  - matches:
    - headers:
      - name: version
        value: four
    backendRefs:
${V3}`,
  }),
  // HTTPRouteMethodMatching
  httpRoute({
    name: "method-matching",
    hostnames: ["method-matching.example.com"],
    rules: `  - matches:
    - method: POST
    backendRefs:
${V1}  - matches:
    - method: GET
    backendRefs:
${V2}  - matches:
    - path:
        type: PathPrefix
        value: /path1
      method: GET
    backendRefs:
${V1}  - matches:
    - headers:
      - name: version
        value: one
      method: PUT
    backendRefs:
${V2}  - matches:
    - path:
        type: PathPrefix
        value: /path2
      headers:
      - name: version
        value: two
      method: POST
    backendRefs:
${V3}  - matches:
    - path:
        type: PathPrefix
        value: /path3
      method: PATCH
    - path:
        type: PathPrefix
        value: /path4
      headers:
      - name: version
        value: three
      method: DELETE
    backendRefs:
${V1}  - matches:
    - path:
        type: PathPrefix
        value: /path5
    backendRefs:
${V1}  - matches:
    - method: PATCH
    backendRefs:
${V2}  - matches:
    - headers:
      - name: version
        value: four
    backendRefs:
${V3}`,
  }),
  // HTTPRouteMatchingAcrossRoutes
  httpRoute({
    name: "matching-part1",
    hostnames: ["example.com", "example.net"],
    rules: `  - matches:
    - path:
        type: PathPrefix
        value: /
    - headers:
      - name: version
        value: one
    backendRefs:
${V1}`,
  }),
  httpRoute({
    name: "matching-part2",
    hostnames: ["example.com"],
    rules: `  - matches:
    - path:
        type: PathPrefix
        value: /v2
    - headers:
      - name: version
        value: two
    backendRefs:
${V2}`,
  }),
  // HTTPRouteListenerHostnameMatching
  ...[
    ["backend-v1", "listener-1", V1],
    ["backend-v2", "listener-2", V2],
    ["backend-v3", "listener-3", V3],
  ].map(([name, section, backend]) =>
    httpRoute({
      name: name as string,
      parents: `  - name: httproute-listener-hostname-matching\n    namespace: ${INFRA}\n    sectionName: ${section}\n${name === "backend-v3" ? `  - name: httproute-listener-hostname-matching\n    namespace: ${INFRA}\n    sectionName: listener-4\n` : ""}`,
      rules: `  - backendRefs:\n${backend}`,
    }),
  ),
  // HTTPRouteHostnameIntersection
  httpRoute({
    name: "specific-host-matches-listener-specific-host",
    parents: `  - name: httproute-hostname-intersection\n    namespace: ${INFRA}\n`,
    hostnames: ["non.matching.com", "*.nonmatchingwildcard.io", "very.specific.com"],
    rules: `  - matches:\n    - path:\n        type: PathPrefix\n        value: /s1\n    backendRefs:\n${V1}`,
  }),
  httpRoute({
    name: "specific-host-matches-listener-wildcard-host",
    parents: `  - name: httproute-hostname-intersection\n    namespace: ${INFRA}\n`,
    hostnames: ["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"],
    rules: `  - matches:\n    - path:\n        type: PathPrefix\n        value: /s2\n    backendRefs:\n${V2}`,
  }),
  httpRoute({
    name: "wildcard-host-matches-listener-specific-host",
    parents: `  - name: httproute-hostname-intersection\n    namespace: ${INFRA}\n`,
    hostnames: ["non.matching.com", "*.specific.com"],
    rules: `  - matches:\n    - path:\n        type: PathPrefix\n        value: /s3\n    backendRefs:\n${V3}`,
  }),
  httpRoute({
    name: "wildcard-host-matches-listener-wildcard-host",
    parents: `  - name: httproute-hostname-intersection\n    namespace: ${INFRA}\n`,
    hostnames: ["*.anotherwildcard.io"],
    rules: `  - matches:\n    - path:\n        type: PathPrefix\n        value: /s4\n    backendRefs:\n${V1}`,
  }),
  httpRoute({
    name: "httproute-hostname-intersection-all",
    parents: `  - name: httproute-hostname-intersection-all\n    namespace: ${INFRA}\n`,
    hostnames: ["first.com", "sub.first.com", "second.com", "sub.second.com"],
    rules: `  - backendRefs:\n${V2}`,
  }),
  httpRoute({
    name: "no-intersecting-hosts",
    parents: `  - name: httproute-hostname-intersection\n    namespace: ${INFRA}\n`,
    hostnames: ["specific.but.wrong.com", "wildcard.io"],
    rules: `  - matches:\n    - path:\n        type: PathPrefix\n        value: /s5\n    backendRefs:\n${V1}`,
  }),
  // HTTPRouteCrossNamespace: a route in the backend namespace, admitted by the Selector listener.
  httpRoute({
    name: "cross-namespace",
    namespace: WEB,
    parents: `  - name: backend-namespaces\n    namespace: ${INFRA}\n`,
    hostnames: ["cross-namespace.example.com"],
    rules: `  - backendRefs:\n    - name: web-backend\n      port: {{port:web-backend}}\n`,
  }),
  // HTTPRouteInvalidCrossNamespaceParentRef: the same-namespace Gateway admits routes of its namespace only.
  httpRoute({
    name: "invalid-cross-namespace-parent-ref",
    namespace: WEB,
    hostnames: ["invalid-parent.example.com"],
    rules: `  - backendRefs:\n    - name: web-backend\n      port: {{port:web-backend}}\n`,
  }),
  // HTTPRouteInvalidParentRefNotMatchingSectionName / ListenerPort
  httpRoute({
    name: "invalid-section-name",
    parents: `  - name: same-namespace\n    namespace: ${INFRA}\n    sectionName: nonexistent\n`,
    hostnames: ["invalid-section.example.com"],
    rules: `  - backendRefs:\n${V1}`,
  }),
  httpRoute({
    name: "invalid-port",
    parents: `  - name: same-namespace\n    namespace: ${INFRA}\n    port: 81\n`,
    hostnames: ["invalid-port.example.com"],
    rules: `  - backendRefs:\n${V1}`,
  }),
  // HTTPRouteInvalidParentRefSectionNameNotMatchingPort: the named listener exists, on another port.
  httpRoute({
    name: "invalid-section-port",
    parents: `  - name: same-namespace\n    namespace: ${INFRA}\n    sectionName: http\n    port: 81\n`,
    hostnames: ["invalid-section-port.example.com"],
    rules: `  - backendRefs:\n${V1}`,
  }),
  // HTTPRouteInvalidCrossNamespaceBackendRef, HTTPRouteReferenceGrant, HTTPRoutePartiallyInvalidViaInvalidReferenceGrant,
  // HTTPRouteInvalidNonExistentBackendRef, HTTPRouteInvalidBackendRefUnknownKind, HTTPRouteOmittedBackendRefs
  httpRoute({
    name: "references",
    hostnames: ["references.example.com"],
    rules: `  - matches:
    - path:
        type: PathPrefix
        value: /no-grant
    backendRefs:
    - name: web-backend
      namespace: ${WEB}
      port: {{port:web-backend}}
  - matches:
    - path:
        type: PathPrefix
        value: /granted
    backendRefs:
    - name: app-backend-v1
      namespace: ${APP}
      port: {{port:app-backend-v1}}
  - matches:
    - path:
        type: PathPrefix
        value: /nonexistent
    backendRefs:
    - name: nonexistent
      port: 8080
  - matches:
    - path:
        type: PathPrefix
        value: /unknown-kind
    backendRefs:
    - group: unknownkind.example.com
      kind: NonExistent
      name: infra-backend-v1
      port: 8080
  - matches:
    - path:
        type: Exact
        value: /omitted-no-forward
  - matches:
    - path:
        type: Exact
        value: /empty-no-forward
    backendRefs: []
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
${V1}`,
  }),
  // HTTPRouteRequestHeaderModifier
  httpRoute({
    name: "request-header-modifier",
    hostnames: ["request-header-modifier.example.com"],
    rules: `  - matches:
    - path:
        type: PathPrefix
        value: /set
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - name: X-Header-Set
          value: set-overwrites-values
    backendRefs:
${V1}  - matches:
    - path:
        type: PathPrefix
        value: /add
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        add:
        - name: X-Header-Add
          value: add-appends-values
    backendRefs:
${V1}  - matches:
    - path:
        type: PathPrefix
        value: /remove
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        remove:
        - X-Header-Remove
    backendRefs:
${V1}  - matches:
    - path:
        type: PathPrefix
        value: /case-insensitivity
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - name: X-Header-Set
          value: header-set
        add:
        - name: X-Header-Add
          value: header-add
        remove:
        - X-Header-Remove
    backendRefs:
${V1}`,
  }),
  // HTTPRouteResponseHeaderModifier: the echo backend sets the response headers named in /__set-header's query.
  httpRoute({
    name: "response-header-modifier",
    hostnames: ["response-header-modifier.example.com"],
    rules: `  - filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set:
        - name: X-Header-Set
          value: set-overwrites-values
        add:
        - name: X-Header-Add
          value: add-appends-values
        remove:
        - X-Header-Remove
    backendRefs:
${V1}`,
  }),
  // HTTPRouteRedirectPath, HTTPRouteRedirectHostAndStatus, HTTPRouteRedirectScheme, HTTPRouteRedirectPort,
  // HTTPRouteRedirectPortAndScheme, HTTPRoute303Redirect, HTTPRoute307Redirect, HTTPRoute308Redirect
  httpRoute({
    name: "redirect",
    hostnames: ["redirect.example.com"],
    rules: [
      [
        "/original-prefix",
        "path:\n          type: ReplacePrefixMatch\n          replacePrefixMatch: /replacement-prefix",
      ],
      ["/full", "path:\n          type: ReplaceFullPath\n          replaceFullPath: /full-path-replacement"],
      [
        "/full-path-and-host",
        "hostname: example.org\n        path:\n          type: ReplaceFullPath\n          replaceFullPath: /replacement-full",
      ],
      [
        "/full-path-and-status",
        "path:\n          type: ReplaceFullPath\n          replaceFullPath: /replacement-full\n        statusCode: 301",
      ],
      ["/port", "port: 8083"],
      ["/port-and-host", "hostname: example.org\n        port: 8083"],
      ["/port-and-status", "port: 8083\n        statusCode: 301"],
      ["/port-and-host-and-status", "hostname: example.org\n        port: 8083\n        statusCode: 302"],
      ["/scheme-and-host", "scheme: https\n        hostname: example.org"],
      ["/scheme-and-status", "scheme: https\n        statusCode: 301"],
      ["/scheme-and-host-and-status", "scheme: https\n        hostname: example.org\n        statusCode: 302"],
      ["/scheme-nil-and-port-443", "hostname: example.org\n        port: 443"],
      ["/scheme-nil-and-port-8443", "hostname: example.org\n        port: 8443"],
      ["/scheme-http-and-port-nil", "scheme: http\n        hostname: example.org"],
      ["/scheme-http-and-port-80", "scheme: http\n        hostname: example.org\n        port: 80"],
      ["/scheme-http-and-port-8080", "scheme: http\n        hostname: example.org\n        port: 8080"],
      [
        "/path-and-host",
        "hostname: example.org\n        path:\n          type: ReplacePrefixMatch\n          replacePrefixMatch: /replacement-prefix",
      ],
      [
        "/path-and-status",
        "path:\n          type: ReplacePrefixMatch\n          replacePrefixMatch: /replacement-prefix\n        statusCode: 301",
      ],
      ["/hostname-redirect", "hostname: example.org"],
      ["/host-and-status", "hostname: example.org\n        statusCode: 301"],
      ["/scheme-nil-and-port-nil", "hostname: example.org"],
      ["/scheme-nil-and-port-80", "hostname: example.org\n        port: 80"],
      ["/scheme-nil-and-port-8080", "hostname: example.org\n        port: 8080"],
      ["/scheme-https-and-port-nil", "scheme: https\n        hostname: example.org"],
      ["/scheme-https-and-port-443", "scheme: https\n        hostname: example.org\n        port: 443"],
      ["/scheme-https-and-port-8443", "scheme: https\n        hostname: example.org\n        port: 8443"],
      ["/scheme", "scheme: https"],
      ["/303", "statusCode: 303"],
      ["/307", "statusCode: 307"],
      ["/308", "statusCode: 308"],
    ]
      .map(
        ([path, redirect]) =>
          `  - matches:\n    - path:\n        type: PathPrefix\n        value: ${path}\n    filters:\n    - type: RequestRedirect\n      requestRedirect:\n        ${redirect}\n`,
      )
      .join(""),
  }),
  // HTTPRouteRewritePath
  httpRoute({
    name: "rewrite-path",
    hostnames: ["rewrite-path.example.com"],
    rules: [
      ["/prefix/one", "ReplacePrefixMatch", "replacePrefixMatch: /one"],
      ["/strip-prefix", "ReplacePrefixMatch", "replacePrefixMatch: /"],
      ["/full/one", "ReplaceFullPath", "replaceFullPath: /one"],
    ]
      .map(
        ([path, type, value]) =>
          `  - matches:\n    - path:\n        type: PathPrefix\n        value: ${path}\n    filters:\n    - type: URLRewrite\n      urlRewrite:\n        path:\n          type: ${type}\n          ${value}\n    backendRefs:\n${V1}`,
      )
      .join(""),
  }),
  httpRoute({
    name: "rewrite-path-and-modify-headers",
    hostnames: ["rewrite-path.example.com"],
    rules: [
      ["/full/rewrite-path-and-modify-headers", "ReplaceFullPath", "replaceFullPath: /test"],
      ["/prefix/rewrite-path-and-modify-headers", "ReplacePrefixMatch", "replacePrefixMatch: /prefix"],
    ]
      .map(
        ([path, type, value]) => `  - matches:
    - path:
        type: PathPrefix
        value: ${path}
    filters:
    - type: URLRewrite
      urlRewrite:
        path:
          type: ${type}
          ${value}
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - name: X-Header-Set
          value: set-overwrites-values
        add:
        - name: X-Header-Add
          value: header-val-1
        - name: X-Header-Add-Append
          value: header-val-2
        remove:
        - X-Header-Remove
    backendRefs:
${V1}`,
      )
      .join(""),
  }),
  // HTTPRouteExactPathMatching
  httpRoute({
    name: "exact-path-matching",
    hostnames: ["exact-path-matching.example.com"],
    rules: `  - matches:\n    - path:\n        type: Exact\n        value: /one\n    backendRefs:\n${V1}  - matches:\n    - path:\n        type: Exact\n        value: /two\n    backendRefs:\n${V2}`,
  }),
  // HTTPRouteWeight
  httpRoute({
    name: "weighted-backends",
    hostnames: ["weight.example.com"],
    rules: `  - backendRefs:\n${ref("infra-backend-v1", "      weight: 70\n")}${ref("infra-backend-v2", "      weight: 30\n")}${ref("infra-backend-v3", "      weight: 0\n")}`,
  }),
  // HTTPRouteRequestTimeout (the echo backend's /__delay/<ms> stands for the suite's ?delay=)
  httpRoute({
    name: "request-timeout",
    hostnames: ["timeout.example.com"],
    rules: `  - matches:
    - path:
        type: PathPrefix
        value: /__delay
    backendRefs:
${V1}    timeouts:
      request: 500ms
`,
  }),
  httpRoute({
    name: "disable-request-timeout",
    hostnames: ["no-timeout.example.com"],
    rules: `  - backendRefs:
${V1}    timeouts:
      request: "0s"
`,
  }),
  // HTTPRouteTimeoutBackendRequest; HTTPRouteNamedRule (a rule's name changes nothing about matching)
  httpRoute({
    name: "backend-timeout",
    hostnames: ["backend-timeout.example.com"],
    rules: `  - name: named-rule
    matches:
    - path:
        type: PathPrefix
        value: /__delay
    backendRefs:
${V1}    timeouts:
      backendRequest: 500ms
`,
  }),
  // HTTPRouteRequestMirror
  httpRoute({
    name: "request-mirror",
    hostnames: ["mirror.example.com"],
    rules: `  - matches:
    - path:
        type: PathPrefix
        value: /mirror
    filters:
    - type: RequestMirror
      requestMirror:
        backendRef:
          name: infra-backend-v2
          port: {{port:infra-backend-v2}}
    backendRefs:
${V1}`,
  }),
  // HTTPRouteHTTPSListener: a route attached to the HTTPS listener only.
  httpRoute({
    name: "https-only",
    parents: `  - name: same-namespace\n    namespace: ${INFRA}\n    sectionName: https\n`,
    hostnames: ["https-only.example.com"],
    rules: `  - backendRefs:\n${V3}`,
  }),
].join("");

export interface GatewayCase {
  id: string;
  https?: boolean;
  method?: string;
  host: string;
  /** Path with query. */
  path: string;
  headers?: Record<string, string>;
  expect:
    | {
        backend: string;
        /** The path (and query) the backend received. */
        target?: string;
        /** Request headers the backend received (lowercase names); `null`: absent. */
        received?: Record<string, string | null>;
        /** Response headers the client got; `null`: absent. */
        response?: Record<string, string | null>;
      }
    | { status: 500 | 504 }
    | { none: true }
    | { redirect: number; location: string };
}

const to = (backend: string): GatewayCase["expect"] => ({ backend });
const NONE: GatewayCase["expect"] = { none: true };

function table(
  test: string,
  host: string,
  rows: [string, GatewayCase["expect"], Partial<GatewayCase>?][],
): GatewayCase[] {
  return rows.map(([path, expect, extra], i) => ({
    id: `${test} ${i}: ${extra?.method ?? "GET"} ${host}${path}`,
    host,
    path,
    expect,
    ...extra,
  }));
}
const h = (headers: Record<string, string>, method?: string): Partial<GatewayCase> =>
  method === undefined ? { headers } : { headers, method };

export const GATEWAY_CASES: GatewayCase[] = [
  ...table("HTTPRouteMatching", "matching.example.com", [
    ["/", to("infra-backend-v1")],
    ["/example", to("infra-backend-v1")],
    ["/", to("infra-backend-v1"), h({ Version: "one" })],
    ["/v2", to("infra-backend-v2")],
    ["/v2/example", to("infra-backend-v2")],
    ["/", to("infra-backend-v2"), h({ Version: "two" })],
    ["/v2/", to("infra-backend-v2")],
    ["/v2example", to("infra-backend-v1")],
    ["/foo/v2/example", to("infra-backend-v1")],
  ]),
  ...table("HTTPRoutePathMatchOrder", "path-match-order.example.com", [
    ["/match/exact/one", to("infra-backend-v3")],
    ["/match/exact", to("infra-backend-v2")],
    ["/match", to("infra-backend-v1")],
    ["/match/prefix/one/any", to("infra-backend-v2")],
    ["/match/prefix/any", to("infra-backend-v1")],
    ["/match/any", to("infra-backend-v3")],
  ]),
  ...table("HTTPRouteHeaderMatching", "header-matching.example.com", [
    ["/", to("infra-backend-v1"), h({ Version: "one" })],
    ["/", to("infra-backend-v2"), h({ Version: "two" })],
    ["/", to("infra-backend-v1"), h({ Version: "two", Color: "orange" })],
    ["/", to("infra-backend-v2"), h({ Version: "two", Color: "blue" })],
    ["/", NONE, h({ Color: "orange" })],
    ["/", NONE, h({ "Some-Other-Header": "one" })],
    ["/", to("infra-backend-v1"), h({ Color: "blue" })],
    ["/", to("infra-backend-v1"), h({ Color: "green" })],
    ["/", to("infra-backend-v2"), h({ Color: "red" })],
    ["/", to("infra-backend-v2"), h({ Color: "yellow" })],
    ["/", NONE, h({ Color: "purple" })],
  ]),
  ...table("HTTPRouteQueryParamMatching", "query-param-matching.example.com", [
    ["/?animal=whale", to("infra-backend-v1")],
    ["/?animal=dolphin", to("infra-backend-v2")],
    ["/?animal=dolphin&color=blue", to("infra-backend-v3")],
    ["/?ANIMAL=Whale", to("infra-backend-v3")],
    ["/?animal=whale&otherparam=irrelevant", to("infra-backend-v1")],
    ["/?animal=dolphin&color=yellow", to("infra-backend-v2")],
    ["/?color=blue", NONE],
    ["/?animal=dog", NONE],
    ["/?animal=whaledolphin", NONE],
    ["/", NONE],
    ["/path1?animal=whale", to("infra-backend-v1")],
    ["/?animal=whale", to("infra-backend-v2"), h({ version: "one" })],
    ["/path2?animal=whale", to("infra-backend-v3"), h({ version: "two" })],
    ["/path3?animal=shark", to("infra-backend-v1")],
    ["/path4?animal=kraken", to("infra-backend-v1"), h({ version: "three" })],
    ["/?animal=shark", NONE],
    ["/path4?animal=kraken", NONE],
    ["/path5?animal=hydra", to("infra-backend-v1")],
    ["/?animal=hydra", to("infra-backend-v3"), h({ version: "four" })],
  ]),
  ...table("HTTPRouteMethodMatching", "method-matching.example.com", [
    ["/", to("infra-backend-v1"), { method: "POST" }],
    ["/", to("infra-backend-v2"), { method: "GET" }],
    ["/", NONE, { method: "HEAD" }],
    ["/path1", to("infra-backend-v1"), { method: "GET" }],
    ["/", to("infra-backend-v2"), h({ version: "one" }, "PUT")],
    ["/path2", to("infra-backend-v3"), h({ version: "two" }, "POST")],
    ["/path3", to("infra-backend-v1"), { method: "PATCH" }],
    ["/path4", to("infra-backend-v1"), h({ version: "three" }, "DELETE")],
    ["/", NONE, { method: "PUT" }],
    ["/path4", NONE, { method: "DELETE" }],
    ["/path5", to("infra-backend-v1"), { method: "PATCH" }],
    ["/", to("infra-backend-v2"), h({ version: "four" }, "PATCH")],
  ]),
  ...table("HTTPRouteMatchingAcrossRoutes", "example.com", [
    ["/", to("infra-backend-v1")],
    ["/example", to("infra-backend-v1")],
    ["/example", to("infra-backend-v1"), h({ Version: "one" })],
    ["/v2", to("infra-backend-v2")],
    ["/v2/example", to("infra-backend-v2")],
    ["/", to("infra-backend-v2"), h({ Version: "two" })],
  ]),
  ...table("HTTPRouteMatchingAcrossRoutes", "example.net", [
    ["/example", to("infra-backend-v1")],
    ["/v2", to("infra-backend-v1")],
  ]),
  ...(
    [
      ["bar.com", to("infra-backend-v1")],
      ["foo.bar.com", to("infra-backend-v2")],
      ["baz.bar.com", to("infra-backend-v3")],
      ["boo.bar.com", to("infra-backend-v3")],
      ["multiple.prefixes.bar.com", to("infra-backend-v3")],
      ["multiple.prefixes.foo.com", to("infra-backend-v3")],
      ["foo.com", NONE],
      ["no.matching.host", NONE],
    ] as [string, GatewayCase["expect"]][]
  ).flatMap(([host, expect], i) => table(`HTTPRouteListenerHostnameMatching ${i}`, host, [["/", expect]])),
  ...(
    [
      ["very.specific.com", "/s1", to("infra-backend-v1")],
      ["very.specific.com:1234", "/s1", to("infra-backend-v1")],
      ["non.matching.com", "/s1", NONE],
      ["foo.nonmatchingwildcard.io", "/s1", NONE],
      ["foo.wildcard.io", "/s1", NONE],
      ["very.specific.com", "/non-matching-prefix", NONE],
      ["foo.wildcard.io", "/s2", to("infra-backend-v2")],
      ["bar.wildcard.io", "/s2", to("infra-backend-v2")],
      ["foo.bar.wildcard.io", "/s2", to("infra-backend-v2")],
      ["non.matching.com", "/s2", NONE],
      ["wildcard.io", "/s2", NONE],
      ["very.specific.com", "/s2", NONE],
      ["foo.wildcard.io", "/non-matching-prefix", NONE],
      ["very.specific.com", "/s3", to("infra-backend-v3")],
      ["non.matching.com", "/s3", NONE],
      ["foo.specific.com", "/s3", NONE],
      ["foo.wildcard.io", "/s3", NONE],
      ["foo.anotherwildcard.io", "/s4", to("infra-backend-v1")],
      ["bar.anotherwildcard.io", "/s4", to("infra-backend-v1")],
      ["foo.bar.anotherwildcard.io", "/s4", to("infra-backend-v1")],
      ["anotherwildcard.io", "/s4", NONE],
      ["foo.wildcard.io", "/s4", NONE],
      ["very.specific.com", "/s4", NONE],
      ["foo.anotherwildcard.io", "/non-matching-prefix", NONE],
      ["specific.but.wrong.com", "/s5", NONE],
      ["wildcard.io", "/s5", NONE],
      ["first.com", "/", to("infra-backend-v2")],
      ["sub.first.com", "/", to("infra-backend-v2")],
      ["second.com", "/", to("infra-backend-v2")],
      ["sub.second.com", "/", to("infra-backend-v2")],
      ["third.com", "/", NONE],
      ["sub.third.com", "/", NONE],
    ] as [string, string, GatewayCase["expect"]][]
  ).flatMap(([host, path, expect], i) => table(`HTTPRouteHostnameIntersection ${i}`, host, [[path, expect]])),
  ...table("HTTPRouteCrossNamespace", "cross-namespace.example.com", [["/", to("web-backend")]]),
  ...table("HTTPRouteInvalidCrossNamespaceParentRef", "invalid-parent.example.com", [["/", NONE]]),
  ...table("HTTPRouteInvalidParentRefNotMatchingSectionName", "invalid-section.example.com", [["/", NONE]]),
  ...table("HTTPRouteInvalidParentRefNotMatchingListenerPort", "invalid-port.example.com", [["/", NONE]]),
  ...table("HTTPRouteInvalidParentRefSectionNameNotMatchingPort", "invalid-section-port.example.com", [["/", NONE]]),
  ...table("HTTPRouteInvalidCrossNamespaceBackendRef", "references.example.com", [["/no-grant", { status: 500 }]]),
  ...table("HTTPRouteReferenceGrant", "references.example.com", [["/granted", to("app-backend-v1")]]),
  ...table("HTTPRouteInvalidNonExistentBackendRef", "references.example.com", [["/nonexistent", { status: 500 }]]),
  ...table("HTTPRouteInvalidBackendRefUnknownKind", "references.example.com", [["/unknown-kind", { status: 500 }]]),
  ...table("HTTPRouteOmittedBackendRefs", "references.example.com", [
    ["/forward", to("infra-backend-v1")],
    ["/omitted-no-forward", { status: 500 }],
    ["/empty-no-forward", { status: 500 }],
  ]),
  ...table("HTTPRouteRequestHeaderModifier", "request-header-modifier.example.com", [
    [
      "/set",
      {
        backend: "infra-backend-v1",
        received: { "some-other-header": "val", "x-header-set": "set-overwrites-values" },
      },
      h({ "Some-Other-Header": "val" }),
    ],
    [
      "/set",
      { backend: "infra-backend-v1", received: { "x-header-set": "set-overwrites-values" } },
      h({ "Some-Other-Header": "val", "X-Header-Set": "some-other-value" }),
    ],
    ["/add", { backend: "infra-backend-v1", received: { "x-header-add": "add-appends-values" } }],
    [
      "/add",
      { backend: "infra-backend-v1", received: { "x-header-add": "some-other-value, add-appends-values" } },
      h({ "X-Header-Add": "some-other-value" }),
    ],
    [
      "/remove",
      { backend: "infra-backend-v1", received: { "x-header-remove": null } },
      h({ "X-Header-Remove": "val" }),
    ],
    [
      "/case-insensitivity",
      {
        backend: "infra-backend-v1",
        received: {
          "x-header-set": "header-set",
          "x-header-add": "original-val-add, header-add",
          "x-header-remove": null,
          "another-header": "another-header-val",
        },
      },
      h({
        "x-header-set": "original-val-set",
        "x-header-add": "original-val-add",
        "x-header-remove": "original-val-remove",
        "Another-Header": "another-header-val",
      }),
    ],
  ]),
  ...table("HTTPRouteResponseHeaderModifier", "response-header-modifier.example.com", [
    [
      "/__set-header?Some-Other-Header=val&X-Header-Set=some-other-value&X-Header-Add=some-other-value&X-Header-Remove=val",
      {
        backend: "infra-backend-v1",
        response: {
          "some-other-header": "val",
          "x-header-set": "set-overwrites-values",
          "x-header-add": "some-other-value, add-appends-values",
          "x-header-remove": null,
        },
      },
    ],
  ]),
  ...table("HTTPRouteRedirectPath", "redirect.example.com", [
    ["/original-prefix/lemon", { redirect: 302, location: "http://redirect.example.com/replacement-prefix/lemon" }],
    ["/full/path/original", { redirect: 302, location: "http://redirect.example.com/full-path-replacement" }],
    ["/path-and-host", { redirect: 302, location: "http://example.org/replacement-prefix" }],
    ["/path-and-status", { redirect: 301, location: "http://redirect.example.com/replacement-prefix" }],
    ["/full-path-and-host", { redirect: 302, location: "http://example.org/replacement-full" }],
    ["/full-path-and-status", { redirect: 301, location: "http://redirect.example.com/replacement-full" }],
  ]),
  ...table("HTTPRouteRedirectPort", "redirect.example.com", [
    ["/port", { redirect: 302, location: "http://redirect.example.com:8083/port" }],
    ["/port-and-host", { redirect: 302, location: "http://example.org:8083/port-and-host" }],
    ["/port-and-status", { redirect: 301, location: "http://redirect.example.com:8083/port-and-status" }],
    ["/port-and-host-and-status", { redirect: 302, location: "http://example.org:8083/port-and-host-and-status" }],
  ]),
  ...table("HTTPRouteRedirectHostAndStatus", "redirect.example.com", [
    ["/hostname-redirect", { redirect: 302, location: "http://example.org/hostname-redirect" }],
    ["/host-and-status", { redirect: 301, location: "http://example.org/host-and-status" }],
  ]),
  ...table("HTTPRouteRedirectPortAndScheme", "redirect.example.com", [
    ["/scheme-nil-and-port-nil", { redirect: 302, location: "http://example.org/scheme-nil-and-port-nil" }],
    ["/scheme-nil-and-port-80", { redirect: 302, location: "http://example.org/scheme-nil-and-port-80" }],
    ["/scheme-nil-and-port-8080", { redirect: 302, location: "http://example.org:8080/scheme-nil-and-port-8080" }],
    ["/scheme-https-and-port-nil", { redirect: 302, location: "https://example.org/scheme-https-and-port-nil" }],
    ["/scheme-https-and-port-443", { redirect: 302, location: "https://example.org/scheme-https-and-port-443" }],
    ["/scheme-https-and-port-8443", { redirect: 302, location: "https://example.org:8443/scheme-https-and-port-8443" }],
  ]),
  ...table("HTTPRouteRedirectPortAndScheme (HTTPS listener)", "redirect.example.com", [
    [
      "/scheme-nil-and-port-nil",
      { redirect: 302, location: "https://example.org/scheme-nil-and-port-nil" },
      { https: true },
    ],
    [
      "/scheme-nil-and-port-80",
      { redirect: 302, location: "https://example.org:80/scheme-nil-and-port-80" },
      { https: true },
    ],
    [
      "/scheme-nil-and-port-443",
      { redirect: 302, location: "https://example.org/scheme-nil-and-port-443" },
      { https: true },
    ],
    [
      "/scheme-nil-and-port-8443",
      { redirect: 302, location: "https://example.org:8443/scheme-nil-and-port-8443" },
      { https: true },
    ],
    [
      "/scheme-http-and-port-nil",
      { redirect: 302, location: "http://example.org/scheme-http-and-port-nil" },
      { https: true },
    ],
    [
      "/scheme-http-and-port-80",
      { redirect: 302, location: "http://example.org/scheme-http-and-port-80" },
      { https: true },
    ],
    [
      "/scheme-http-and-port-8080",
      { redirect: 302, location: "http://example.org:8080/scheme-http-and-port-8080" },
      { https: true },
    ],
  ]),
  ...table("HTTPRouteRedirectScheme", "redirect.example.com", [
    ["/scheme?q=1", { redirect: 302, location: "https://redirect.example.com/scheme?q=1" }],
    ["/scheme-and-host", { redirect: 302, location: "https://example.org/scheme-and-host" }],
    ["/scheme-and-status", { redirect: 301, location: "https://redirect.example.com/scheme-and-status" }],
    ["/scheme-and-host-and-status", { redirect: 302, location: "https://example.org/scheme-and-host-and-status" }],
  ]),
  ...table("HTTPRoute303Redirect", "redirect.example.com", [
    ["/303", { redirect: 303, location: "http://redirect.example.com/303" }],
  ]),
  ...table("HTTPRoute307Redirect", "redirect.example.com", [
    ["/307", { redirect: 307, location: "http://redirect.example.com/307" }],
  ]),
  ...table("HTTPRoute308Redirect", "redirect.example.com", [
    ["/308", { redirect: 308, location: "http://redirect.example.com/308" }],
  ]),
  ...table("HTTPRouteRewritePath", "rewrite-path.example.com", [
    ["/prefix/one/two", { backend: "infra-backend-v1", target: "/one/two" }],
    ["/strip-prefix/three", { backend: "infra-backend-v1", target: "/three" }],
    ["/strip-prefix", { backend: "infra-backend-v1", target: "/" }],
    ["/full/one/two?x=1", { backend: "infra-backend-v1", target: "/one?x=1" }],
    [
      "/full/rewrite-path-and-modify-headers/test",
      {
        backend: "infra-backend-v1",
        target: "/test",
        received: {
          "x-header-add": "header-val-1",
          "x-header-add-append": "append-val-1, header-val-2",
          "x-header-set": "set-overwrites-values",
          "x-header-remove": null,
        },
      },
      h({ "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1", "X-Header-Set": "set-val" }),
    ],
    [
      "/prefix/rewrite-path-and-modify-headers/one",
      {
        backend: "infra-backend-v1",
        target: "/prefix/one",
        received: {
          "x-header-add": "header-val-1",
          "x-header-add-append": "append-val-1, header-val-2",
          "x-header-set": "set-overwrites-values",
          "x-header-remove": null,
        },
      },
      h({ "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1", "X-Header-Set": "set-val" }),
    ],
  ]),
  ...table("HTTPRouteExactPathMatching", "exact-path-matching.example.com", [
    ["/one", to("infra-backend-v1")],
    ["/two", to("infra-backend-v2")],
    ["/", NONE],
    ["/one/example", NONE],
    ["/two/", NONE],
    ["/Two", NONE],
  ]),
  ...table("HTTPRouteRequestTimeout", "timeout.example.com", [
    ["/__delay/0", to("infra-backend-v1")],
    ["/__delay/1500", { status: 504 }],
  ]),
  ...table("HTTPRouteDisableRequestTimeout", "no-timeout.example.com", [["/__delay/1500", to("infra-backend-v1")]]),
  ...table("HTTPRouteTimeoutBackendRequest", "backend-timeout.example.com", [
    ["/__delay/0", to("infra-backend-v1")],
    ["/__delay/1500", { status: 504 }],
  ]),
  ...table("HTTPRouteHTTPSListener", "https-only.example.com", [
    ["/", to("infra-backend-v3"), { https: true }],
    ["/", NONE],
  ]),
  ...table("HTTPRouteHTTPSListener (route on both listeners)", "matching.example.com", [
    ["/v2", to("infra-backend-v2"), { https: true }],
  ]),
];
