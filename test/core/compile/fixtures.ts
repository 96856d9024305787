/**
 * Builders for compiler tests: manifests as `oc get -o yaml` prints them (parsed), wrapped as SourceObjects.
 */
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import { expect } from "vitest";
import type { CompileOptions, CompileResult, Diagnostic, SourceObject } from "../../../worker/core/compile/types.ts";

type Json = Record<string, unknown>;

export interface RouteOptions {
  namespace?: string;
  host?: string;
  path?: string;
  service?: string;
  weight?: number;
  created?: string;
  annotations?: Record<string, string>;
  tls?: Json;
  spec?: Json;
}

/** A Route `namespace/name` (default namespace `shop`) to Service `web`, host `<name>.example.com`. */
export function route(name: string, o: RouteOptions = {}): Json {
  const spec: Json = {
    host: o.host ?? `${name}.example.com`,
    to: { kind: "Service", name: o.service ?? "web", weight: o.weight ?? 100 },
  };
  if (o.path !== undefined) spec.path = o.path;
  if (o.tls !== undefined) spec.tls = o.tls;
  return {
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: {
      name,
      namespace: o.namespace ?? "shop",
      creationTimestamp: o.created ?? "2024-01-01T00:00:00Z",
      ...(o.annotations !== undefined ? { annotations: o.annotations } : {}),
    },
    spec: { ...spec, ...o.spec },
    status: { ingress: [{ host: spec.host, conditions: [{ type: "Admitted", status: "True" }] }] },
  };
}

export interface ServiceOptions {
  namespace?: string;
  ip?: string;
  hostname?: string;
  ports?: Json[];
  type?: string;
  externalName?: string;
  noAddress?: boolean;
  annotations?: Record<string, string>;
}

/** A LoadBalancer Service (default address 203.0.113.10, port http 80 → 8080). */
export function service(name: string, o: ServiceOptions = {}): Json {
  const type = o.type ?? (o.externalName !== undefined ? "ExternalName" : "LoadBalancer");
  const spec: Json = { type, ports: o.ports ?? [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] };
  if (o.externalName !== undefined) spec.externalName = o.externalName;
  const entry = o.hostname !== undefined ? { hostname: o.hostname } : { ip: o.ip ?? "203.0.113.10" };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace: o.namespace ?? "shop",
      managedFields: [{ manager: "kubectl" }],
      ...(o.annotations !== undefined ? { annotations: o.annotations } : {}),
    },
    spec,
    status: type === "LoadBalancer" && o.noAddress !== true ? { loadBalancer: { ingress: [entry] } } : {},
  };
}

export interface IngressPath {
  path?: string;
  pathType?: string;
  service?: string;
  port?: Json;
}

export function ingress(
  name: string,
  spec: Json,
  o: { namespace?: string; annotations?: Record<string, string>; created?: string } = {},
): Json {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name,
      namespace: o.namespace ?? "shop",
      creationTimestamp: o.created ?? "2024-01-01T00:00:00Z",
      ...(o.annotations !== undefined ? { annotations: o.annotations } : {}),
    },
    spec,
  };
}

/** One Ingress rule: host with paths (default one Prefix `/` to `web` port 80). */
export function rule(host: string | undefined, paths: IngressPath[] = [{}]): Json {
  return {
    ...(host !== undefined ? { host } : {}),
    http: {
      paths: paths.map((p) => ({
        ...(p.path !== undefined || p.pathType !== "ImplementationSpecific" ? { path: p.path ?? "/" } : {}),
        pathType: p.pathType ?? "Prefix",
        backend: { service: { name: p.service ?? "web", port: p.port ?? { number: 80 } } },
      })),
    },
  };
}

/** Wrap objects as SourceObjects of one file, one document each. */
export function sources(objects: unknown[], file = "routes.yaml"): SourceObject[] {
  return objects.map((object, doc) => ({ source: { file, doc }, object }));
}

export function run(objects: unknown[], options: Partial<CompileOptions> = {}): CompileResult {
  return compile(sources(objects), { ...DEFAULT_COMPILE_OPTIONS, ...options });
}

/** Diagnostics other than notices, for concise assertions. */
export function problems(result: CompileResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity !== "notice");
}

export function only<T>(items: readonly T[]): T {
  if (items.length !== 1)
    throw new Error(`expected exactly one item, got ${items.length}: ${JSON.stringify(items, null, 1)}`);
  return items[0] as T;
}

/** TLS that authentication annotations need (a bearer token or client certificate over plain HTTP is warned about). */
export const SECURE = { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" };

/** Route shop/web with `annotations` and edge TLS, and its Service, compiled. */
export function withAuth(annotations: Record<string, string>, options: Partial<CompileOptions> = {}): CompileResult {
  return run([route("web", { annotations, tls: SECURE }), service("web")], options);
}

/**
 * The route must be dropped, with exactly one error on the authentication annotation `auth.edgeroute.dev/<name>`
 * (an authentication annotation is never ignored); returns its message.
 */
export function authRefused(
  annotations: Record<string, string>,
  name: string,
  options: Partial<CompileOptions> = {},
): string {
  const result = withAuth(annotations, options);
  expect(result.admitted).toEqual([]);
  const d = only(problems(result));
  expect(d).toMatchObject({
    severity: "error",
    object: "Route shop/web",
    field: `metadata.annotations["auth.edgeroute.dev/${name}"]`,
  });
  expect(d.message).toContain("never ignored");
  return d.message;
}
