/**
 * `npm run deploy` is `wrangler deploy`; offline it cannot upload, but `--dry-run` runs the same build and config
 * validation, so a Worker that would not deploy (bundling, bindings, compatibility date) fails here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/dev/wrangler-dev.ts";
import { wranglerCommand } from "../../scripts/lib/wrangler.ts";

it("builds the production Worker with wrangler deploy --dry-run", () => {
  const outdir = mkdtempSync(join(tmpdir(), "edgeroute-deploy-"));
  try {
    const run = spawnSync(...wranglerCommand(["deploy", "--dry-run", "--outdir", outdir]), {
      cwd: PROJECT_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      encoding: "utf8",
    });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain("env.ROUTES");
    const bundle = readdirSync(outdir).find((f) => f.endsWith(".js"));
    expect(bundle).toBeDefined();
    expect(statSync(join(outdir, bundle as string)).size).toBeGreaterThan(1000);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
