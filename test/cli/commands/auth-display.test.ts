/**
 * `validate` and `explain` show a route's authentication, with the README's example route
 * (docs/examples/openshift-oauth-route.yaml) compiled together with routes-config/.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLE, ROOT, routes } from "../helpers.ts";

const OAUTH_EXAMPLE = join(ROOT, "docs/examples/openshift-oauth-route.yaml");
const CHECK =
  "OpenShift OAuth token via user API http://127.0.0.1:8086/apis/user.openshift.io/v1/users/~; groups developers; user → X-Forwarded-User; groups → X-Forwarded-Groups; cache 60 s (rejections 5 s), timeout 5000 ms";

describe("authentication in validate and explain", { timeout: 60_000 }, () => {
  it("validate lists every route with authentication and what it checks", async () => {
    const run = await routes(["validate", EXAMPLE, OAUTH_EXAMPLE]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    const start = lines.indexOf("Authentication (1):");
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toMatch(/^HOST +PATH +ROUTE +CHECK$/);
    expect(lines[start + 2]).toBe(`console.example.com  (all paths)  shop/console  ${CHECK}`);
    expect(run.stderr).toContain("0 errors, 0 warnings");
  });

  it("validate --output json carries the compiled token check", async () => {
    const run = await routes(["validate", EXAMPLE, OAUTH_EXAMPLE, "--output", "json"]);
    const document = JSON.parse(run.stdout) as { admitted: { id: string; tokenCheck: unknown }[] };
    expect(document.admitted.find((r) => r.id === "shop/console")?.tokenCheck).toMatchObject({
      kind: "openshift-user",
      allowedGroups: ["developers"],
    });
  });

  it("explain shows the serving route's authentication", async () => {
    const run = await routes(["explain", "https://console.example.com/", EXAMPLE, OAUTH_EXAMPLE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`\n  auth     ${CHECK}\n`);
  });

  it("a route without authentication shows none", async () => {
    const run = await routes(["explain", "https://shop.example.com/", EXAMPLE]);
    expect(run.stdout).not.toContain("  auth ");
  });
});
