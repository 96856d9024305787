/**
 * `routes validate --remote` (the real CLI, as a child process) against what a tenant could write into an
 * `oc get -A` export to reach a forbidden target or publish a route that can never apply: every spelling is refused
 * with the file, line, object and field, and says why (issue 9; docs/security.md "Attacks tried").
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { routes, tempDir } from "./helpers.ts";

/** A Service `name` whose only address is `address` (`ip`, `hostname` or ExternalName), and a Route to it. */
function pair(name: string, kind: "ip" | "hostname" | "externalName", address: string, routeExtra = ""): string {
  const service =
    kind === "externalName"
      ? `spec:\n  type: ExternalName\n  externalName: "${address}"\n  ports:\n  - name: http\n    port: 80\n`
      : `spec:\n  type: LoadBalancer\n  ports:\n  - name: http\n    port: 80\nstatus:\n  loadBalancer:\n    ingress:\n    - ${kind}: "${address}"\n`;
  return `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: tenant
${service}---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: ${name}
  namespace: tenant
  creationTimestamp: "2026-01-01T00:00:00Z"
${routeExtra}spec:
  host: ${name}.example.com
  to:
    kind: Service
    name: ${name}
`;
}

const FORBIDDEN: [string, "ip" | "hostname" | "externalName", string, RegExp][] = [
  ["hex-zero", "hostname", "0x.0x.0x.0x", /is the unspecified address/],
  ["hex-loop", "hostname", "127.0x.0x.1", /is a loopback address/],
  ["hex-link", "externalName", "169.254.0x.1", /is link-local/],
  ["int-link", "externalName", "2852039166", /is link-local/],
  ["octal-link", "hostname", "0251.0376.0251.0376", /is link-local/],
  ["short-loop", "externalName", "127.1", /is a loopback address/],
  ["mapped", "ip", "::ffff:169.254.169.254", /is link-local/],
  ["translated", "ip", "::ffff:0:a9fe:a9fe", /is link-local/],
  ["compatible", "ip", "::127.0.0.1", /is a loopback address/],
  ["nat64", "ip", "64:ff9b::169.254.169.254", /is link-local/],
  ["nat64-local", "ip", "64:ff9b:1:a9fe:a9:fe00::", /is link-local/],
  ["sixtofour", "ip", "2002:a9fe:a9fe::1", /is link-local/],
  ["oracle", "ip", "192.0.0.192", /is a cloud metadata endpoint/],
  ["alibaba", "externalName", "100.100.100.200", /is a cloud metadata endpoint/],
  ["gce-v6", "ip", "fd20:ce::254", /is a cloud metadata endpoint/],
  ["numeric-tail", "hostname", "lb.example.0x10", /is not a host a URL can name/],
  ["five-parts", "externalName", "1.2.3.4.5", /is not a host a URL can name/],
];

describe("routes validate --remote refuses every spelling of a forbidden target", () => {
  it("names the file, line, object and field for each, and publishes nothing", async () => {
    const dir = await tempDir();
    const file = join(dir, "tenant.yaml");
    const jwt = (url: string) =>
      `  annotations:\n    auth.edgeroute.dev/jwt-jwks-url: "${url}"\n    auth.edgeroute.dev/jwt-issuer: "i"\n    auth.edgeroute.dev/jwt-audience: "a"\n`;
    await writeFile(
      file,
      [
        ...FORBIDDEN.map(([name, kind, address]) => pair(name, kind, address)),
        pair("jwks-hex", "hostname", "lb.example.com", jwt("https://0xa9fea9fe/jwks")),
        pair("jwks-mapped", "hostname", "lb.example.com", jwt("https://[::ffff:127.0.0.1]/jwks")),
      ].join(""),
    );
    const run = await routes(["validate", "--remote", file]);
    expect(run.code).toBe(1);
    for (const [name, , address, why] of FORBIDDEN) {
      const line = run.stderr.split("\n").find((l) => l.includes(`Route tenant/${name} `));
      expect(line, name).toMatch(/^.*tenant\.yaml:\d+ {2}error {2}ForbiddenEndpoint {2}/);
      expect(line, name).toContain("spec.to.name");
      expect(line, name).toContain(`whose address ${address} `);
      expect(line, name).toMatch(why);
    }
    expect(run.stderr).toMatch(
      /Route tenant\/jwks-hex {2}metadata\.annotations\["auth\.edgeroute\.dev\/jwt-jwks-url"\] {2}the JWKS host 0xa9fea9fe is link-local/,
    );
    expect(run.stderr).toMatch(
      /Route tenant\/jwks-mapped .*the JWKS host \[::ffff:127\.0\.0\.1\] is a loopback address/,
    );
    expect(run.stderr).toMatch(/19 errors/);
  });

  it("refuses IP-literal route hosts and never-matching paths; canonicalises the rest with a warning", async () => {
    const dir = await tempDir();
    const file = join(dir, "paths.yaml");
    const withHost = (name: string, host: string, path = "") =>
      pair(name, "hostname", "lb.example.com").replace(
        `host: ${name}.example.com`,
        `host: "${host}"${path ? `\n  path: "${path}"` : ""}`,
      );
    await writeFile(
      file,
      [
        withHost("ip-host", "203.0.113.10"),
        withHost("hex-host", "0x7f.1"),
        withHost("tilde", "tilde.example.com", "/%7eprivate"),
        withHost("params", "params.example.com", "/admin;x"),
        withHost("slash", "slash.example.com", "/a%2Fb"),
        pair(
          "allow",
          "hostname",
          "lb.example.com",
          '  annotations:\n    haproxy.router.openshift.io/ip_allowlist: "203.0.113.010 10.1/16 192.0.2.1"\n',
        ),
      ].join(""),
    );
    const run = await routes(["validate", "--remote", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Route tenant\/ip-host {2}spec\.host {2}host "203\.0\.113\.10" is an IP address/);
    expect(run.stderr).toMatch(
      /Route tenant\/hex-host {2}spec\.host {2}host "0x7f\.1" is an IP address \(127\.0\.0\.1/,
    );
    expect(run.stderr).toMatch(
      /warning {2}InvalidField {2}Route tenant\/tilde {2}spec\.path {2}path "\/%7eprivate" is published as "\/~private"/,
    );
    expect(run.stderr).toMatch(
      /error {2}InvalidField {2}Route tenant\/params {2}spec\.path {2}path "\/admin;x" can never match/,
    );
    expect(run.stderr).toMatch(
      /error {2}InvalidField {2}Route tenant\/slash {2}spec\.path {2}path "\/a%2Fb" can never match/,
    );
    expect(run.stderr).toMatch(
      /warning .*Route tenant\/allow {2}metadata\.annotations\["haproxy\.router\.openshift\.io\/ip_allowlist"\] {2}entry "203\.0\.113\.010" is not an IP address/,
    );
    expect(run.stderr).toMatch(/entry "10\.1\/16" is not an IP address/);
  });
});
