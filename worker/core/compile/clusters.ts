/**
 * @module Clusters: the names the routes CLI gives its inputs (`east=east.yaml`), carried by every object in
 * `SourceRef.cluster` and every endpoint in `Endpoint.cluster`. One home for what a cluster name is and how
 * objects of a cluster are named in messages, for the compiler and the CLI alike.
 */

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
