import { describe, expect, it } from "vitest";
import { fnv1aHex } from "../../../worker/core/hash.ts";
import type { CompiledRoute } from "../../../worker/core/table/types.ts";
import type { Diagnostic } from "../../../worker/core/compile/types.ts";
import { only, problems, route, run, service } from "./fixtures.ts";

const A = "haproxy.router.openshift.io/";
const field = (name: string) => `metadata.annotations["${name}"]`;

/** Compile one route with annotations; returns the admitted route and the non-notice diagnostics. */
function annotated(
  annotations: Record<string, string>,
  o: { tls?: Record<string, unknown>; spec?: Record<string, unknown> } = {},
): { route: CompiledRoute; diagnostics: Diagnostic[] } {
  const result = run([route("web", { annotations, ...o }), service("web"), service("api")]);
  return { route: only(result.admitted), diagnostics: problems(result) };
}

describe("router annotations", () => {
  it("uses the defaults without annotations", () => {
    const { route: r, diagnostics } = annotated({});
    expect(diagnostics).toEqual([]);
    expect(r).toMatchObject({
      timeoutMs: 30000,
      balance: "random",
      forwarded: "append",
      rewriteTarget: null,
      hsts: null,
      ipAllowlist: null,
      rateLimit: null,
    });
    expect(r.cookie).toEqual({ name: `er_${fnv1aHex("shop/web")}`, sameSite: "None" });
  });

  it.each([
    ["250", 250],
    ["5s", 5000],
    ["2m", 120000],
    ["1h", 3600000],
    ["1d", 86400000],
    ["1500us", 2],
    ["99999999999d", 2147483647],
  ])("parses timeout %s as %d ms", (value, ms) => {
    expect(annotated({ [`${A}timeout`]: value }).route.timeoutMs).toBe(ms);
  });

  it.each(["0", "1.5s", "10 s", "5sec", ""])(
    "ignores invalid timeout %j with a warning naming the annotation",
    (value) => {
      const { route: r, diagnostics } = annotated({ [`${A}timeout`]: value });
      expect(r.timeoutMs).toBe(30000);
      const d = only(diagnostics);
      expect(d).toMatchObject({ severity: "warning", code: "InvalidAnnotation", field: field(`${A}timeout`) });
      expect(d.message).toContain("ignored");
      expect(d.message).toContain("us, ms, s, m, h or d");
    },
  );

  it("balance: annotation wins; roundrobin by default with several weighted backends", () => {
    expect(annotated({ [`${A}balance`]: "leastconn" }).route.balance).toBe("leastconn");
    const two = { spec: { alternateBackends: [{ kind: "Service", name: "api", weight: 10 }] } };
    expect(annotated({}, two).route.balance).toBe("roundrobin");
    const zero = { spec: { alternateBackends: [{ kind: "Service", name: "api", weight: 0 }] } };
    expect(annotated({}, zero).route.balance).toBe("random");
    const bad = annotated({ [`${A}balance`]: "fastest" });
    expect(bad.route.balance).toBe("random");
    expect(only(bad.diagnostics).message).toContain("roundrobin, leastconn, source, random");
  });

  it("ip_allowlist: canonical CIDRs, invalid entries dropped one by one, whitespace-padded lists ignored", () => {
    expect(annotated({ [`${A}ip_allowlist`]: "10.0.0.1 192.168.0.0/16 2001:db8::/32" }).route.ipAllowlist).toEqual([
      "10.0.0.1/32",
      "192.168.0.0/16",
      "2001:db8::/32",
    ]);
    const partly = annotated({ [`${A}ip_allowlist`]: "10.0.0.1 bogus" });
    expect(partly.route.ipAllowlist).toEqual(["10.0.0.1/32"]);
    expect(only(partly.diagnostics).message).toContain('"bogus"');
    const padded = annotated({ [`${A}ip_allowlist`]: " 10.0.0.1" });
    expect(padded.route.ipAllowlist).toBeNull();
    expect(only(padded.diagnostics).message).toContain("whole list is ignored");
    expect(annotated({ [`${A}ip_whitelist`]: "10.0.0.0/8" }).route.ipAllowlist).toEqual(["10.0.0.0/8"]);
    expect(annotated({ [`${A}ip_allowlist`]: "10.0.0.1", [`${A}ip_whitelist`]: "10.0.0.2" }).route.ipAllowlist).toEqual(
      ["10.0.0.1/32"],
    );
  });

  it("hsts_header: only valid values, only on TLS routes", () => {
    const value = "max-age=31536000;includeSubDomains;preload";
    expect(annotated({ [`${A}hsts_header`]: value }, { tls: { termination: "edge" } }).route.hsts).toBe(value);
    expect(
      annotated({ [`${A}hsts_header`]: 'preload; max-age="100"' }, { tls: { termination: "reencrypt" } }).route.hsts,
    ).toBe('preload; max-age="100"');
    const invalid = annotated({ [`${A}hsts_header`]: "min-age=100" }, { tls: { termination: "edge" } });
    expect(invalid.route.hsts).toBeNull();
    expect(only(invalid.diagnostics)).toMatchObject({ code: "InvalidAnnotation", field: field(`${A}hsts_header`) });
    const plain = annotated({ [`${A}hsts_header`]: value });
    expect(plain.route.hsts).toBeNull();
    expect(only(plain.diagnostics).message).toContain("plain HTTP");
  });

  it("rewrite-target: sanitised literal, must start with /", () => {
    expect(annotated({ [`${A}rewrite-target`]: "/" }).route.rewriteTarget).toBe("/");
    expect(annotated({ [`${A}rewrite-target`]: "/v2'" }).route.rewriteTarget).toBe("/v2");
    const bad = annotated({ [`${A}rewrite-target`]: "v2" });
    expect(bad.route.rewriteTarget).toBeNull();
    expect(only(bad.diagnostics).message).toContain('must start with "/"');
  });

  it("set-forwarded-headers", () => {
    expect(annotated({ [`${A}set-forwarded-headers`]: "never" }).route.forwarded).toBe("never");
    expect(only(annotated({ [`${A}set-forwarded-headers`]: "drop" }).diagnostics).message).toContain(
      "append, replace, if-none, never",
    );
  });

  it("cookies: disable_cookies (Go ParseBool), cookie_name, cookie-same-site", () => {
    expect(annotated({ [`${A}disable_cookies`]: "T" }).route.cookie).toBeNull();
    expect(annotated({ [`${A}disable_cookies`]: "false" }).route.cookie).not.toBeNull();
    expect(only(annotated({ [`${A}disable_cookies`]: "yes" }).diagnostics).field).toBe(field(`${A}disable_cookies`));
    expect(
      annotated({ "router.openshift.io/cookie_name": "my_cookie-1", "router.openshift.io/cookie-same-site": "Strict" })
        .route.cookie,
    ).toEqual({ name: "my_cookie-1", sameSite: "Strict" });
    const bad = annotated({
      "router.openshift.io/cookie_name": "bad name",
      "router.openshift.io/cookie-same-site": "lax",
    });
    expect(bad.route.cookie).toEqual({ name: `er_${fnv1aHex("shop/web")}`, sameSite: "None" });
    expect(bad.diagnostics.map((d) => d.field)).toEqual([
      field("router.openshift.io/cookie_name"),
      field("router.openshift.io/cookie-same-site"),
    ]);
  });

  it("notes router annotations edgeroute does not support", () => {
    const result = run([
      route("web", { annotations: { [`${A}timeout-tunnel`]: "1h", "example.com/owner": "team" } }),
      service("web"),
    ]);
    const d = only(result.diagnostics);
    expect(d).toMatchObject({ severity: "notice", code: "UnsupportedFeature", field: field(`${A}timeout-tunnel`) });
    expect(d.message).toContain("not supported by edgeroute");
    expect(result.admitted).toHaveLength(1);
  });

  it("rate-limit-connections.rate-http maps onto the largest tier not above the request", () => {
    const exact = annotated({
      [`${A}rate-limit-connections`]: "true",
      [`${A}rate-limit-connections.rate-http`]: "100",
    });
    expect(exact.diagnostics).toEqual([]);
    expect(exact.route.rateLimit).toEqual({ requested: 100, binding: "RATE_LIMIT_100", limit: 100, periodSeconds: 10 });
    const rounded = annotated({
      [`${A}rate-limit-connections`]: "true",
      [`${A}rate-limit-connections.rate-http`]: "30",
    });
    expect(rounded.route.rateLimit).toEqual({ requested: 30, binding: "RATE_LIMIT_20", limit: 20, periodSeconds: 10 });
    expect(only(rounded.diagnostics).message).toContain("rounded down to 20");
    expect(only(rounded.diagnostics).message).toContain("30");
  });

  it("rate limits: disabled without rate-limit-connections, TCP limits not enforceable, bad numbers ignored", () => {
    const off = annotated({ [`${A}rate-limit-connections.rate-http`]: "100" });
    expect(off.route.rateLimit).toBeNull();
    expect(only(off.diagnostics).message).toContain('is not "true"');
    const tcp = annotated({
      [`${A}rate-limit-connections`]: "true",
      [`${A}rate-limit-connections.rate-tcp`]: "10",
      [`${A}rate-limit-connections.concurrent-tcp`]: "5",
    });
    expect(tcp.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ["warning", "UnsupportedFeature"],
      ["warning", "UnsupportedFeature"],
    ]);
    expect(tcp.diagnostics[0]?.message).toContain("not enforceable at an HTTP edge");
    expect(
      annotated({ [`${A}rate-limit-connections`]: "true", [`${A}rate-limit-connections.rate-http`]: "0" }).route
        .rateLimit,
    ).toBeNull();
  });
});
