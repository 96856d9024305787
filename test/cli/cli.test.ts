import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, main } from "../../scripts/cli.ts";
import { captureIo, EXAMPLE, exampleCopy, tempDir } from "./helpers.ts";

const STEAL = `apiVersion: route.openshift.io/v1
kind: Route
metadata:
  creationTimestamp: "2026-11-21T00:00:00Z"
  name: steal
  namespace: evil
spec:
  host: shop.example.com
  to:
    kind: Service
    name: evil
---
apiVersion: v1
kind: Service
metadata:
  name: evil
  namespace: evil
spec:
  type: LoadBalancer
  ports:
  - port: 80
status:
  loadBalancer:
    ingress:
    - ip: 127.0.0.1
`;

describe("help and argument errors", () => {
  it("lists every command; each command has its own help with its options", async () => {
    const top = captureIo();
    expect(await main(["--help"], top.io)).toBe(0);
    for (const command of COMMANDS) expect(top.stdout()).toContain(`  ${command.name}`);
    const push = captureIo();
    expect(await main(["push", "--help"], push.io)).toBe(0);
    expect(push.stdout()).toMatch(/^Usage: npm run routes -- push FILE\|DIR\|-/);
    for (const option of [
      "--dry-run",
      "--keep N",
      "--persist-to DIR",
      "--remote",
      "--hsts-policy FILE",
      "--output text|json",
      "--strict",
    ]) {
      expect(push.stdout()).toContain(option);
    }
    const help = captureIo();
    expect(await main(["help", "rollback"], help.io)).toBe(0);
    expect(help.stdout()).toContain("--to VERSION");
    const none = captureIo();
    expect(await main([], none.io)).toBe(1);
    expect(none.stdout()).toContain("Commands:");
  });

  it("exit 1 with a one-line reason, never a stack trace, for bad commands and options", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /^error: unknown command frobnicate\n/],
      [
        ["validate", "--bogus", EXAMPLE],
        /^error: unknown option --bogus for validate; see `npm run routes -- validate --help`\n$/,
      ],
      [["validate", EXAMPLE, "--output"], /^error: option --output needs a value/],
      [["validate", EXAMPLE, "--output", "yaml"], /^error: --output must be text or json, not yaml\n$/],
      [["validate", EXAMPLE, "--not-found", "500"], /^error: --not-found must be 503 or 404, not 500\n$/],
      [["validate", EXAMPLE, "--local", "--remote"], /^error: --local and --remote cannot be used together\n$/],
      [["validate"], /^error: no manifests given: pass FILE, DIR or - \(stdin\)\n$/],
      [["validate", "no/such/dir"], /^error: no\/such\/dir: no such file or directory\n$/],
      [["push", EXAMPLE, "--keep", "1"], /^error: --keep must be a whole number of at least 2/],
      [
        ["push", EXAMPLE, "--config", "nope.toml"],
        /^error: wrangler configuration .*nope\.toml not found; pass --config FILE/,
      ],
      [["rollback", "extra"], /^error: rollback takes no arguments/],
      [
        ["status", "--remote", "--persist-to", "x"],
        /^error: --persist-to applies to the local KV only, not with --remote\n$/,
      ],
      [["explain"], /^error: explain needs a URL/],
    ];
    for (const [argv, expected] of cases) {
      const { io, stderr, stdout } = captureIo();
      expect(await main(argv, io), argv.join(" ")).toBe(1);
      expect(stderr()).toMatch(expected);
      expect(stderr()).not.toMatch(/\n\s+at /);
      expect(stdout()).toBe("");
    }
  });

  it("exit 2 for a bug, with the stack trace only under --debug", async () => {
    const failing = { readStdin: async (): Promise<string> => Promise.reject(new Error("stdin exploded")) };
    const plain = captureIo(failing);
    expect(await main(["validate", "-"], plain.io)).toBe(2);
    expect(plain.stderr()).toBe(
      "internal error (a bug in edgeroute): stdin exploded\nrun again with --debug for the stack trace\n",
    );
    const debug = captureIo(failing);
    expect(await main(["validate", "-", "--debug"], debug.io)).toBe(2);
    expect(debug.stderr()).toMatch(/^internal error \(a bug in edgeroute\): Error: stdin exploded\n\s+at /);
  });
});

