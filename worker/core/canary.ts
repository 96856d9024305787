/**
 * @module Which side of a canary a request belongs to (types.ts `Canary`): shared by the Worker's select phase and
 * `routes explain`, so both decide alike.
 */
import type { RequestFacts } from "./gateway.ts";
import type { Canary } from "./table/types.ts";

export type CanaryDecision = { side: "canary" | "primary"; by: string } | undefined;

/** Compiled patterns, by source: a pattern is compiled once per isolate, not per request. */
const PATTERNS = new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let re = PATTERNS.get(source);
  if (re === undefined) PATTERNS.set(source, (re = new RegExp(source)));
  return re;
}

/**
 * The side a request's header, cookie or query parameter chooses, in ingress-nginx's precedence, with what decided
 * (for logs and `explain`); `undefined` when none of them decides (then the canary weight, if any, or the normal pick).
 */
export function canaryDecision(
  canary: Canary,
  facts: RequestFacts,
  cookie: (name: string) => string | undefined,
): CanaryDecision {
  const h = canary.header;
  if (h !== undefined) {
    const value = facts.header(h.name);
    if (value !== null) {
      if (h.value !== undefined) {
        if (value === h.value) return { side: "canary", by: `header ${h.name}: ${value}` };
      } else if (h.pattern !== undefined) {
        if (pattern(h.pattern).test(value)) return { side: "canary", by: `header ${h.name} matches ${h.pattern}` };
      } else {
        const side = alwaysNever(value);
        if (side !== undefined) return { side, by: `header ${h.name}: ${value}` };
      }
    }
  }
  if (canary.cookie !== undefined) {
    const value = cookie(canary.cookie);
    const side = value === undefined ? undefined : alwaysNever(value);
    if (side !== undefined) return { side, by: `cookie ${canary.cookie}=${value}` };
  }
  const q = canary.query;
  if (q !== undefined) {
    const value = facts.query(q.name);
    if (value !== null) {
      if (q.value !== undefined) {
        if (value === q.value) return { side: "canary", by: `query ${q.name}=${value}` };
      } else {
        const side = alwaysNever(value);
        if (side !== undefined) return { side, by: `query ${q.name}=${value}` };
      }
    }
  }
  return undefined;
}

function alwaysNever(value: string): "canary" | "primary" | undefined {
  return value === "always" ? "canary" : value === "never" ? "primary" : undefined;
}
