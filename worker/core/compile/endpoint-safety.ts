/**
 * @module Which addresses the gateway may forward to (docs/security.md): link-local, metadata and unspecified addresses
 * never; loopback only for a local table; private ranges only when allowed for a remote one. Used for Service
 * endpoints and for JWKS URLs (both are fetched by the Worker). Classification is the core's `classifyTarget`, which reads the
 * host as `fetch` will (WHATWG URL host parsing: `0x7f.1` is 127.0.0.1) and unpacks IPv4 carried in IPv6; the
 * classes refused here whatever the options are the core's `NEVER_A_TARGET`, which the Worker checks again.
 */
import { classifyTarget } from "../ip.ts";
import type { Endpoint } from "../table/types.ts";
import type { CompileOptions } from "./types.ts";
import { ownValue } from "./values.ts";

/** `null` when `host` may be a target for this publication, else why not (a sentence fragment after the address). */
export function endpointRefusal(
  host: string,
  options: Pick<CompileOptions, "target" | "allowPrivateEndpoints">,
): string | null {
  switch (classifyTarget(host)) {
    case "ok":
      return null;
    case "invalid":
      return "is not a host a URL can name: a URL parser (and so fetch) refuses it or reads it as a different address (a last label that is a number or 0x… must form a valid IPv4 address; no %-escapes, no non-ASCII, no IPv6 zone); write the load balancer's DNS name or its address in plain dotted decimal";
    case "link-local":
      return "is link-local (169.254.0.0/16, fe80::/10), where cloud metadata services answer; it is never a forwarding target";
    case "metadata":
      return "is a cloud metadata endpoint; it is never a forwarding target";
    case "unspecified":
      return "is the unspecified address (0.0.0.0 or ::), not a real destination; it is never a forwarding target";
    case "multicast":
      return "is a multicast or broadcast address, not a single host; it is never a forwarding target";
    case "loopback":
      return options.target === "local"
        ? null
        : "is a loopback address: only a local table (target local) may use it, a deployed Worker can never reach it";
    case "private":
      return options.target === "local" || options.allowPrivateEndpoints
        ? null
        : "is in a private range (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), which a deployed Worker reaches only through a tunnel; allow it explicitly with the allowPrivateEndpoints option (routes CLI --allow-private-endpoints) if that is intended";
  }
}

/**
 * The endpoint the table holds for `address`: as given, or, for a local table, the loopback stand-in that the
 * `resolve` option (routes CLI `--resolve NAME=ADDRESS:PORT`, like curl's) names for it. A stand-in is reached over
 * plain HTTP: workerd trusts no local certificate. The name itself has passed {@link endpointRefusal} already.
 */
export function endpointFor(
  address: string,
  scheme: Endpoint["scheme"],
  port: number,
  options: Pick<CompileOptions, "target" | "resolve">,
): Endpoint {
  const stand = options.target === "local" ? ownValue(options.resolve, address) : undefined;
  return stand === undefined
    ? { scheme, host: address, port }
    : { scheme: "http", host: stand.address, port: stand.port };
}
