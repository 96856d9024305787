/** `routes diff` end to end: manifests against the table live in the real local KV. */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Pointer } from "../../../worker/core/index.ts";
import { edit, exampleCopy, EXAMPLE, kvJson, routes, tempDir } from "../helpers.ts";

describe("diff", { timeout: 180_000 }, () => {
  let kv: string;
  let live: Pointer;

  beforeAll(async () => {
    kv = await tempDir("edgeroute-kv-");
    const first = await routes(["diff", EXAMPLE, "--persist-to", kv]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^nothing is published yet in local KV ROUTES .*; every route is new\nAdded \(6\):\n/);
    expect((await routes(["push", EXAMPLE, "--persist-to", kv])).code).toBe(0);
    live = await kvJson<Pointer>(kv, "routes:current");
  }, 180_000);

  it("the published manifests show no change", async () => {
    const run = await routes(["diff", EXAMPLE, "--persist-to", kv]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `against live version ${live.version} (published ${live.publishedAt} by cli-test@ci)\nno changes: the manifests compile to the live version ${live.version}\n`,
    );
  });

  it("prints weight changes, new routes, path and policy changes", async () => {
    const manifests = await exampleCopy();
    const route = join(manifests, "shop", "web-route.yaml");
    await edit(route, "weight: 90", "weight: 50");
    await edit(route, "weight: 10", "weight: 50");
    await edit(route, "timeout: 30s", "timeout: 5s");
    const ingress = join(manifests, "shop", "api-ingress.yaml");
    await edit(ingress, "path: /static", "path: /assets");
    await writeFile(
      join(manifests, "shop", "canary-route.yaml"),
      (await readFile(route, "utf8"))
        .replace("name: web\n", "name: canary\n")
        .replace("host: shop.example.com", "host: canary.example.com"),
    );
    const run = await routes(["diff", manifests, "--persist-to", kv]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        `against live version ${live.version} (published ${live.publishedAt} by cli-test@ci)`,
        "Added (1):",
        "  + shop/canary  canary.example.com (all paths)  → web-blue 50 (50%), web-green 50 (50%)",
        "Changed (2):",
        "  ~ shop/api#0.2: path /static→/assets",
        "  ~ shop/web: web-blue 90→50, web-green 10→50",
        "  ~ shop/web: timeoutMs 30000→5000",
        "",
      ].join("\n"),
    );
    // Nothing was written: the live version is unchanged.
    expect(await kvJson<Pointer>(kv, "routes:current")).toEqual(live);
  });
});