describe("validate", () => {
  it("prints the admitted routes with who splits them, backends and weights, and exits 0", async () => {
    const { io, stdout, stderr } = captureIo();
    expect(await main(["validate", "routes-config"], io)).toBe(0);
    expect(stdout()).toBe(
      [
        "Admitted routes (6):",
        "HOST                                  PATH              ROUTE            TLS            SPLIT BY                         BACKENDS",
        "shop.example.com                      (all paths)       shop/web         edge/Redirect  edge                             web-blue 90 (90%), web-green 10 (10%)",
        "api.example.com                       /healthz (exact)  shop/api#0.0     http           edge                             web-blue 100 (100%)",
        "api.example.com                       /v1               shop/api#0.1     http           edge                             web-blue 100 (100%)",
        "api.example.com                       /static           shop/api#0.2     http           edge                             web-green 100 (100%)",
        "frontend-store.apps.east.example.com  (all paths)       store/frontend   edge/Redirect  router default (status.ingress)  cluster router default at https://router-default.apps.east.example.com:443",
        "frontend-store.apps.east.example.com  /api              store/inventory  http           router default (status.ingress)  cluster router default at http://router-default.apps.east.example.com:80",
        "",
      ].join("\n"),
    );
    expect(stderr()).toBe("5 files, 11 objects: 6 routes admitted, 0 rejected; 0 errors, 0 warnings, 0 notices\n");
  });

  it("prints each diagnostic as file:line severity code object field message; any error exits 1", async () => {
    const dir = await exampleCopy();
    const bad = join(dir, "shop", "web-route.yaml");
    const text = await readFile(bad, "utf8");
    await writeFile(bad, text.replace("weight: 90", "weight: 300"));
    const { io, stderr } = captureIo({ cwd: dir });
    expect(await main(["validate", "."], io)).toBe(1);
    const line = text.split("\n").findIndex((each) => each.includes("weight: 90")) + 1;
    expect(stderr()).toContain(
      `shop/web-route.yaml:${line}  error  WeightOutOfRange  Route shop/web  spec.to.weight  weight 300 must be`,
    );
  });

  it("shows rejected routes; --strict turns their warnings into errors", async () => {
    const dir = await exampleCopy();
    await writeFile(join(dir, "steal.yaml"), STEAL);
    const lax = captureIo({ cwd: dir });
    expect(await main(["validate", "."], lax.io)).toBe(0);
    expect(lax.stdout()).toMatch(
      /Rejected routes \(1\):\nHOST {14}PATH {2}OBJECT {12}REASON {14}MESSAGE\nshop\.example\.com {2}- {5}Route evil\/steal {2}HostAlreadyClaimed {2}/,
    );
    expect(lax.stderr()).toMatch(
      /^steal\.yaml:8 {2}warning {2}HostAlreadyClaimed {2}Route evil\/steal {2}spec\.host {2}/m,
    );
    const strict = captureIo({ cwd: dir });
    expect(await main(["validate", ".", "--strict"], strict.io)).toBe(1);
    expect(strict.stderr()).toMatch(/^steal\.yaml:8 {2}error {2}HostAlreadyClaimed {2}/m);
  });

  it("--output json prints exactly one JSON document, diagnostics included, nothing else on stdout", async () => {
    const dir = await exampleCopy();
    await writeFile(join(dir, "broken.yaml"), "kind: Route\nspec:\n  host: [a\n");
    const { io, stdout, stderr } = captureIo({ cwd: dir });
    expect(await main(["validate", ".", "--output", "json"], io)).toBe(1);
    const document = JSON.parse(stdout()) as {
      ok: boolean;
      counts: { error: number };
      diagnostics: { code: string; line: number; source: { file: string } }[];
      admitted: unknown[];
    };
    expect(document.ok).toBe(false);
    expect(document.counts.error).toBe(1);
    expect(document.diagnostics).toMatchObject([{ code: "MalformedYAML", line: 4, source: { file: "broken.yaml" } }]);
    expect(document.admitted).toHaveLength(6);
    expect(stderr()).toBe("");
  });

  it("reads stdin for -", async () => {
    const text = (
      await Promise.all(
        ["web-route.yaml", "web-blue-service.yaml", "web-green-service.yaml"].map((file) =>
          readFile(join(EXAMPLE, "shop", file), "utf8"),
        ),
      )
    ).join("---\n");
    const { io, stdout } = captureIo({ stdin: text });
    expect(await main(["validate", "-"], io)).toBe(0);
    expect(stdout()).toContain(
      "shop.example.com  (all paths)  shop/web  edge/Redirect  edge      web-blue 90 (90%), web-green 10 (10%)",
    );
  });

  it("--remote compiles for the deployed Worker: the example's loopback load balancers are refused", async () => {
    const { io, stderr } = captureIo();
    expect(await main(["validate", EXAMPLE, "--remote"], io)).toBe(1);
    expect(stderr()).toMatch(
      /web-route\.yaml:\d+ {2}error {2}ForbiddenEndpoint {2}Route shop\/web {2}spec\.to\.name {2}.*127\.0\.0\.1 is a loopback address/,
    );
    const strict = captureIo();
    expect(await main(["validate", EXAMPLE, "--strict"], strict.io)).toBe(0);
  });

  it("applies --hsts-policy to the compile", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "hsts.yaml"), "- domainPatterns: ['shop.example.com']\n  minAgeSeconds: 600\n");
    const { io, stderr } = captureIo();
    expect(await main(["validate", EXAMPLE, "--hsts-policy", join(dir, "hsts.yaml")], io)).toBe(1);
    expect(stderr()).toMatch(/web-route\.yaml:\d+ {2}error {2}HSTSPolicyViolation {2}Route shop\/web {2}/);
  });
});

