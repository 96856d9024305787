/**
 * @module Stage 4, admit: which routes may serve their host, like the router's HostAdmitter + UniqueHost plugins
 * (ROUTER `controller/host_admitter.go`, `unique_host.go`, `hostindex/activation.go`; docs/design-notes.md#admission). Routes are
 * considered oldest first (creationTimestamp, then namespace/name) and each is admitted unless an older admitted
 * route already holds what it claims — so "the older claim wins" in one pass, with Maps instead of pairwise checks.
 * A rejected route is reported (warning + Rejection) and the others are still served, as the router does.
 */
import { wildcardSuffix } from "../host.ts";
import type { CompileOptions, Rejection } from "./types.ts";
import type { CandidateRoute } from "./model.ts";
import type { Report } from "./report.ts";

export interface AdmitOutput {
  /** Admitted routes, oldest first (the order is the age rank the table build sorts ties by). */
  admitted: CandidateRoute[];
  rejected: Rejection[];
}

/**
 * Older first: creationTimestamp (absent = newest), then the lower `metadata.uid` as the router does (ROUTER
 * pkg/router/routeapihelpers/helper.go `RouteLessThan`: timestamps are whole seconds, so ties are common in an
 * export), then namespace/name (objects without a uid, and HTTPRoutes as Gateway API orders them), then route id.
 */
export function compareAge(a: CandidateRoute, b: CandidateRoute): number {
  if (a.created !== b.created) {
    if (a.created === "") return 1;
    if (b.created === "") return -1;
    return a.created < b.created ? -1 : 1;
  }
  const au = a.uid ?? "";
  const bu = b.uid ?? "";
  if (au !== "" && bu !== "" && au !== bu) return au < bu ? -1 : 1;
  const an = `${a.namespace}/${a.name}`;
  const bn = `${b.namespace}/${b.name}`;
  if (an !== bn) return an < bn ? -1 : 1;
  if (a.route.kind !== b.route.kind) return a.route.kind < b.route.kind ? -1 : 1;
  // An HTTPRoute's matches keep their rule and match order (the spec's last tie-breaker), which ids would not.
  if (a.route.kind === "HTTPRoute") return 0;
  if (a.route.id !== b.route.id) return a.route.id < b.route.id ? -1 : 1;
  // Last, for a deterministic order among routes of several clusters with the same identity (not merged: one of them has an error).
  const ac = a.clusters.join(",");
  const bc = b.clusters.join(",");
  return ac < bc ? -1 : ac > bc ? 1 : 0;
}

export function admit(candidates: readonly CandidateRoute[], options: CompileOptions, report: Report): AdmitOutput {
  const ordered = [...candidates].sort(compareAge);
  const admitted: CandidateRoute[] = [];
  const rejected: Rejection[] = [];
  /** Host key (`shop.example.com` or `*.example.com`) → oldest admitted route on it (its namespace owns it under Strict). */
  const hostOwner = new Map<string, CandidateRoute>();
  /** Host key + path + match → the route serving it. */
  const pathClaims = new Map<string, CandidateRoute>();
  /** Suffix → oldest admitted wildcard route on `*.suffix`. */
  const wildcardBySuffix = new Map<string, CandidateRoute>();
  /** Suffix → namespace → oldest admitted specific route whose host is one label under the suffix. */
  const specificBySuffix = new Map<string, Map<string, CandidateRoute>>();

  const reject = (c: CandidateRoute, reason: Rejection["reason"], message: string): void => {
    rejected.push({ object: c.subject.object, host: c.route.host, path: c.route.path, reason, message });
    report.warning(
      c.subject,
      reason,
      c.hostField,
      `not admitted: ${message}; the route is not served, other routes are`,
    );
  };
  // Across clusters the router's rules apply as if one router served them all; messages say which cluster holds a claim.
  const label = (c: CandidateRoute): string =>
    c.clusters.length === 0
      ? `${c.namespace}/${c.name}`
      : `${c.namespace}/${c.name} in cluster${c.clusters.length > 1 ? "s" : ""} ${c.clusters.join(", ")}`;

  for (const c of ordered) {
    const host = c.route.host;
    if (c.wildcard === "route" && !options.allowWildcards) {
      reject(
        c,
        "RouteNotAdmitted",
        `wildcard routes are not allowed (wildcardPolicy Subdomain needs the allowWildcards option, routes CLI --allow-wildcards, like IngressController routeAdmission.wildcardPolicy WildcardsAllowed)`,
      );
      continue;
    }
    const isWildcard = c.wildcard !== null;
    const suffix = isWildcard ? host.slice(2) : wildcardSuffix(host);
    const strict = !options.interNamespaceAllowed;

    // Strict: the namespace of the oldest route on a host owns it, whatever the paths.
    const owner = hostOwner.get(host);
    if (strict && owner !== undefined && owner.namespace !== c.namespace) {
      const holder = owner.clusters.length === 0 ? "" : ` (${label(owner)})`;
      reject(
        c,
        "HostAlreadyClaimed",
        `a route in another namespace holds ${host} and is older than ${c.name}${holder}`,
      );
      continue;
    }
    // Wildcard vs specific host across namespaces (HostAdmitter, Strict only): the older claim blocks the other.
    if (strict && suffix !== null) {
      if (isWildcard) {
        const blocker = [...(specificBySuffix.get(suffix)?.values() ?? [])].find((r) => r.namespace !== c.namespace);
        if (blocker !== undefined) {
          reject(c, "HostAlreadyClaimed", `route ${label(blocker)} has host ${blocker.route.host}, blocking ${host}`);
          continue;
        }
      } else {
        const blocker = wildcardBySuffix.get(suffix);
        if (blocker !== undefined && blocker.namespace !== c.namespace) {
          reject(
            c,
            "HostAlreadyClaimed",
            `wildcard route ${label(blocker)} has host ${blocker.route.host}, blocking ${host}`,
          );
          continue;
        }
      }
    }
    // Same host, same path and match: the oldest wins. Deliberate deviation from the router, which compares
    // spec.path strings: "" and "/" serve exactly the same requests, so here they are the same claim (the router
    // would admit both and pick one arbitrarily, docs/design-notes.md#matching).
    const claimKey = `${host}\n${c.route.path === "" ? "/" : c.route.path}\n${c.route.match}`;
    const holder = pathClaims.get(claimKey);
    if (holder !== undefined) {
      reject(
        c,
        "HostAlreadyClaimed",
        `route ${label(holder)} already exposes ${host}${c.route.path === "" ? "" : ` path ${c.route.path}`} and is older`,
      );
      continue;
    }

    admitted.push(c);
    pathClaims.set(claimKey, c);
    if (owner === undefined) hostOwner.set(host, c);
    if (suffix !== null) {
      if (isWildcard) {
        if (!wildcardBySuffix.has(suffix)) wildcardBySuffix.set(suffix, c);
      } else {
        let byNamespace = specificBySuffix.get(suffix);
        if (byNamespace === undefined) specificBySuffix.set(suffix, (byNamespace = new Map()));
        if (!byNamespace.has(c.namespace)) byNamespace.set(c.namespace, c);
      }
    }
  }
  return { admitted, rejected };
}
