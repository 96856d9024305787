/**
 * @module Stage 1, read: unpack `kind: List`, put objects in source order (so the result never depends on the order
 * the CLI handed them over), drop duplicates, and dispatch on apiVersion/kind to the per-kind readers.
 */
import type { CompileOptions, SourceObject, SourceRef } from "./types.ts";
import { clusterKey, inCluster } from "./clusters.ts";
import { emptyGatewayInputs, type GatewayInputs, type GatewayObject, isGatewayKind } from "./gateway.ts";
import type { RouteDraft, ServiceInfo } from "./model.ts";
import { compareSources, type Report, type Subject } from "./report.ts";
import { readIngress } from "./read-ingress.ts";
import { readRoute } from "./read-route.ts";
import { readService } from "./read-service.ts";
import { isRecord, recordOf, show, stringOf, type Json } from "./values.ts";

export interface ReadOutput {
  routes: RouteDraft[];
  /** Services by `clusterKey(cluster, namespace/name)`: a Service is found only by routes of its own cluster. */
  services: Map<string, ServiceInfo>;
  /** Gateway API objects and Namespace labels, compiled by ./gateway.ts. */
  gateway: GatewayInputs;
  /** The clusters the objects were exported from (`SourceRef.cluster`), sorted; empty for unlabelled input. */
  clusters: string[];
}

/** Identity of a manifest object, checked once for every kind. */
export interface ObjectMeta {
  namespace: string;
  name: string;
  created: string;
  /** `metadata.uid`, `""` when absent: the router's tie-breaker between routes created in the same second. */
  uid: string;
  annotations: Record<string, string>;
}

/** Objects without `metadata.namespace` are read in `default`, as `kubectl apply` without `-n` would. */
const DEFAULT_NAMESPACE = "default";

