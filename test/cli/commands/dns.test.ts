import { join } from "node:path";
/**
 * `routes dns --zone Z`: the DNS records the deployed table needs, from the real compiler on the examples.
 * The production example's output is the one docs/production.md shows.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../scripts/cli.ts";
import { captureIo, EXAMPLE, ROOT, routes } from "../helpers.ts";

const PRODUCTION = resolve(ROOT, "examples/production");

const EXPECTED = `; DNS records the route table needs in example.com (BIND zone-file syntax)
; Route hosts served as Workers Custom Domains: Cloudflare creates their proxied records (routes domains):
;   admin.example.com
;   api.example.com
;   shop.example.com
lb-blue.example.com.   300  IN  A      203.0.113.10  ; proxied or DNS only: load balancer of Service shop/web-blue (metadata.annotations["external-dns.alpha.kubernetes.io/hostname"])
lb-green.example.com.  300  IN  CNAME  a1b2c3d4e5-1234567890.eu-west-1.elb.amazonaws.com.  ; proxied or DNS only: load balancer of Service shop/web-green (metadata.annotations["edgeroute.dev/hostname"])
; lb-admin.example.com: must resolve to the load balancer of Service shop/admin (named by its status.loadBalancer.ingress[].hostname); edgeroute does not know the address
`;

describe("dns", { timeout: 60_000 }, () => {
  it("prints the production example's records as a zone-file fragment, and writes nothing", async () => {
    const run = await routes(["dns", "--zone", "example.com", PRODUCTION]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(EXPECTED);
    expect(run.stderr).toBe("1 file, 6 objects: 3 routes admitted, 0 rejected; 0 errors, 0 warnings, 0 notices\n");
  });

  it("gives the same records as JSON", async () => {
    const { io, stdout } = captureIo();
    expect(await main(["dns", "--zone", "example.com", PRODUCTION, "--output", "json"], io)).toBe(0);
    const plan = JSON.parse(stdout()) as Record<string, unknown>;
    expect(plan.customDomains).toEqual(["admin.example.com", "api.example.com", "shop.example.com"]);
    expect(plan.records).toEqual([
      {
        name: "lb-blue.example.com",
        type: "A",
        value: "203.0.113.10",
        proxied: null,
        reason:
          'load balancer of Service shop/web-blue (metadata.annotations["external-dns.alpha.kubernetes.io/hostname"])',
      },
      {
        name: "lb-green.example.com",
        type: "CNAME",
        value: "a1b2c3d4e5-1234567890.eu-west-1.elb.amazonaws.com",
        proxied: null,
        reason: 'load balancer of Service shop/web-green (metadata.annotations["edgeroute.dev/hostname"])',
      },
    ]);
    expect(plan.mustExist).toEqual([
      { name: "lb-admin.example.com", service: "shop/admin", field: "status.loadBalancer.ingress[].hostname" },
    ]);
  });

  it("adds the proxied record a wildcard route host needs", async () => {
    const wildcard = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: apps, namespace: shop}
spec:
  ingressClassName: edgeroute
  rules:
  - host: "*.apps.example.com"
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web-blue, port: {name: http}}}}
`;
    const { io, stdout } = captureIo({ stdin: wildcard });
    expect(await main(["dns", "--zone", "example.com", PRODUCTION, "-"], io)).toBe(0);
    expect(stdout()).toContain(
      "*.apps.example.com.    300  IN  AAAA   100::  ; proxied: zone route *.apps.example.com/* of the Worker (an originless record; `routes domains` does not create it)\n",
    );
  });

  it("refuses the local demo (routes-config/shop/): its load balancers are loopback addresses", async () => {
    const run = await routes(["dns", "--zone", "example.com", join(EXAMPLE, "shop")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      "; DNS records the route table needs in example.com (BIND zone-file syntax)\n; no records: no admitted route\n",
    );
    expect(run.stderr).toMatch(
      /web-route\.yaml:\d+ {2}error {2}ForbiddenEndpoint {2}Route shop\/web {2}spec\.to\.name {2}.*127\.0\.0\.1 is a loopback address/,
    );
    expect(run.stderr).toContain("the records above leave out what the 7 errors dropped");
  });

  it("needs --zone, and checks its value", async () => {
    const none = captureIo();
    expect(await main(["dns", PRODUCTION], none.io)).toBe(1);
    expect(none.stderr()).toBe(
      "error: dns needs the zone of the route hosts: pass --zone Z (e.g. --zone example.com)\n",
    );
    const bad = captureIo();
    expect(await main(["dns", "--zone", "example com", PRODUCTION], bad.io)).toBe(1);
    expect(bad.stderr()).toBe(
      'error: --zone takes Cloudflare zone names such as example.com (comma-separated), not "example com"\n',
    );
  });
});
