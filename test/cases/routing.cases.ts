/**
 * One table of routing cases, run against the core matcher (test/core/routing.test.ts) and end to end through
 * the real gateway in wrangler dev (test/e2e/routing.test.ts). Ids name their source: "os:" the OpenShift router
 * (docs/design-notes.md#matching), "k8s:" the Kubernetes Ingress spec, "gw:" the Gateway API specification
 * (https://gateway-api.sigs.k8s.io/reference/spec/#httproutespec, hostnames), "er:" our own decisions.
 */
import { route } from "../support/route-builder.ts";
import type { CompiledRoute } from "../../worker/core/table/types.ts";

export const ROUTING_ROUTES: CompiledRoute[] = [
  route({ id: "shop/root", host: "shop.example.com", path: "" }),
  route({ id: "shop/sub", host: "shop.example.com", path: "/sub" }),
  route({ id: "shop/sub-slash", host: "shop.example.com", path: "/sub/" }),
  route({ id: "shop/sub-deep", host: "shop.example.com", path: "/sub/deep" }),
  route({ id: "shop/Case", host: "shop.example.com", path: "/Case" }),
  route({ id: "api/exact-health", kind: "Ingress", host: "api.example.com", path: "/healthz", match: "exact" }),
  route({ id: "api/prefix-health", kind: "Ingress", host: "api.example.com", path: "/healthz", match: "prefix" }),
  route({ id: "api/v1", kind: "Ingress", host: "api.example.com", path: "/v1", match: "prefix" }),
  route({ id: "api/exact-root", kind: "Ingress", host: "api.example.com", path: "/", match: "exact" }),
  route({ id: "wild/any", host: "*.apps.example.com", path: "" }),
  route({ id: "wild/admin", host: "*.apps.example.com", path: "/admin" }),
  route({ id: "apps/www", host: "www.apps.example.com", path: "/only" }),
  route({
    id: "tls/redirect",
    host: "secure.example.com",
    path: "",
    tls: { termination: "edge", insecure: "Redirect" },
  }),
  route({ id: "tls/plain-well-known", host: "secure.example.com", path: "/.well-known" }),
  route({ id: "tls/none", host: "none.example.com", path: "", tls: { termination: "edge", insecure: "None" } }),
  route({ id: "tls/allow", host: "allow.example.com", path: "", tls: { termination: "edge", insecure: "Allow" } }),
  // Gateway API wildcards cover any number of labels; the longest matching wildcard wins.
  route({ id: "gw/deep", kind: "HTTPRoute", host: "*.gw.example.com", path: "" }),
  route({ id: "gw/longer", kind: "HTTPRoute", host: "*.b.gw.example.com", path: "/" }),
  route({ id: "gw/apps", kind: "HTTPRoute", host: "*.apps.example.com", path: "/gw" }),
  // The catch-all (an Ingress rule without a host): hosts and paths no other route serves.
  route({ id: "default/fallback", kind: "Ingress", host: "*", path: "/fallback" }),
];

export interface RoutingCase {
  id: string;
  url: string;
  /** The route id that serves it, `redirect:<route id>` for a 302 to HTTPS, or `none`. */
  expect: string;
}