export function read(objects: readonly SourceObject[], options: CompileOptions, report: Report): ReadOutput {
  const entries = unpackLists(objects);
  entries.sort((a, b) => compareSources(a.source, b.source));
  const routes: RouteDraft[] = [];
  const services = new Map<string, ServiceInfo>();
  const gateway = emptyGatewayInputs();
  const seen = new Map<string, SourceRef>();

  for (const entry of entries) {
    const object = entry.object;
    // An empty YAML document (a trailing `---`) is not an object and not a mistake.
    if (object === null || object === undefined) continue;
    const anonymous: Subject = { source: entry.source, object: "", lineOf: entry.lineOf };
    if (!isRecord(object)) {
      report.error(
        anonymous,
        "InvalidField",
        "",
        `the document is ${show(object)}, not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
      );
      continue;
    }
    const kind = stringOf(object.kind);
    const apiVersion = stringOf(object.apiVersion);
    if (kind === undefined || kind === "" || apiVersion === undefined || apiVersion === "") {
      const field = kind === undefined || kind === "" ? "kind" : "apiVersion";
      report.error(
        anonymous,
        "MissingField",
        field,
        `the object has no ${field}; every manifest needs apiVersion and kind (e.g. apiVersion: route.openshift.io/v1, kind: Route)`,
      );
      continue;
    }
    const handled = kindHandled(apiVersion, kind);
    const metadata = recordOf(object.metadata);
    const name = stringOf(metadata.name) ?? "";
    const namespace = stringOf(metadata.namespace) || DEFAULT_NAMESPACE;
    const subject: Subject = {
      source: entry.source,
      object: inCluster(name === "" ? kind : `${kind} ${namespace}/${name}`, entry.source.cluster),
      lineOf: entry.lineOf,
    };
    if (handled === undefined) {
      report.notice(
        subject,
        "SkippedKind",
        "kind",
        `${apiVersion} ${kind} is not routed by edgeroute and is skipped; it reads route.openshift.io/v1 Route, networking.k8s.io/v1 Ingress, v1 Service (LoadBalancer, ExternalName), v1 Namespace (labels) and gateway.networking.k8s.io v1/v1beta1 Gateway, GatewayClass, HTTPRoute, ReferenceGrant`,
      );
      continue;
    }
    if (name === "") {
      report.error(
        subject,
        "MissingField",
        "metadata.name",
        `the ${kind} has no metadata.name; every object needs a name`,
      );
      continue;
    }
    const annotations = readAnnotations(metadata, subject, report);
    if (annotations === undefined) continue;
    // Objects of different clusters never collide: each cluster has its own namespaces.
    const identity = clusterKey(entry.source.cluster, `${kind} ${namespace}/${name}`);
    const first = seen.get(identity);
    if (first !== undefined) {
      report.error(
        subject,
        "DuplicateObject",
        "metadata.name",
        `${subject.object} is defined twice (first in ${describeSource(first)}); this copy is ignored. Each object may appear only once${entry.source.cluster === undefined ? "" : " per cluster"}`,
      );
      continue;
    }
    seen.set(identity, entry.source);
    const meta: ObjectMeta = {
      namespace,
      name,
      created: stringOf(metadata.creationTimestamp) ?? "",
      uid: stringOf(metadata.uid) ?? "",
      annotations,
    };
    switch (handled) {
      case "Route":
        routes.push(...readRoute(object, subject, meta));
        break;
      case "Ingress":
        routes.push(...readIngress(object, subject, meta, options, report));
        break;
      case "Service": {
        const service = readService(object, subject, meta, report);
        if (service !== undefined) services.set(clusterKey(entry.source.cluster, service.key), service);
        break;
      }
      case "Namespace": {
        const labels: Record<string, string> = {};
        for (const [key, value] of Object.entries(recordOf(metadata.labels)))
          if (typeof value === "string") labels[key] = value;
        gateway.namespaces.set(name, labels);
        break;
      }
      default:
        gateway.objects.push({ kind: handled, object, subject, meta });
    }
  }
  const clusters = [
    ...new Set(entries.flatMap((entry) => (entry.source.cluster === undefined ? [] : [entry.source.cluster]))),
  ].sort();
  return { routes, services, gateway, clusters };
}

type Handled = "Route" | "Ingress" | "Service" | "Namespace" | GatewayObject["kind"];

function kindHandled(apiVersion: string, kind: string): Handled | undefined {
  const gatewayKind = isGatewayKind(apiVersion, kind);
  if (gatewayKind !== undefined) return gatewayKind;
  if (apiVersion === "v1" && kind === "Namespace") return "Namespace";
  if (apiVersion === "route.openshift.io/v1" && kind === "Route") return "Route";
  if (apiVersion === "networking.k8s.io/v1" && kind === "Ingress") return "Ingress";
  if (apiVersion === "v1" && kind === "Service") return "Service";
  return undefined;
}

/** `metadata.annotations` as strings. A non-string value (an unquoted `true` in YAML) is an error: the API server would refuse it too. */
function readAnnotations(metadata: Json, subject: Subject, report: Report): Record<string, string> | undefined {
  const annotations: Record<string, string> = {};
  let ok = true;
  for (const [key, value] of Object.entries(recordOf(metadata.annotations))) {
    if (typeof value === "string") annotations[key] = value;
    else {
      ok = false;
      report.error(
        subject,
        "InvalidAnnotation",
        `metadata.annotations[${JSON.stringify(key)}]`,
        `annotation values must be strings, got ${show(value)}; quote the value in YAML (e.g. "true")`,
      );
    }
  }
  return ok ? annotations : undefined;
}

interface Entry {
  source: SourceRef;
  object: unknown;
  lineOf?: (fieldPath: string) => number | undefined;
}

/** Flatten lists (`kind: List` and typed lists, {@link listItems}) into their items (SourceRef.item set, line lookups re-rooted at `items[i]`). */
function unpackLists(objects: readonly SourceObject[]): Entry[] {
  const out: Entry[] = [];
  for (const { source, object, lineOf } of objects) {
    const items = listItems(object);
    if (items !== null) {
      items.forEach((item, i) => {
        const itemLineOf =
          lineOf === undefined
            ? undefined
            : (field: string) => lineOf(field === "" ? `items[${i}]` : `items[${i}].${field}`);
        out.push({
          source: { ...source, item: i, line: lineOf?.(`items[${i}]`) ?? source.line },
          object: item,
          lineOf: itemLineOf,
        });
      });
    } else out.push({ source, object, lineOf });
  }
  return out;
}

function describeSource(source: SourceRef): string {
  const item = source.item === undefined ? "" : ` item ${source.item}`;
  const line = source.line === undefined ? "" : `:${source.line}`;
  return `${source.file}${line} (document ${source.doc}${item})`;
}

/**
 * The items of a `kind: List` (what `oc get a b -o yaml` prints), or of a typed list such as `RouteList` (what
 * the API returns), whose items carry no kind: they get the list's kind without `List`, and its apiVersion.
 * `null` when `object` is not a list.
 */
export function listItems(object: unknown): unknown[] | null {
  if (object === null || typeof object !== "object" || Array.isArray(object)) return null;
  const { kind, apiVersion, items } = object as { kind?: unknown; apiVersion?: unknown; items?: unknown };
  if (typeof kind !== "string" || !kind.endsWith("List") || !Array.isArray(items)) return null;
  if (kind === "List") return items;
  const itemKind = kind.slice(0, -"List".length);
  return items.map((item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item) && !("kind" in item)
      ? { apiVersion, kind: itemKind, ...item }
      : item,
  );
}
