/**
 * @module Reads `--hsts-policy FILE`: the cluster's required HSTS policies, either as a YAML/JSON list of
 * {@link RequiredHstsPolicy} or exactly as `oc get ingresses.config.openshift.io cluster -o yaml` prints them
 * (`spec.requiredHSTSPolicies[]` with `maxAge.smallestMaxAge`, `preloadPolicy`, `includeSubDomainsPolicy`).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parse } from "yaml";
import type { RequiredHstsPolicy } from "../../worker/core/compile/index.ts";
import { UserError } from "./errors.ts";

const PRELOAD = ["RequirePreload", "RequireNoPreload", "NoOpinion"] as const;
const INCLUDE_SUBDOMAINS = ["RequireIncludeSubDomains", "RequireNoIncludeSubDomains", "NoOpinion"] as const;
/** The API's bounds for `maxAge` (config/v1 types_ingress.go). */
const MAX_AGE_LIMIT = 2147483647;

type Fields = Record<string, unknown>;

export async function readHstsPolicies(file: string, cwd: string): Promise<RequiredHstsPolicy[]> {
  const text = await readFile(resolve(cwd, file), "utf8").catch(() => {
    throw new UserError(`--hsts-policy ${file}: cannot read the file`);
  });
  let document: unknown;
  try {
    document = parse(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    throw new UserError(`--hsts-policy ${file}: malformed YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseHstsPolicies(document, file);
}

/** Validates the parsed document; every error names the file and the field and says what is allowed. */
export function parseHstsPolicies(document: unknown, file: string): RequiredHstsPolicy[] {
  const fail = (field: string, message: string): never => {
    throw new UserError(`--hsts-policy ${file}: ${field}: ${message}`);
  };
  let list = document;
  let base = "";
  if (isFields(document) && isFields(document.spec)) {
    list = document.spec.requiredHSTSPolicies;
    base = "spec.requiredHSTSPolicies";
  }
  if (!Array.isArray(list)) {
    return fail(
      base || "(document)",
      "expected a list of policies, or an ingresses.config.openshift.io object with spec.requiredHSTSPolicies",
    );
  }
  return list.map((item: unknown, index): RequiredHstsPolicy => {
    const at = `${base}[${index}]`;
    if (!isFields(item)) return fail(at, "each policy must be a mapping with domainPatterns");
    if (item.namespaceSelector !== undefined) {
      fail(
        `${at}.namespaceSelector`,
        "namespace selectors are not supported: a policy here applies to every namespace",
      );
    }
    const patterns = item.domainPatterns;
    if (
      !Array.isArray(patterns) ||
      patterns.length === 0 ||
      !patterns.every((p) => typeof p === "string" && p !== "")
    ) {
      fail(`${at}.domainPatterns`, 'must be a non-empty list of host patterns such as "*.example.com"');
    }
    const maxAge = isFields(item.maxAge) ? item.maxAge : {};
    const policy: RequiredHstsPolicy = { domainPatterns: (patterns as string[]).map((p) => p.toLowerCase()) };
    const min = age(
      item.minAgeSeconds ?? maxAge.smallestMaxAge,
      `${at}.${"minAgeSeconds" in item ? "minAgeSeconds" : "maxAge.smallestMaxAge"}`,
      fail,
    );
    const max = age(
      item.maxAgeSeconds ?? maxAge.largestMaxAge,
      `${at}.${"maxAgeSeconds" in item ? "maxAgeSeconds" : "maxAge.largestMaxAge"}`,
      fail,
    );
    if (min !== undefined) policy.minAgeSeconds = min;
    if (max !== undefined) policy.maxAgeSeconds = max;
    if (min !== undefined && max !== undefined && min > max)
      fail(at, `minimum age ${min} is greater than maximum age ${max}`);
    const preload = oneOf(
      item.preload ?? item.preloadPolicy,
      PRELOAD,
      `${at}.${"preload" in item ? "preload" : "preloadPolicy"}`,
      fail,
    );
    const sub = oneOf(
      item.includeSubDomains ?? item.includeSubDomainsPolicy,
      INCLUDE_SUBDOMAINS,
      `${at}.${"includeSubDomains" in item ? "includeSubDomains" : "includeSubDomainsPolicy"}`,
      fail,
    );
    if (preload !== undefined) policy.preload = preload;
    if (sub !== undefined) policy.includeSubDomains = sub;
    return policy;
  });
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function age(value: unknown, field: string, fail: (field: string, message: string) => never): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_AGE_LIMIT) {
    return fail(field, `must be a whole number of seconds from 0 to ${MAX_AGE_LIMIT}`);
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
  fail: (field: string, message: string) => never,
): T | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    return fail(field, `must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}
