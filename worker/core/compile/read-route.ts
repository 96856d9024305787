/**
 * @module Read a `route.openshift.io/v1` Route into a route draft (shapes only; the rules are in validate).
 */
import type { RouteDraft, RouteIngressStatus, TlsDraft } from "./model.ts";
import type { ObjectMeta } from "./read.ts";
import type { Subject } from "./report.ts";
import { arrayOf, isRecord, recordOf, type Json } from "./values.ts";

/** Certificate material a Route may carry that the edge does not use (Cloudflare manages edge certificates). */
const CERTIFICATE_FIELDS = ["certificate", "key", "caCertificate", "externalCertificate"] as const;

export function readRoute(object: Json, subject: Subject, meta: ObjectMeta): RouteDraft[] {
  const spec = recordOf(object.spec);
  const present = (value: unknown): boolean => value !== undefined && value !== null && value !== "";
  const to = recordOf(spec.to);
  const port =
    spec.port === undefined || spec.port === null
      ? undefined
      : { value: recordOf(spec.port).targetPort, field: "spec.port.targetPort" };
  const alternates = arrayOf(spec.alternateBackends);
  const headerActions = recordOf(spec.httpHeaders).actions;
  return [
    {
      subject,
      kind: "Route",
      id: `${meta.namespace}/${meta.name}`,
      namespace: meta.namespace,
      name: meta.name,
      created: meta.created,
      uid: meta.uid,
      host: present(spec.host) ? { value: spec.host, field: "spec.host" } : undefined,
      hostField: "spec.host",
      subdomain: present(spec.subdomain) ? { value: spec.subdomain, field: "spec.subdomain" } : undefined,
      wildcardPolicy: present(spec.wildcardPolicy)
        ? { value: spec.wildcardPolicy, field: "spec.wildcardPolicy" }
        : undefined,
      path: { value: spec.path ?? "", field: "spec.path" },
      match: "prefix",
      tls: isRecord(spec.tls) ? readTls(spec.tls, present) : undefined,
      backends: [
        { field: "spec.to", kind: to.kind, name: to.name, weight: to.weight, port, portSource: "route" },
        ...alternates.map((alt, i) => {
          const ref = recordOf(alt);
          return {
            field: `spec.alternateBackends[${i}]`,
            kind: ref.kind,
            name: ref.name,
            weight: ref.weight,
            port,
            portSource: "route" as const,
          };
        }),
      ],
      alternateBackendsField: alternates.length > 0 ? "spec.alternateBackends" : undefined,
      headerActions:
        headerActions === undefined || headerActions === null
          ? undefined
          : { value: headerActions, field: "spec.httpHeaders.actions" },
      annotations: meta.annotations,
      routerStatus: { kind: "route", entries: readRouteStatus(object) },
    },
  ];
}

/** `status.ingress[]`: each router (shard) that considered the Route, with its `Admitted` condition. */
function readRouteStatus(object: Json): RouteIngressStatus[] {
  return arrayOf(recordOf(object.status).ingress).map((value, i) => {
    const entry = recordOf(value);
    const condition = arrayOf(entry.conditions)
      .map(recordOf)
      .find((c) => c.type === "Admitted");
    return {
      field: `status.ingress[${i}]`,
      host: entry.host,
      routerName: entry.routerName,
      routerCanonicalHostname: entry.routerCanonicalHostname,
      admitted:
        condition === undefined
          ? undefined
          : { status: condition.status, reason: condition.reason, message: condition.message },
    };
  });
}

function readTls(tls: Json, present: (value: unknown) => boolean): TlsDraft {
  return {
    termination: { value: tls.termination ?? "", field: "spec.tls.termination" },
    insecure: present(tls.insecureEdgeTerminationPolicy)
      ? { value: tls.insecureEdgeTerminationPolicy, field: "spec.tls.insecureEdgeTerminationPolicy" }
      : undefined,
    certificateFields: CERTIFICATE_FIELDS.filter((name) => present(tls[name])).map((name) => `spec.tls.${name}`),
    destinationCa: present(tls.destinationCACertificate) ? "spec.tls.destinationCACertificate" : undefined,
  };
}
