/**
 * @module Clusters: the names the routes CLI gives its inputs (`east=east.yaml`), carried by every object in
 * `SourceRef.cluster` and every endpoint in `Endpoint.cluster`. One home for what a cluster name is and how
 * objects of a cluster are named in messages, for the compiler and the CLI alike.
 */
import { annotationField, type Report, type Subject } from "./report.ts";

/**
 * A cluster name is a DNS-1123 label, like a Kubernetes namespace or a kubeconfig context usually is: it appears
 * in messages, logs and the published table, so it is kept short and unambiguous.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What a cluster name may be, for messages. */
export const CLUSTER_NAME_RULE =
  "a cluster name is a DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";

export function isClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name);
}

/** How messages name an object of a cluster. @example inCluster("Route shop/web", "east") === "Route shop/web (cluster east)" */
export function inCluster(object: string, cluster: string | undefined): string {
  return cluster === undefined ? object : `${object} (cluster ${cluster})`;
}

/** The compiler's key of a named object within its cluster: Services resolve within their own cluster. */
export function clusterKey(cluster: string | undefined, key: string): string {
  return cluster === undefined ? key : `${cluster}\u0000${key}`;
}

/**
 * edgeroute's own failover annotation on a Route or Ingress: its clusters in order of preference, comma-separated
 * (`east, west`). The route is then active-passive: every endpoint in a cluster gets that cluster's position as its
 * `priority` (0 for the first), and the Worker uses the lowest priority that has an eligible endpoint. Clusters
 * the list leaves out come after every listed one. Without it, every cluster serves at once (active-active).
 */
export const CLUSTER_ORDER_ANNOTATION = "edgeroute.dev/cluster-order";

/**
 * The cluster order a route asks for, or `null` (active-active). A value that cannot be read is an error: it
 * decides where traffic goes when a cluster fails, so a typo must not silently mean active-active. A name that is
 * no input's cluster is a warning (it orders nothing; the route is still served), and on unlabelled input the
 * annotation is ignored with a warning.
 */
export function readClusterOrder(
  subject: Subject,
  annotations: Readonly<Record<string, string>>,
  clusters: readonly string[],
  report: Report,
): string[] | null {
  const value = annotations[CLUSTER_ORDER_ANNOTATION];
  if (value === undefined) return null;
  const field = annotationField(CLUSTER_ORDER_ANNOTATION);
  if (clusters.length === 0) {
    report.warning(
      subject,
      "InvalidAnnotation",
      field,
      `ignored: the inputs name no clusters; give each cluster's export as NAME=PATH (e.g. east=east.yaml west=west.yaml) for the order to apply`,
    );
    return null;
  }
  const names = value.split(",").map((name) => name.trim());
  const allowed = `a comma-separated list of clusters, most preferred first, e.g. "${clusters.join(", ")}"`;
  const bad = names.find((name) => !isClusterName(name));
  if (bad !== undefined) {
    report.error(
      subject,
      "InvalidAnnotation",
      field,
      `${JSON.stringify(value)}: ${bad === "" ? "an empty entry" : JSON.stringify(bad)} is not a cluster name (${CLUSTER_NAME_RULE}); the value must be ${allowed}`,
    );
    return null;
  }
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) {
    report.error(
      subject,
      "InvalidAnnotation",
      field,
      `${JSON.stringify(value)} names cluster ${repeated} twice; the value must be ${allowed}`,
    );
    return null;
  }
  for (const name of names) {
    if (!clusters.includes(name)) {
      report.warning(
        subject,
        "InvalidAnnotation",
        field,
        `cluster ${name} is not one of the inputs (${clusters.join(", ")}); it orders nothing until its export is given as ${name}=PATH`,
      );
    }
  }
  return names;
}