export const ROUTING_CASES: RoutingCase[] = [
  { id: "os:root serves everything", url: "http://shop.example.com/anything/else", expect: "shop/root" },
  { id: "os:/sub serves /sub", url: "http://shop.example.com/sub", expect: "shop/sub" },
  { id: "os:/sub/ serves /sub/ (longer wins)", url: "http://shop.example.com/sub/", expect: "shop/sub-slash" },
  { id: "os:/sub/ serves /sub/x", url: "http://shop.example.com/sub/x", expect: "shop/sub-slash" },
  { id: "os:/sub/deep is most specific", url: "http://shop.example.com/sub/deep/er", expect: "shop/sub-deep" },
  { id: "os:segment boundary: /subpar is not /sub", url: "http://shop.example.com/subpar", expect: "shop/root" },
  { id: "os:host is case-insensitive", url: "http://SHOP.Example.COM/sub", expect: "shop/sub" },
  { id: "os:trailing dot and port are ignored", url: "http://shop.example.com.:8080/sub", expect: "shop/sub" },
  { id: "os:query plays no part", url: "http://shop.example.com/sub?x=/sub/deep", expect: "shop/sub" },
  { id: "os:paths are case-sensitive", url: "http://shop.example.com/case", expect: "shop/root" },
  { id: "os:paths are case-sensitive (match)", url: "http://shop.example.com/Case/x", expect: "shop/Case" },
  { id: "os:unknown host", url: "http://nobody.example.com/", expect: "none" },
  { id: "k8s:Exact beats Prefix at equal length", url: "http://api.example.com/healthz", expect: "api/exact-health" },
  {
    id: "k8s:Exact does not serve a trailing slash",
    url: "http://api.example.com/healthz/",
    expect: "api/prefix-health",
  },
  { id: "k8s:Prefix /v1 serves /v1/", url: "http://api.example.com/v1/", expect: "api/v1" },
  { id: "k8s:Prefix /v1 is not /v12", url: "http://api.example.com/v12", expect: "none" },
  { id: "gw:wildcard covers one label", url: "http://a.gw.example.com/x", expect: "gw/deep" },
  { id: "gw:wildcard covers several labels", url: "http://a.b.c.gw.example.com/x", expect: "gw/deep" },
  { id: "gw:wildcard does not cover the bare suffix", url: "http://gw.example.com/x", expect: "none" },
  { id: "gw:the longer wildcard wins", url: "http://x.b.gw.example.com/x", expect: "gw/longer" },
  { id: "gw:the longer wildcard wins, several labels deep", url: "http://a.x.b.gw.example.com/", expect: "gw/longer" },
  { id: "gw:the shorter wildcard covers the longer one's suffix", url: "http://b.gw.example.com/", expect: "gw/deep" },
  {
    id: "gw:an HTTPRoute wildcard beside a Route wildcard",
    url: "http://a.b.apps.example.com/gw/x",
    expect: "gw/apps",
  },
  { id: "os:the Route wildcard beside it stays one label", url: "http://a.b.apps.example.com/x", expect: "none" },
  { id: "os:one label below, the longer path wins", url: "http://a.apps.example.com/gw", expect: "gw/apps" },
  {
    id: "k8s:a host no route names reaches the catch-all",
    url: "http://nobody.example.com/fallback/x",
    expect: "default/fallback",
  },
  {
    id: "k8s:a named host's unmatched path reaches the catch-all",
    url: "http://api.example.com/fallback",
    expect: "default/fallback",
  },
  {
    id: "k8s:a wildcard host's unmatched path reaches the catch-all",
    url: "http://a.b.apps.example.com/fallback",
    expect: "default/fallback",
  },
  {
    id: "k8s:a named host's route comes before the catch-all",
    url: "http://shop.example.com/fallback",
    expect: "shop/root",
  },
  { id: "k8s:a bare IP address reaches the catch-all", url: "http://192.0.2.1/fallback", expect: "default/fallback" },
  { id: "k8s:Exact / serves only /", url: "http://api.example.com/", expect: "api/exact-root" },
  { id: "k8s:wildcard covers one label", url: "http://a.apps.example.com/x", expect: "wild/any" },
  { id: "k8s:wildcard does not cover two labels", url: "http://a.b.apps.example.com/x", expect: "none" },
  { id: "k8s:wildcard does not cover the bare suffix", url: "http://apps.example.com/x", expect: "none" },
  { id: "os:exact host beats wildcard", url: "http://www.apps.example.com/only/x", expect: "apps/www" },
  { id: "os:exact host falls back to wildcard paths", url: "http://www.apps.example.com/admin", expect: "wild/admin" },
  { id: "os:Redirect on plain HTTP", url: "http://secure.example.com/login?next=/a", expect: "redirect:tls/redirect" },
  { id: "os:Redirect route over HTTPS is served", url: "https://secure.example.com/login", expect: "tls/redirect" },
  {
    id: "os:a more specific plain-HTTP route beats the host-level Redirect",
    url: "http://secure.example.com/.well-known/acme",
    expect: "tls/plain-well-known",
  },
  { id: "os:plain route is not served over HTTPS", url: "https://shop.example.com/sub", expect: "none" },
  { id: "os:TLS route with None is not served over HTTP", url: "http://none.example.com/", expect: "none" },
  { id: "os:TLS route with None is served over HTTPS", url: "https://none.example.com/", expect: "tls/none" },
  { id: "os:Allow serves HTTP", url: "http://allow.example.com/", expect: "tls/allow" },
  { id: "os:Allow serves HTTPS", url: "https://allow.example.com/", expect: "tls/allow" },
  { id: "er:%61 is a", url: "http://www.apps.example.com/%61dmin", expect: "wild/admin" },
  { id: "er:dot segments resolve", url: "http://www.apps.example.com/only/../admin", expect: "wild/admin" },
  { id: "er:%2e%2e resolves", url: "http://www.apps.example.com/only/%2e%2e/admin", expect: "wild/admin" },
  { id: "er:repeated slashes collapse", url: "http://www.apps.example.com//admin", expect: "wild/admin" },
  {
    id: "er:;params are not part of a segment",
    url: "http://www.apps.example.com/admin;x=1/secret",
    expect: "wild/admin",
  },
  { id: "er:;params on the last segment", url: "http://www.apps.example.com/admin;jsessionid=A", expect: "wild/admin" },
  { id: "er:an Exact path with ;params", url: "http://api.example.com/healthz;x", expect: "api/exact-health" },
  { id: "er:a segment of only ;params is dropped", url: "http://www.apps.example.com/;x/admin", expect: "wild/admin" },
];
