/**
 * @module Read a `v1` Service: the addresses the edge can reach it at. A LoadBalancer Service is reached at its
 * `status.loadBalancer.ingress[]` addresses, an ExternalName Service at `spec.externalName`; other types
 * (ClusterIP, headless, NodePort) have no address reachable from Cloudflare: routes to them are handed to the
 * cluster's router (./router.ts). A hostname annotation gives those addresses DNS names (a deployed Worker cannot
 * fetch an IP address, see ../reach.ts): ExternalDNS's `external-dns.alpha.kubernetes.io/hostname`
 * (https://kubernetes-sigs.github.io/external-dns/latest/docs/annotations/annotations/), or `edgeroute.dev/hostname`
 * with the same syntax where ExternalDNS is not used (it wins when both are set).
 */
import { normalizeHost } from "../host.ts";
import { isIpLiteral } from "../ip.ts";
import { annotationField, type Report, type Subject } from "./report.ts";
import { DNS_SUBDOMAIN_RULE as DNS_NAME_RULE, dnsSubdomainProblem } from "./dns.ts";
import type { ServiceInfo, ServicePort } from "./model.ts";
import type { ObjectMeta } from "./read.ts";
import { arrayOf, recordOf, show, stringOf, type Json } from "./values.ts";

/** The hostname annotations, the one read first first. */
export const HOSTNAME_ANNOTATIONS = ["edgeroute.dev/hostname", "external-dns.alpha.kubernetes.io/hostname"] as const;
/** ExternalDNS's override of the records' values. */
const TARGET_ANNOTATION = "external-dns.alpha.kubernetes.io/target";

export function readService(object: Json, subject: Subject, meta: ObjectMeta, report: Report): ServiceInfo | undefined {
  const spec = recordOf(object.spec);
  const type = stringOf(spec.type) ?? "ClusterIP";
  const key = `${meta.namespace}/${meta.name}`;
  const ports = readPorts(spec, subject, report);
  // Only the types edgeroute uses: ExternalDNS also names ClusterIP and headless Services, which are skipped below.
  const names = type === "LoadBalancer" || type === "ExternalName" ? readNames(meta, subject, report) : undefined;
  if (names === null) {
    return {
      subject,
      key,
      type,
      addresses: [],
      ports,
      unusable: "has an invalid hostname annotation (see the error reported on the Service)",
    };
  }
  if (type === "LoadBalancer") {
    const addresses: string[] = [];
    arrayOf(recordOf(recordOf(object.status).loadBalancer).ingress).forEach((entryValue, i) => {
      const entry = recordOf(entryValue);
      const field = `status.loadBalancer.ingress[${i}]`;
      const raw = stringOf(entry.ip) ?? stringOf(entry.hostname);
      const address = raw === undefined ? undefined : readAddress(raw);
      if (address === undefined)
        report.warning(
          subject,
          "InvalidField",
          field,
          `load-balancer entry ${show(entryValue)} has no usable ip or hostname and is ignored`,
        );
      else if (!addresses.includes(address)) addresses.push(address);
    });
    return { subject, key, type, addresses, ports, ...(names && { names }) };
  }
  if (type === "ExternalName") {
    const raw = stringOf(spec.externalName);
    const address = raw === undefined ? undefined : readAddress(raw);
    if (address === undefined) {
      report.error(
        subject,
        "InvalidField",
        "spec.externalName",
        `an ExternalName Service needs spec.externalName set to a DNS name or IP address, got ${show(spec.externalName)}`,
      );
      return undefined;
    }
    return { subject, key, type, addresses: [address], ports, ...(names && { names }) };
  }
  // ClusterIP (headless too) and NodePort: no address of its own outside the cluster; the cluster's router
  // reaches it (./router.ts).
  return { subject, key, type, addresses: [], ports };
}

/**
 * The names of the first hostname annotation present: comma-separated DNS names, as ExternalDNS reads them.
 * `undefined` without one (or with wildcards only); `null` when a name is invalid (reported as an error). Wildcards, which ExternalDNS
 * accepts for its records, cannot name one load balancer to fetch: skipped with a warning.
 */
function readNames(meta: ObjectMeta, subject: Subject, report: Report): ServiceInfo["names"] | null {
  const annotation = HOSTNAME_ANNOTATIONS.find((name) => meta.annotations[name] !== undefined);
  if (annotation === undefined) return undefined;
  const field = annotationField(annotation);
  const values: string[] = [];
  let invalid = false;
  let sawWildcard = false;
  for (const raw of (meta.annotations[annotation] ?? "").split(",")) {
    const name = raw.trim().toLowerCase().replace(/\.$/, "");
    if (name === "") continue;
    if (name.startsWith("*.")) {
      sawWildcard = true;
      report.warning(
        subject,
        "InvalidAnnotation",
        field,
        `the wildcard ${JSON.stringify(name)} names no single load balancer and is not used as an endpoint; list the load balancer's own DNS names`,
      );
      continue;
    }
    const problem = isIpLiteral(name) ? "is an IP address" : dnsSubdomainProblem(name);
    if (problem !== null) {
      invalid = true;
      report.error(
        subject,
        "InvalidAnnotation",
        field,
        `${JSON.stringify(name)} ${problem}; the annotation lists the load balancer's DNS names, comma-separated, each ${DNS_NAME_RULE}`,
      );
    } else if (!values.includes(name)) values.push(name);
  }
  if (invalid) return null;
  if (values.length === 0 && !sawWildcard) {
    report.error(
      subject,
      "InvalidAnnotation",
      field,
      `the annotation names no DNS name; list the load balancer's DNS names, comma-separated (e.g. lb-blue.example.com), or remove it`,
    );
    return null;
  }
  if (values.length === 0) return undefined;
  // ExternalDNS publishes these instead of the load balancer's addresses when set (its `target` annotation).
  const targets = (meta.annotations[TARGET_ANNOTATION] ?? "")
    .split(",")
    .map((target) => target.trim().toLowerCase().replace(/\.$/, ""))
    .filter((target) => target !== "");
  return targets.length > 0 ? { values, field, targets } : { values, field };
}

/** TCP ports only: the router ignores UDP endpoints by default, and an HTTP edge can only speak TCP. */
function readPorts(spec: Json, subject: Subject, report: Report): ServicePort[] {
  const ports: ServicePort[] = [];
  arrayOf(spec.ports).forEach((value, i) => {
    const entry = recordOf(value);
    const protocol = stringOf(entry.protocol) ?? "TCP";
    if (protocol !== "TCP") return;
    const port = entry.port;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
      report.warning(
        subject,
        "InvalidField",
        `spec.ports[${i}].port`,
        `port ${show(port)} is ignored; a Service port is an integer 1..65535`,
      );
      return;
    }
    const targetPort =
      typeof entry.targetPort === "number" || typeof entry.targetPort === "string" ? entry.targetPort : undefined;
    ports.push({ name: stringOf(entry.name), port, targetPort });
  });
  return ports;
}

/** An IP literal (IPv6 without brackets) or a DNS name, lowercased; `undefined` when it is neither. */
export function readAddress(raw: string): string | undefined {
  const text = raw.trim().toLowerCase();
  if (isIpLiteral(text)) return text.replace(/^\[(.*)\]$/, "$1");
  const host = normalizeHost(text);
  return host !== null && host === text.replace(/\.$/, "") ? host : undefined;
}
