/**
 * @module DNS-1123 name checks, as the API server and the router apply them to route hosts (LIBGO
 * `validateRoute`, ROUTER `unique_host.go` `ValidateHostName`: `IsDNS1123Subdomain` plus `IsDNS1123Label` per label).
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What is allowed, for messages. */
export const DNS_SUBDOMAIN_RULE =
  "a lowercase DNS subdomain (RFC 1123): at most 253 characters, dot-separated labels of 1-63 characters from a-z, 0-9 and '-', each starting and ending with a letter or digit";

/** `null` when `name` is a valid DNS-1123 subdomain whose every label is a DNS-1123 label, else what is wrong. */
export function dnsSubdomainProblem(name: string): string | null {
  if (name.length === 0) return "is empty";
  if (name.length > 253) return `is ${name.length} characters long (more than 253)`;
  if (name !== name.toLowerCase()) return "contains upper-case letters";
  for (const label of name.split(".")) {
    if (label.length > 63) return `has the label ${JSON.stringify(label)} of ${label.length} characters (more than 63)`;
    if (!LABEL.test(label))
      return label === "" ? "has an empty label" : `has the invalid label ${JSON.stringify(label)}`;
  }
  return null;
}
