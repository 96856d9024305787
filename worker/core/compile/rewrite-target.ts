/**
 * @module `haproxy.router.openshift.io/rewrite-target`, sanitised as the router does (ROUTER
 * `util/rewritetarget/rewritetarget.go` `SanitizeInput`, docs/design-notes.md#rewrite-target) and then turned from HAProxy's replacement
 * syntax into the literal text that replaces `spec.path` (the Worker appends the rest of the path itself).
 */

/** The annotation must match this to be used at all (TEMPLATE). */
export const REWRITE_TARGET_PATTERN = /^\/.*$/;

export interface SanitizedTarget {
  /** Literal replacement text: `%%` already turned into `%`, quotes and single backslashes removed. */
  literal: string;
  /** An unescaped `#` ended the value: the router then drops the text after it (and its `\1` suffix). */
  truncatedAtHash: boolean;
}

/**
 * Router sanitising: `\x` keeps `x` literally (so `\\` → `\`, a lone trailing `\` disappears), an unescaped `#`
 * ends the value, unescaped `"` and `'` are removed, and an odd run of `%` is doubled (HAProxy then reads `%%` as
 * one `%`). Literal result, worked examples: `/foo` → `/foo`; `/a'b` → `/ab`; `/x\\y` → `/x\y`; `/%41` → `/%41`
 * (odd run doubled, then un-doubled); `/%%41` → `/%41` (even run kept, read as one `%`); `/a#b` → `/a` (truncated).
 */
export function sanitizeRewriteTarget(value: string): SanitizedTarget {
  let literal = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === "\\") {
      const next = value[i + 1];
      if (next !== undefined) literal += next;
      i++;
    } else if (c === "#") {
      return { literal, truncatedAtHash: true };
    } else if (c === '"' || c === "'") {
    } else if (c === "%") {
      let run = 0;
      while (value[i + run] === "%") run++;
      // Odd runs are doubled by the router, so HAProxy prints all of them; even runs are read as %% → %.
      literal += "%".repeat(run % 2 === 1 ? run : run / 2);
      i += run - 1;
    } else literal += c;
  }
  return { literal, truncatedAtHash: false };
}
