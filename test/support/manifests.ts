/**
 * Manifest text for end-to-end tests, as `oc get -o yaml` would print the objects (only the fields that matter).
 */

export interface RouteManifest {
  namespace: string;
  name: string;
  host: string;
  /** `[service, weight]`: the first is `spec.to`, the rest `spec.alternateBackends`. */
  backends: [string, number][];
  path?: string;
  annotations?: Record<string, string>;
  /** Extra `spec` lines, indented by two spaces (tls, httpHeaders, …). */
  spec?: string;
}

export function routeYaml(route: RouteManifest): string {
  const annotations = Object.entries(route.annotations ?? {});
  const [to, ...alternates] = route.backends;
  if (!to) throw new Error(`route ${route.name} needs a backend`);
  return `---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: ${route.name}
  namespace: ${route.namespace}
  creationTimestamp: "2026-01-01T00:00:00Z"
${annotations.length > 0 ? `  annotations:\n${annotations.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join("")}` : ""}spec:
  host: ${route.host}
${route.path ? `  path: ${route.path}\n` : ""}${route.spec ?? ""}  to:
    kind: Service
    name: ${to[0]}
    weight: ${to[1]}
${alternates.length > 0 ? `  alternateBackends:\n${alternates.map(([name, weight]) => `  - kind: Service\n    name: ${name}\n    weight: ${weight}\n`).join("")}` : ""}  port:
    targetPort: http
`;
}

/**
 * A LoadBalancer Service whose load balancer is the local test backend `backend` (`{{port:NAME}}` in the harness);
 * with several `ips`, one endpoint per address on that port (127.0.0.2 … are loopback too).
 */
export function lbService(
  namespace: string,
  name: string,
  backend: string,
  created = "2026-01-01T00:00:00Z",
  ips: string[] = ["127.0.0.1"],
): string {
  return `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
  creationTimestamp: "${created}"
spec:
  type: LoadBalancer
  ports:
  - name: http
    port: {{port:${backend}}}
    protocol: TCP
    targetPort: 8080
status:
  loadBalancer:
    ingress:
${ips.map((ip) => `    - ip: ${ip}\n`).join("")}`;
}
