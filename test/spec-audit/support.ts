/**
 * Helpers for the spec audit (test/spec-audit/): compile manifests with the real compiler, then resolve request
 * URLs with the real matcher, exactly as `routes explain` and the Worker do. Manifests come from the compiler
 * test fixtures (test/core/compile/fixtures.ts), so each case states only what the specification is about.
 */
import { normalizeHost, normalizePath, resolveRoute, tableLookup } from "../../worker/core/index.ts";
import type { CompiledRoute } from "../../worker/core/index.ts";
import type { CompileOptions, CompileResult } from "../../worker/core/compile/index.ts";
import { run } from "../core/compile/fixtures.ts";

/** What a request URL resolves to: the serving route, a redirect to HTTPS, nothing, or a 400 for the request. */
export type Outcome =
  | { outcome: "route"; route: CompiledRoute }
  | { outcome: "redirect"; route: CompiledRoute }
  | { outcome: "none" }
  | { outcome: "bad-request" };

export interface Compiled {
  result: CompileResult;
  resolve(url: string): Outcome;
  /** Short form for case tables: `<route id> <match> <path>`, `redirect:<route id>`, `none` or `400`. */
  serve(url: string): string;
}

export function compiled(objects: unknown[], options: Partial<CompileOptions> = {}): Compiled {
  const result = run(objects, options);
  const lookup = tableLookup(result.table.shards);
  const resolve = (url: string): Outcome => {
    const parsed = new URL(url);
    const host = normalizeHost(parsed.host);
    const path = normalizePath(parsed.pathname);
    if (host === null || !path.ok) return { outcome: "bad-request" };
    return resolveRoute(lookup, host, path.path, parsed.protocol === "https:");
  };
  return {
    result,
    resolve,
    serve(url) {
      const r = resolve(url);
      if (r.outcome === "none") return "none";
      if (r.outcome === "bad-request") return "400";
      if (r.outcome === "redirect") return `redirect:${r.route.id}`;
      return `${r.route.id} ${r.route.match} ${r.route.path === "" ? "(root)" : r.route.path}`;
    },
  };
}

/** Error diagnostics, as `field: message` lines, for assertions on what a user is told. */
export function errors(result: CompileResult): string[] {
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.field}: ${d.message}`);
}
