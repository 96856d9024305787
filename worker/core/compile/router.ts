/**
 * @module Routes handed to the cluster's own router. In an OpenShift cluster the application Services are
 * ClusterIP: the only load balancer is the IngressController's, and the router behind it applies each Route's
 * weights, sticky cookie and Service choice. A route with any such Service is therefore forwarded whole to the
 * router that serves it, found in this order (after a Service's own load balancer, see ./resolve.ts):
 *
 * 1. the object's status: a Route's `status.ingress[]` entries whose `Admitted` condition is `True`, reached at
 *    their `routerCanonicalHostname` (one endpoint per router or shard); an Ingress's
 *    `status.loadBalancer.ingress[]` (`ip` or `hostname`);
 * 2. the `clusterRouters` option for the object's cluster (routes CLI `--cluster-router [NAME=]HOST`).
 *
 * A Route whose status says no router admitted it is not served and is reported with the routers' reasons; so is
 * a route with neither status nor option. Status fields: https://docs.openshift.com/container-platform/4.16/rest_api/network_apis/route-route-openshift-io-v1.html
 * (`status.ingress[].routerName`, `.routerCanonicalHostname`, `.conditions[type=Admitted]`).
 */
import { normalizeHost } from "../host.ts";
import type { Backend, ClusterRouter, Endpoint } from "../table/types.ts";
import type { CompileOptions } from "./types.ts";
import { backendId, DEFAULT_WEIGHT } from "../table/defaults.ts";
import { endpointFor } from "./endpoint-safety.ts";
import type { ValidRoute } from "./model.ts";
import { readAddress } from "./read-service.ts";
import type { Report } from "./report.ts";
import { ownValue, show, stringOf } from "./values.ts";

/** The router backend, or why no router serves the route (reported as `RouteNotAdmitted` by the caller). */
export type RouterOutcome =
  | { kind: "router"; backend: Backend }
  | { kind: "not-admitted"; field: string; message: string }
  /** An error was reported (a forbidden router address): the route is dropped. */
  | { kind: "error" };

interface Found {
  router: ClusterRouter;
  /** Router addresses with the field (or option) each came from, for messages. */
  addresses: { address: string; field: string }[];
}

/**
 * The backend that hands `valid` to its cluster router: one endpoint per router address, over HTTPS on 443 for
 * TLS routes (the router terminates or re-encrypts them on its 443 side) and HTTP on 80 for plain routes, as the
 * router's own listeners serve them.
 */
export function routerBackend(
  valid: ValidRoute,
  options: CompileOptions,
  refusalOf: (address: string) => string | null,
  report: Report,
): RouterOutcome {
  const s = valid.subject;
  const found = fromStatus(valid, report) ?? fromOption(valid, options);
  if (found === undefined) {
    const cluster = s.source.cluster;
    const statusField = valid.routerStatus.kind === "route" ? "status.ingress" : "status.loadBalancer.ingress";
    return {
      kind: "not-admitted",
      field: statusField,
      message:
        `its Services have no address of their own (ClusterIP), so only the cluster's router can serve it, and no router is known: ` +
        `${statusField} is empty (a manifest written by hand has no status) and no cluster router is configured; ` +
        `name it with the clusterRouters option (routes CLI --cluster-router HOST${cluster === undefined ? "" : ` or --cluster-router ${cluster}=HOST`})`,
    };
  }
  if ("notAdmitted" in found) return { kind: "not-admitted", field: found.field, message: found.notAdmitted };
  const scheme = valid.termination === null ? "http" : "https";
  const port = scheme === "https" ? 443 : 80;
  const endpoints: Endpoint[] = [];
  let ok = true;
  for (const { address, field } of found.addresses) {
    const refusal = refusalOf(address);
    if (refusal !== null) {
      ok = false;
      report.error(
        s,
        "ForbiddenEndpoint",
        field,
        `${s.object} is served by cluster router ${found.router.name}, whose address ${address} ${refusal}`,
      );
      continue;
    }
    const endpoint = endpointFor(address, scheme, port, options);
    if (!endpoints.some((e) => e.host === endpoint.host && e.port === endpoint.port)) endpoints.push(endpoint);
  }
  if (!ok) return { kind: "error" };
  const service = `cluster-router/${found.router.name}`;
  return {
    kind: "router",
    backend: { service, weight: DEFAULT_WEIGHT, id: backendId(service), endpoints, router: found.router },
  };
}

