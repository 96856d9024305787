/**
 * @module Host normalisation, shared by the compiler (manifest hosts) and the Worker (request hosts), so that
 * `Shop.Example.com:443.` and `shop.example.com` are the same host everywhere.
 */

/**
 * The routing key of a request host: lowercased, without `:port` and without a trailing dot, as the router's
 * `^host\.?(:[0-9]+)?` key regex accepts them. IPv6 literals keep their brackets. Returns `null` for an empty or
 * malformed host, which the Worker answers with 400.
 * @example normalizeHost("Shop.Example.COM.:8443") === "shop.example.com"
 */
export function normalizeHost(raw: string): string | null {
  let host = raw.trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0) return null;
    const rest = host.slice(end + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return null;
    return host.slice(0, end + 1);
  }
  const colon = host.indexOf(":");
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return null;
    host = host.slice(0, colon);
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host === "" || host.length > 253 || !/^[a-z0-9._-]+$/.test(host)) return null;
  return host;
}

/**
 * The wildcard key that could serve a host: the host without its first label (a wildcard covers exactly one
 * label, as in OpenShift `[^\.]*\.suffix` and the Kubernetes Ingress spec). `null` when there is no second label.
 * Applied again to its own result, it gives the keys of Gateway API wildcards, which cover any number of labels
 * (worker/core/match.ts `resolveRoute`).
 * @example wildcardSuffix("a.apps.example.com") === "apps.example.com"
 */
export function wildcardSuffix(host: string): string | null {
  const dot = host.indexOf(".");
  if (dot <= 0 || dot === host.length - 1) return null;
  return host.slice(dot + 1);
}

/** How many labels a host (or wildcard suffix) has: `apps.example.com` has 3. */
export function labelCount(host: string): number {
  let labels = 1;
  for (let i = host.indexOf("."); i !== -1; i = host.indexOf(".", i + 1)) labels++;
  return labels;
}

/**
 * The host key of catch-all routes, which serve hosts no route names: an Ingress rule without a host and an
 * Ingress `spec.defaultBackend` (https://kubernetes.io/docs/concepts/services-networking/ingress/#default-backend),
 * an HTTPRoute on a listener without a hostname and without hostnames of its own. `normalizeHost` never returns
 * it, so no request host can name it directly; the matcher asks it last, below every exact and wildcard host.
 */
export const CATCH_ALL_HOST = "*";
