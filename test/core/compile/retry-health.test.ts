/** Retry and health-check annotations: the router's retry-on/retries (openshift/router PR 839) and check interval. */
import { describe, expect, it } from "vitest";
import { compactRoute, restoreRoute } from "../../../worker/core/table/route-json.ts";
import type { CompiledRoute } from "../../../worker/core/table/types.ts";
import type { Diagnostic } from "../../../worker/core/compile/types.ts";
import { only, problems, route, run, service } from "./fixtures.ts";

const A = "haproxy.router.openshift.io/";
const field = (name: string) => `metadata.annotations["${name}"]`;

function annotated(annotations: Record<string, string>): { route: CompiledRoute; diagnostics: Diagnostic[] } {
  const result = run([route("web", { annotations }), service("web")]);
  return { route: only(result.admitted), diagnostics: problems(result) };
}

describe("retry annotations", () => {
  it("defaults: 3 retries on conn-failure and empty-response, probes of / every 5 s, 2xx/3xx up", () => {
    const { route: r, diagnostics } = annotated({});
    expect(diagnostics).toEqual([]);
    expect(r).toMatchObject({
      retries: 3,
      retryOn: "conn-failure empty-response",
      healthIntervalMs: 5000,
      healthPath: "/",
      healthExpect: "200-399",
    });
  });

  it.each([
    ["503", "503"],
    ["conn-failure,503", "conn-failure 503"],
    ["conn-failure response-timeout 503", "conn-failure response-timeout 503"],
    [
      "all-retryable-errors",
      "conn-failure empty-response junk-response response-timeout 0rtt-rejected 500 502 503 504",
    ],
    ["none", "none"],
  ])("retry-on %j compiles to %j", (value, compiled) => {
    const { route: r, diagnostics } = annotated({ [`${A}retry-on`]: value });
    expect(diagnostics).toEqual([]);
    expect(r.retryOn).toBe(compiled);
  });

  it.each(["sometimes", "503,teapot", "none 503", ""])("ignores retry-on %j with a warning", (value) => {
    const { route: r, diagnostics } = annotated({ [`${A}retry-on`]: value });
    expect(r.retryOn).toBe("conn-failure empty-response");
    const d = only(diagnostics);
    expect(d).toMatchObject({ severity: "warning", code: "InvalidAnnotation", field: field(`${A}retry-on`) });
    expect(d.message).toContain("conn-failure, empty-response");
  });

  it.each([
    ["0", 0],
    ["99", 99],
  ])("retries %j is %d", (value, n) => {
    expect(annotated({ [`${A}retries`]: value }).route.retries).toBe(n);
  });

  it.each(["100", "-1", "three", "2.5"])("ignores retries %j with a warning saying 0 to 99", (value) => {
    const { route: r, diagnostics } = annotated({ [`${A}retries`]: value });
    expect(r.retries).toBe(3);
    expect(only(diagnostics).message).toContain("0 to 99");
  });
});

describe("health check annotations", () => {
  const interval = "router.openshift.io/haproxy.health.check.interval";

  it("reads the interval as a router time spec, at least 1 s", () => {
    expect(annotated({ [interval]: "2s" }).route.healthIntervalMs).toBe(2000);
    expect(annotated({ [interval]: "1500" }).route.healthIntervalMs).toBe(1500);
    const fast = annotated({ [interval]: "100ms" });
    expect(fast.route.healthIntervalMs).toBe(1000);
    expect(only(fast.diagnostics).message).toContain("minimum 1s");
    const bad = annotated({ [interval]: "often" });
    expect(bad.route.healthIntervalMs).toBe(5000);
    expect(only(bad.diagnostics)).toMatchObject({ code: "InvalidAnnotation", field: field(interval) });
  });

  it("reads the probe path and the expected statuses, and ignores bad ones with a warning", () => {
    const ok = annotated({
      "health.edgeroute.dev/path": "/healthz?full=1",
      "health.edgeroute.dev/expect-status": "200-299, 404",
    });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.route).toMatchObject({ healthPath: "/healthz?full=1", healthExpect: "200-299,404" });
    const bad = annotated({ "health.edgeroute.dev/path": "healthz", "health.edgeroute.dev/expect-status": "399-200" });
    expect(bad.route).toMatchObject({ healthPath: "/", healthExpect: "200-399" });
    expect(bad.diagnostics.map((d) => d.field).sort()).toEqual([
      field("health.edgeroute.dev/expect-status"),
      field("health.edgeroute.dev/path"),
    ]);
  });

  it("leaves defaults out of the published route and restores them", () => {
    const plain = annotated({}).route;
    const compact = compactRoute(plain, () => 0);
    expect(Object.keys(compact)).not.toContain("retries");
    const custom = annotated({ [`${A}retries`]: "1", [`${A}retry-on`]: "503", [interval]: "2s" }).route;
    const restored = restoreRoute(
      compactRoute(custom, () => 0) as Parameters<typeof restoreRoute>[0],
      custom.host,
      false,
      () => custom.backends,
    );
    expect(restored).toEqual(custom);
  });
});
