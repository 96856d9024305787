import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects: "node" runs the pure core, the CLI (against the real `wrangler kv --local`) and the end-to-end
// tests (a real local gateway in front of real HTTP backends); "workerd" runs Worker code inside the Workers
// runtime through @cloudflare/vitest-plugin.
export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "node",
          include: [
            "test/core/**/*.test.ts",
            "test/cli/**/*.test.ts",
            "test/e2e/**/*.test.ts",
            "test/spec-audit/**/*.test.ts",
          ],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { ROUTES_REFRESH_SECONDS: "1", ADMIN_HOST: "admin.edgeroute.test" } },
          }),
        ],
        test: {
          name: "workerd",
          include: ["test/worker/**/*.test.ts"],
        },
      },
    ],
  },
});
