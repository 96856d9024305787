/**
 * `--remote` refuses what a deployed Worker cannot reach (docs/production.md): the real CLI and compiler on
 * manifests as `oc get -o yaml` prints them.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../scripts/cli.ts";
import { captureIo, ROOT, routes } from "./helpers.ts";

const service = (o: { port?: number; ingress: string; annotations?: Record<string, string> }): string => `---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
${
  o.annotations
    ? `  annotations:\n${Object.entries(o.annotations)
        .map(([k, v]) => `    ${k}: ${v}\n`)
        .join("")}`
    : ""
}spec:
  type: LoadBalancer
  ports:
  - name: web
    port: ${o.port ?? 80}
    protocol: TCP
status:
  loadBalancer:
    ingress:
    - ${o.ingress}
`;

const route = (tls = ""): string => `---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: web
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  host: shop.example.com
  to: {kind: Service, name: web}
${tls}`;

async function validate(manifests: string, ...args: string[]) {
  const { io, stdout, stderr } = captureIo({ stdin: manifests });
  const code = await main(["validate", "--remote", ...args, "-"], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const EXTERNAL_DNS = { "external-dns.alpha.kubernetes.io/hostname": "lb.example.com" };

describe("validate --remote: what a deployed Worker can reach", () => {
  it("refuses a load balancer with only an IP, naming the Service and what to do", async () => {
    const run = await validate(route() + service({ ingress: "ip: 203.0.113.10" }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^<stdin>:\d+ {2}error {2}UnreachableEndpoint {2}Route shop\/web {2}spec\.to\.name {2}Route shop\/web refers to Service shop\/web, whose endpoint http:\/\/203\.0\.113\.10:80 a deployed Worker cannot reach: 203\.0\.113\.10 is an IP address, and a deployed Worker cannot fetch IP addresses \(https:\/\/developers\.cloudflare\.com\/workers\/platform\/known-issues\/#fetch-to-ip-addresses\); give the load balancer a DNS name in the route host's zone with the Service annotation external-dns\.alpha\.kubernetes\.io\/hostname or edgeroute\.dev\/hostname/m,
    );
    expect(run.stdout).toContain("Admitted routes (0)");
    // The same manifests are fine for the local gateway, which fetches addresses.
    const { io } = captureIo({ stdin: route() + service({ ingress: "ip: 203.0.113.10" }) });
    expect(await main(["validate", "-"], io)).toBe(0);
  });

  it("accepts the same load balancer named by ExternalDNS's hostname annotation, and uses the name", async () => {
    const run = await validate(
      route() + service({ ingress: "ip: 203.0.113.10", annotations: EXTERNAL_DNS }),
      "--output",
      "json",
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { admitted: { backends: { endpoints: unknown[] }[] }[] };
    expect(result.admitted[0]?.backends[0]?.endpoints).toEqual([{ scheme: "http", host: "lb.example.com", port: 80 }]);
  });

  it("accepts an HTTPS endpoint on 8443 and refuses one on 9443", async () => {
    const reencrypt = "  tls: {termination: reencrypt}\n";
    const at = (port: number) => validate(route(reencrypt) + service({ port, ingress: "hostname: lb.example.com" }));
    expect((await at(8443)).code).toBe(0);
    const refused = await at(9443);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "whose endpoint https://lb.example.com:9443 a deployed Worker cannot reach: port 9443 is not a port Cloudflare's proxy accepts for https (443, 2053, 2083, 2087, 2096, 8443): the Worker fetches https://shop.example.com:9443 through the proxied route host",
    );
  });

  it("with --zone, refuses an endpoint name outside the route host's zone", async () => {
    const outside = route() + service({ ingress: "hostname: a1b2.elb.amazonaws.com" });
    expect((await validate(outside)).code).toBe(0);
    const run = await validate(outside, "--zone", "example.com");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "a1b2.elb.amazonaws.com is not in zone example.com of the route host shop.example.com, and cf.resolveOverride is ignored unless both names are in the same zone",
    );
    // Several zones, comma-separated: each route host pairs with its own.
    const twoZones = await validate(
      outside.replace("shop.example.com", "shop.example.net"),
      "--zone",
      "example.com,Example.NET.",
    );
    expect(twoZones.stderr).toContain(
      "a1b2.elb.amazonaws.com is not in zone example.net of the route host shop.example.net",
    );
    // An in-zone name for it (a CNAME, say) fixes it.
    const named =
      route() +
      service({
        ingress: "hostname: a1b2.elb.amazonaws.com",
        annotations: { "edgeroute.dev/hostname": "lb.example.com" },
      });
    expect((await validate(named, "--zone", "example.com")).code).toBe(0);
  });

  it("accepts the production example", async () => {
    const { io, stderr } = captureIo();
    expect(
      await main(["validate", "--remote", "--zone", "example.com", resolve(ROOT, "examples/production")], io),
    ).toBe(0);
    expect(stderr()).toBe("1 file, 6 objects: 3 routes admitted, 0 rejected; 0 errors, 0 warnings, 0 notices\n");
  });
});

describe("push and diff --remote refuse the same", { timeout: 60_000 }, () => {
  const ipOnly = route() + service({ ingress: "ip: 203.0.113.10" });

  it("push --remote stops before writing anything", async () => {
    const run = await routes(["push", "--remote", "-"], { input: ipOnly });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("UnreachableEndpoint  Route shop/web  spec.to.name");
    expect(run.stderr).toContain("not published: 1 error; nothing was written to KV");
  });

  it("diff --remote reports the error and exits 1", async () => {
    const run = await routes(["diff", "--remote", "-"], { input: ipOnly });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("UnreachableEndpoint  Route shop/web  spec.to.name");
  });
});
