/**
 * `routes domains`: the certificate plan from real manifests compiled by the real compiler, checked offline by
 * the real wrangler (`wrangler deploy --dry-run` with the planned --domain/--route/--zone flags).
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../scripts/cli.ts";
import type { DomainPlan } from "../../scripts/commands/domains.ts";
import type { Io } from "../../scripts/lib/io.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CONFIG = resolve(ROOT, "wrangler.toml");

const SERVICE = `---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  type: LoadBalancer
  ports:
  - name: http
    port: 8080
    protocol: TCP
status:
  loadBalancer:
    ingress:
    - ip: 127.0.0.1
`;

function route(name: string, host: string, extra = ""): string {
  return `---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: ${name}
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  host: ${host}
${extra}  to:
    kind: Service
    name: web
    weight: 100
  port:
    targetPort: http
`;
}

const WILDCARD = "  wildcardPolicy: Subdomain\n";
const OWN_CERT = `  tls:
    termination: edge
    certificate: |
      -----BEGIN CERTIFICATE-----
      MIIBfake
      -----END CERTIFICATE-----
    key: |
      -----BEGIN PRIVATE KEY-----
      MIIBfake
      -----END PRIVATE KEY-----
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run routes -- domains - …` with the manifests on stdin; wrangler runs for real. */
async function domains(manifests: string, ...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => manifests,
    env: process.env,
    cwd: ROOT,
    now: () => new Date("2026-11-25T12:00:00Z"),
    whoami: () => "test@localhost",
    openKv: () => {
      throw new Error("domains must not touch KV");
    },
  };
  const code = await main(["domains", "-", ...args], io);
  return { code, stdout, stderr };
}

const planOf = (run: Run): DomainPlan & { applied: boolean } =>
  JSON.parse(run.stdout) as DomainPlan & { applied: boolean };

describe("routes domains --dry-run", () => {
  it("plans Custom Domains for exact hosts and a zone route for a wildcard host, and wrangler accepts the plan", async () => {
    const manifests =
      SERVICE +
      route("web", "shop.example.com") +
      route("api", "api.example.com") +
      route("apps", "www.apps.example.com", WILDCARD);
    const run = await domains(manifests, "--zone", "example.com", "--allow-wildcards", "--dry-run", "--output", "json");
    expect(run.stderr).toContain("--dry-run: exiting now.");
    expect(run.code).toBe(0);
    const plan = planOf(run);
    expect(plan.applied).toBe(false);
    expect(plan.customDomains).toEqual(["api.example.com", "shop.example.com"]);
    expect(plan.zoneRoutes).toEqual([{ pattern: "*.apps.example.com/*", zone_name: "example.com" }]);
    expect(plan.skipped).toEqual([]);
    expect(plan.wranglerArgs).toEqual([
      "deploy",
      "--config",
      CONFIG,
      "--domain",
      "api.example.com",
      "--domain",
      "shop.example.com",
      "--route",
      "*.apps.example.com/*",
      "--x-route-zones",
      "--zone",
      "example.com",
    ]);
    expect(plan.warnings).toEqual([
      "*.apps.example.com: create a proxied DNS record for *.apps.example.com in zone example.com (e.g. AAAA 100::); zone routes do not create DNS records.",
      "*.apps.example.com: Universal SSL does not cover it (only example.com and *.example.com); order an advanced certificate for *.apps.example.com (Advanced Certificate Manager) or enable Total TLS before sending traffic.",
    ]);
  });

  it("does not ask for an advanced certificate when Universal SSL covers the wildcard", async () => {
    const run = await domains(
      SERVICE + route("web", "shop.example.com") + route("any", "x.example.com", WILDCARD),
      "--zone",
      "example.com",
      "--allow-wildcards",
      "--dry-run",
      "--output",
      "json",
    );
    expect(run.code).toBe(0);
    const plan = planOf(run);
    expect(plan.zoneRoutes).toEqual([{ pattern: "*.example.com/*", zone_name: "example.com" }]);
    expect(plan.warnings.join("\n")).not.toContain("Universal SSL");
  });

  it("prints the plan as a table with the wrangler command line", async () => {
    const run = await domains(SERVICE + route("web", "shop.example.com"), "--dry-run");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "KIND           PATTERN           ZONE  CERTIFICATE",
        "custom domain  shop.example.com  -     managed certificate for this host",
        "warning: the plan has no zone routes: wrangler leaves the Worker's existing zone routes in place; remove unwanted ones in the dashboard.",
        `would run: wrangler deploy --config ${CONFIG} --domain shop.example.com`,
        "",
      ].join("\n"),
    );
  });

  it("warns about a Route that brings its own certificate, naming the route, its host and what to do", async () => {
    const run = await domains(SERVICE + route("own", "own.example.com", OWN_CERT), "--dry-run", "--output", "json");
    expect(run.code).toBe(0);
    const warning = planOf(run).warnings.find((w) => w.startsWith("Route shop/own"));
    expect(warning).toContain("spec.tls.certificate");
    expect(warning).toContain("Cloudflare serves own.example.com with a managed certificate");
    expect(warning).toContain("upload it to the zone as a custom certificate");
  });

  it("skips hosts no public certificate can cover", async () => {
    const run = await domains(
      SERVICE + route("web", "shop.example.com") + route("dev", "shop.localhost"),
      "--dry-run",
      "--output",
      "json",
    );
    expect(run.code).toBe(0);
    const plan = planOf(run);
    expect(plan.customDomains).toEqual(["shop.example.com"]);
    expect(plan.skipped).toEqual([
      { host: "shop.localhost", reason: ".localhost is a special-use name that no public CA certifies" },
    ]);
  });
});