describe("explain from manifests", () => {
  it("a wildcard route serves one more label only with --allow-wildcards, and says so", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "blue.yaml"), await readFile(join(EXAMPLE, "shop", "web-blue-service.yaml"), "utf8"));
    await writeFile(
      join(dir, "tenants.yaml"),
      "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: tenants\n  namespace: shop\nspec:\n  host: www.apps.example.com\n  wildcardPolicy: Subdomain\n  port:\n    targetPort: http\n  to:\n    kind: Service\n    name: web-blue\n",
    );
    const allowed = captureIo();
    expect(await main(["explain", "http://acme.apps.example.com/x", dir, "--allow-wildcards"], allowed.io)).toBe(0);
    expect(allowed.stdout()).toContain("→ served by Route shop/tenants (wildcard host *.apps.example.com)\n");
    expect(allowed.stdout()).toContain("  ✓ shop/tenants  wildcard *.apps.example.com; ");
    const deeper = captureIo();
    expect(await main(["explain", "http://a.b.apps.example.com/", dir, "--allow-wildcards"], deeper.io)).toBe(0);
    expect(deeper.stdout()).toContain("→ no route serves this URL: the gateway answers 503\n");
    const refused = captureIo();
    expect(await main(["explain", "http://acme.apps.example.com/x", dir], refused.io)).toBe(0);
    expect(refused.stdout()).toContain("→ no route serves this URL: the gateway answers 503\n");
    expect(refused.stderr()).toMatch(
      /tenants\.yaml:7 {2}warning {2}RouteNotAdmitted {2}Route shop\/tenants {2}spec\.host {2}/,
    );
  });
});
