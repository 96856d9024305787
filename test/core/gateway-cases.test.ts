/**
 * The conformance-derived HTTPRoute case table (test/cases/gateway.cases.ts) against the compiler and the core
 * matcher, redirect and rewrite functions: the routing decision of every case, before the e2e run checks what the
 * backend received.
 */
import { describe, expect, it } from "vitest";
import {
  modifyPath,
  normalizeHost,
  redirectLocation,
  resolveRoute,
  tableLookup,
  type RequestFacts,
} from "../../worker/core/index.ts";
import { parseAllDocuments } from "yaml";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../worker/core/compile/index.ts";
import { GATEWAY_BACKENDS, GATEWAY_CASES, GATEWAY_MANIFESTS } from "../cases/gateway.cases.ts";

const PORTS = new Map(GATEWAY_BACKENDS.map((name, i) => [name, 20_000 + i]));
const text = GATEWAY_MANIFESTS.replace(/\{\{port:([\w-]+)\}\}/g, (_, name: string) => String(PORTS.get(name)));
const result = compile(
  parseAllDocuments(text).map((doc, i) => ({ source: { file: "gateway.yaml", doc: i }, object: doc.toJSON() })),
  DEFAULT_COMPILE_OPTIONS,
);
const lookup = tableLookup(result.table.shards);

describe("the Gateway API case table compiles", () => {
  it("without errors", () => {
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("Gateway API conformance cases (core)", () => {
  it.each(GATEWAY_CASES)("$id", (c) => {
    const url = new URL(`${c.https ? "https" : "http"}://${c.host}${c.path}`);
    const headers = new Map(Object.entries(c.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const facts: RequestFacts = {
      method: c.method ?? "GET",
      header: (name) => headers.get(name) ?? null,
      query: (name) => url.searchParams.get(name),
    };
    const host = normalizeHost(c.host) as string;
    const resolution = resolveRoute(lookup, host, url.pathname, c.https === true, facts);
    const e = c.expect;
    if ("none" in e) {
      expect(resolution.outcome).toBe("none");
      return;
    }
    if (resolution.outcome === "none") throw new Error(`no route for ${c.id}`);
    const route = resolution.route;
    if ("redirect" in e) {
      const redirect = route.gateway?.redirect;
      expect(redirect?.statusCode).toBe(e.redirect);
      if (redirect === undefined) return;
      const request = { https: c.https === true, host, path: url.pathname, search: url.search };
      expect(redirectLocation(redirect, route, request)).toBe(e.location);
    } else if ("status" in e) {
      if (e.status === 500) expect(route.backends.filter((b) => b.weight > 0 && b.invalid === undefined)).toEqual([]);
      else expect(route.timeoutMs).toBeLessThan(1500);
    } else {
      const live = route.backends.filter((b) => b.weight > 0 && b.invalid === undefined);
      expect(live.map((b) => b.service.split("/")[1])).toEqual([e.backend]);
      if (e.target !== undefined) {
        const rewrite = route.gateway?.rewrite?.path;
        const path = rewrite === undefined ? url.pathname : modifyPath(rewrite, route.path, url.pathname);
        expect(`${path}${url.search}`).toBe(e.target);
      }
    }
  });
});
