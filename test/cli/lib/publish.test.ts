import { describe, expect, it } from "vitest";
import { contentHash, nextHistory, planPublish } from "../../../scripts/lib/publish.ts";
import { indexKey, versionKeys } from "../../../worker/core/index.ts";
import { parseManifests } from "../../../scripts/lib/read-sources.ts";
import { compile, DEFAULT_COMPILE_OPTIONS } from "../../../worker/core/compile/index.ts";
import type { Pointer } from "../../../worker/core/index.ts";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { EXAMPLE } from "../helpers.ts";

const pointer = (version: string): Pointer => ({
  version,
  schema: "edgeroute/route-table/v1",
  notFound: 503,
  publishedAt: "2026-11-25T12:00:00.000Z",
  publishedBy: "ci",
  routeCount: 1,
  hostCount: 1,
  shardCount: 2,
});

describe("nextHistory", () => {
  it("puts the new pointer first and drops versions beyond keep", () => {
    const live = { pointer: pointer("b"), history: [pointer("b"), pointer("a")] };
    expect(nextHistory(pointer("c"), live, 2)).toEqual({
      history: [pointer("c"), pointer("b")],
      retired: [pointer("a")],
    });
  });

  it("lists each version once: a rollback moves the restored version to the front", () => {
    const live = { pointer: pointer("c"), history: [pointer("c"), pointer("b"), pointer("a")] };
    const restored = { ...pointer("b"), publishedAt: "2026-11-25T13:00:00.000Z" };
    expect(nextHistory(restored, live, 5).history.map((entry) => entry.version)).toEqual(["b", "c", "a"]);
  });

  it("heals a missing history from the live pointer", () => {
    const live = { pointer: pointer("a"), history: [] };
    expect(nextHistory(pointer("b"), live, 5).history.map((entry) => entry.version)).toEqual(["b", "a"]);
  });
});

describe("KV keys", () => {
  it("index first, then every shard: content-addressed, or by version and number in the first layout", () => {
    expect(versionKeys("v1", { shardCount: 2, layout: "content", shardHashes: ["aa", "bb"] })).toEqual([
      "routes:table:v1",
      "routes:shard:aa",
      "routes:shard:bb",
    ]);
    expect(versionKeys("v1", { shardCount: 2, shardHashes: ["aa", "bb"] })).toEqual([
      "routes:table:v1",
      "routes:table:v1:0",
      "routes:table:v1:1",
    ]);
  });
});

describe("planPublish", () => {
  it("is deterministic: the same manifests in any order give the same version, shards before the index", async () => {
    const files = ["web-route.yaml", "api-ingress.yaml", "web-blue-service.yaml", "web-green-service.yaml"];
    const objects = (
      await Promise.all(
        files.map(async (file) => parseManifests(await readFile(join(EXAMPLE, "shop", file), "utf8"), file).objects),
      )
    ).flat();
    const a = planPublish(compile(objects, DEFAULT_COMPILE_OPTIONS).table);
    const b = planPublish(compile([...objects].reverse(), DEFAULT_COMPILE_OPTIONS).table);
    expect(a.version).toBe(b.version);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect(a.pairs.map((pair) => pair.key)).toEqual([`routes:shard:${a.index.shardHashes[0]}`, indexKey(a.version)]);
    expect(a.index).toMatchObject({ routeCount: 4, hostCount: 2, shardCount: 1 });
    const changed = planPublish(compile(objects, { ...DEFAULT_COMPILE_OPTIONS, notFound: 404 }).table);
    expect(changed.version).not.toBe(a.version);
  });

  it("hashes with SHA-256 cut to 16 hex digits", () => {
    expect(contentHash("")).toBe("e3b0c44298fc1c14");
  });
});
