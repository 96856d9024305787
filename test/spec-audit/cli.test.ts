/**
 * What the real routes CLI tells a user about bad input (the project's rule: file, object and field named, what is
 * allowed, no stack trace, nothing published), for the Route and Ingress mistakes the specifications define:
 * LIBGO route validation and the networking.k8s.io/v1 Ingress API reference.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../cli/helpers.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgeroute-spec-audit-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function validate(name: string, text: string): Promise<{ code: number; out: string; file: string }> {
  const file = join(dir, name);
  await writeFile(file, text);
  const run = await routes(["validate", file]);
  return { code: run.code, out: `${run.stdout}${run.stderr}`, file };
}

const SERVICE = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  ports: [{name: http, port: 80, protocol: TCP}]
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}]}}
`;

describe("routes validate on bad input", () => {
  it("a YAML syntax error names the file and line, exits non-zero, no stack trace", async () => {
    const { code, out, file } = await validate("broken.yaml", "kind: Route\nmetadata: {name: web\n");
    expect(code).not.toBe(0);
    expect(out).toContain(`${file}:`);
    expect(out).toMatch(/MalformedYAML/);
    expect(out).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });

  it("a missing file is named, exit non-zero, no stack trace", async () => {
    const run = await routes(["validate", join(dir, "nope.yaml")]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("nope.yaml");
    expect(run.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });

  it("insecureEdgeTerminationPolicy: the object, field and allowed values (LIBGO validateInsecureEdgeTerminationPolicy)", async () => {
    const { code, out } = await validate(
      "tls.yaml",
      `${SERVICE}---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec:
  host: web.example.com
  to: {kind: Service, name: web}
  tls: {termination: edge, insecureEdgeTerminationPolicy: Sometimes}
`,
    );
    expect(code).not.toBe(0);
    expect(out).toMatch(/Route shop\/web\s+spec\.tls\.insecureEdgeTerminationPolicy\s+.*None, Allow, Redirect/);
  });

  it("an Ingress path without pathType: the object and the field (pathType is required in networking.k8s.io/v1)", async () => {
    const { code, out } = await validate(
      "ingress.yaml",
      `${SERVICE}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: shop}
spec:
  rules:
  - host: api.example.com
    http:
      paths:
      - path: /v1
        backend: {service: {name: web, port: {number: 80}}}
`,
    );
    expect(code).not.toBe(0);
    expect(out).toMatch(
      /Ingress shop\/api\s+spec\.rules\[0\]\.http\.paths\[0\]\.pathType\s+.*Exact, Prefix or ImplementationSpecific/,
    );
  });
});