/** From the object's status; `undefined` when it has none (then the option applies). */
function fromStatus(valid: ValidRoute, report: Report): Found | { notAdmitted: string; field: string } | undefined {
  const s = valid.subject;
  const status = valid.routerStatus;
  if (status.kind === "ingress") {
    const addresses: Found["addresses"] = [];
    for (const { value, field } of status.addresses) {
      const text = stringOf(value);
      const address = text === undefined ? undefined : readAddress(text);
      if (address === undefined)
        report.warning(
          s,
          "InvalidField",
          field,
          `load-balancer entry ${show(value)} has no usable ip or hostname and is ignored`,
        );
      else if (!addresses.some((a) => a.address === address)) addresses.push({ address, field });
    }
    if (addresses.length === 0) return undefined;
    return { router: { name: addresses.map((a) => a.address).join(", "), from: "status" }, addresses };
  }
  if (status.entries.length === 0) return undefined;
  const addresses: Found["addresses"] = [];
  const names: string[] = [];
  const refusals: string[] = [];
  for (const entry of status.entries) {
    const name = stringOf(entry.routerName) ?? "(unnamed router)";
    const host = stringOf(entry.host);
    // An entry for another host is left over from before the Route's host was changed: that router has not yet
    // considered the current host. (A wildcard route's host is stored as `*.suffix`, so it is not compared.)
    if (host !== undefined && valid.wildcard === null && normalizeHost(host) !== valid.route.host) {
      refusals.push(`router ${name} admitted host ${host}, not ${valid.route.host} (a stale status entry)`);
      continue;
    }
    const admitted = entry.admitted;
    if (admitted === undefined || admitted.status !== "True") {
      const reason = stringOf(admitted?.reason);
      const message = stringOf(admitted?.message);
      const state =
        admitted === undefined
          ? "has no Admitted condition"
          : `Admitted=${stringOf(admitted.status) ?? show(admitted.status)}`;
      refusals.push(
        `router ${name}: ${state}${reason === undefined ? "" : ` (${reason}${message === undefined ? "" : `: ${message}`})`}`,
      );
      continue;
    }
    const field = `${entry.field}.routerCanonicalHostname`;
    const text = stringOf(entry.routerCanonicalHostname);
    const address = text === undefined ? undefined : readAddress(text);
    if (address === undefined) {
      report.warning(
        s,
        "InvalidField",
        field,
        `router ${name} admitted the route but published no usable routerCanonicalHostname (got ${show(entry.routerCanonicalHostname)}), so the edge cannot reach it; set the IngressController's domain so the router publishes one, or name the router with --cluster-router`,
      );
      refusals.push(`router ${name} admitted it but has no routerCanonicalHostname`);
      continue;
    }
    if (!names.includes(name)) names.push(name);
    if (!addresses.some((a) => a.address === address)) addresses.push({ address, field });
  }
  if (addresses.length === 0)
    return { notAdmitted: `no router admitted it: ${refusals.join("; ")}`, field: "status.ingress" };
  return { router: { name: names.join(", "), from: "status" }, addresses };
}

/** From the option for the object's cluster (`SourceRef.cluster`), else the option for every input. */
function fromOption(valid: ValidRoute, options: CompileOptions): Found | undefined {
  const cluster = valid.subject.source.cluster;
  const host =
    (cluster === undefined ? undefined : ownValue(options.clusterRouters, cluster)) ??
    ownValue(options.clusterRouters, "");
  if (host === undefined) return undefined;
  const address = readAddress(host) ?? host;
  return { router: { name: address, from: "option" }, addresses: [{ address, field: "" }] };
}
