/**
 * @module Read a `v1` Service: the addresses the edge can reach it at. A LoadBalancer Service is reached at its
 * `status.loadBalancer.ingress[]` addresses, an ExternalName Service at `spec.externalName`; other types
 * (ClusterIP, NodePort) have no address reachable from Cloudflare and are kept only to explain why a route
 * cannot use them.
 */
import { normalizeHost } from "../host.ts";
import { isIpLiteral } from "../ip.ts";
import type { ServiceInfo, ServicePort } from "./model.ts";
import type { ObjectMeta } from "./read.ts";
import type { Report, Subject } from "./report.ts";
import { arrayOf, recordOf, show, stringOf, type Json } from "./values.ts";

export function readService(object: Json, subject: Subject, meta: ObjectMeta, report: Report): ServiceInfo | undefined {
  const spec = recordOf(object.spec);
  const type = stringOf(spec.type) ?? "ClusterIP";
  const key = `${meta.namespace}/${meta.name}`;
  const ports = readPorts(spec, subject, report);
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
    return { subject, key, type, addresses, ports };
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
    return { subject, key, type, addresses: [address], ports };
  }
  report.notice(
    subject,
    "SkippedKind",
    "spec.type",
    `Service type ${type} has no address reachable from the edge and is skipped; edgeroute forwards to LoadBalancer (status.loadBalancer.ingress) and ExternalName Services`,
  );
  return {
    subject,
    key,
    type,
    addresses: [],
    ports,
    unusable: `has type ${type}, which has no address reachable from the edge; use a LoadBalancer or ExternalName Service`,
  };
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
function readAddress(raw: string): string | undefined {
  const text = raw.trim().toLowerCase();
  if (isIpLiteral(text)) return text.replace(/^\[(.*)\]$/, "$1");
  const host = normalizeHost(text);
  return host !== null && host === text.replace(/\.$/, "") ? host : undefined;
}
