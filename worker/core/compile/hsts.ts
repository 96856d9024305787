/**
 * @module HSTS: the `haproxy.router.openshift.io/hsts_header` format (TEMPLATE, docs/design-notes.md#hsts) and the
 * cluster's required HSTS policies (OAS `requiredrouteannotations/admission.go`, docs/design-notes.md#hsts).
 */
import type { RequiredHstsPolicy } from "./types.ts";

/** The whole annotation value must match (router: invalid ⇒ no header). */
export const HSTS_HEADER_PATTERN =
  /^(?:(?:includeSubDomains|preload)\s*;\s*)*max-age\s*=\s*(?:\d+|"\d+")(?:\s*;\s*(?:includeSubDomains|preload))*$/i;

/**
 * Go `filepath.Match` on a host: `*` any run of characters (there is no `/` in a host, so `*.foo.com` also matches
 * `a.b.foo.com`), `?` one character, `[...]`/`[^...]` a class, `\x` a literal. A malformed pattern matches nothing.
 * @example globMatch("*.foo.com", "a.b.foo.com") === true
 */
export function globMatch(pattern: string, text: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\") {
      const next = pattern[++i];
      if (next === undefined) return false;
      re += escapeRegex(next);
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith("^")) body = `^${body.slice(1).replace(/[\\\]]/g, "\\$&")}`;
      else body = body.replace(/[\\\]^]/g, "\\$&");
      re += `[${body}]`;
      i = end;
    } else re += escapeRegex(c);
  }
  try {
    return new RegExp(`${re}$`).test(text);
  } catch {
    return false; // e.g. a reversed class range [z-a], which filepath.Match also rejects
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * The first policy whose domain patterns match `host` decides; `null` when the annotation satisfies it (or no
 * policy applies), else the admission plugin's complaint. The annotation is read lowercased without spaces.
 */
export function requiredHstsProblem(
  host: string,
  annotation: string | undefined,
  policies: readonly RequiredHstsPolicy[],
): string | null {
  const policy = policies.find((p) => p.domainPatterns.some((pattern) => globMatch(pattern, host)));
  if (policy === undefined) return null;
  const directives = (annotation ?? "")
    .toLowerCase()
    .replace(/\s+/g, "")
    .split(";")
    .filter((d) => d !== "");
  const maxAgeDirective = directives.find((d) => d.startsWith("max-age="));
  if (maxAgeDirective === undefined) return "max-age must be set in HSTS annotation";
  const maxAge = Number(maxAgeDirective.slice("max-age=".length).replace(/^"(.*)"$/, "$1"));
  if (!Number.isInteger(maxAge) || maxAge < 0)
    return `max-age ${JSON.stringify(maxAgeDirective)} is not a non-negative integer`;
  if (policy.maxAgeSeconds !== undefined && maxAge > policy.maxAgeSeconds)
    return `max-age ${maxAge} is greater than maximum age (${policy.maxAgeSeconds})`;
  if (policy.minAgeSeconds !== undefined && maxAge < policy.minAgeSeconds)
    return `max-age ${maxAge} is less than minimum age (${policy.minAgeSeconds})`;
  const preload = directives.includes("preload");
  if (policy.preload === "RequirePreload" && !preload) return "preload must be specified";
  if (policy.preload === "RequireNoPreload" && preload) return "preload must not be specified";
  const subDomains = directives.includes("includesubdomains");
  if (policy.includeSubDomains === "RequireIncludeSubDomains" && !subDomains)
    return "includeSubDomains must be specified";
  if (policy.includeSubDomains === "RequireNoIncludeSubDomains" && subDomains)
    return "includeSubDomains must not be specified";
  return null;
}

/** A readable form of the policy that matched, for messages. */
export function describeHstsPolicy(host: string, policies: readonly RequiredHstsPolicy[]): string {
  const policy = policies.find((p) => p.domainPatterns.some((pattern) => globMatch(pattern, host)));
  if (policy === undefined) return "";
  const parts = [`domains ${policy.domainPatterns.join(", ")}`];
  if (policy.minAgeSeconds !== undefined) parts.push(`max-age >= ${policy.minAgeSeconds}`);
  if (policy.maxAgeSeconds !== undefined) parts.push(`max-age <= ${policy.maxAgeSeconds}`);
  if (policy.preload !== undefined && policy.preload !== "NoOpinion") parts.push(policy.preload);
  if (policy.includeSubDomains !== undefined && policy.includeSubDomains !== "NoOpinion")
    parts.push(policy.includeSubDomains);
  return parts.join("; ");
}