describe("routes domains and the catch-all", () => {
  it("attaches no trigger for an Ingress default backend and says what it will see", async () => {
    const ingress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: fallback
  namespace: shop
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  defaultBackend:
    service:
      name: web
      port:
        number: 8080
`;
    const run = await domains(
      SERVICE + route("web", "shop.example.com") + ingress,
      "--zone",
      "example.com",
      "--dry-run",
      "--output",
      "json",
    );
    expect(run.code).toBe(0);
    const plan = planOf(run);
    expect(plan.customDomains).toEqual(["shop.example.com"]);
    expect(plan.skipped).toEqual([]);
    const warning = plan.warnings.find((w) => w.startsWith("the catch-all"));
    expect(warning).toContain("answers only requests for hosts attached to the Worker that no route serves");
    expect(warning).toContain("example.com/* and *.example.com/*");
  });
});

describe("routes domains refuses what it cannot apply", () => {
  it("needs --zone for a wildcard host", async () => {
    const run = await domains(
      SERVICE + route("apps", "www.apps.example.com", WILDCARD),
      "--allow-wildcards",
      "--dry-run",
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "error: wildcard host *.apps.example.com needs a zone route, which needs its zone: pass --zone <zone name>, e.g. --zone example.com",
    );
    expect(run.stdout).toBe("");
  });

  it("refuses a zone that does not hold the wildcard host", async () => {
    const run = await domains(
      SERVICE + route("apps", "www.apps.example.com", WILDCARD),
      "--allow-wildcards",
      "--zone",
      "example.org",
      "--dry-run",
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: wildcard host *.apps.example.com is not inside zone example.org");
  });

  it("does not plan from manifests with errors", async () => {
    const run = await domains(route("web", "shop.example.com"), "--dry-run");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("not planning");
    expect(run.stdout).toBe("");
  });

  it("reports a wrangler failure as an error with wrangler's output", async () => {
    const run = await domains(
      SERVICE + route("web", "shop.example.com"),
      "--dry-run",
      "--config",
      "missing/wrangler.toml",
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: wrangler rejected the plan");
  });
});
