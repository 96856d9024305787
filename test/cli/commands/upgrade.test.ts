/**
 * The CLI over a live table the previous CLI published (schema v1, test/fixtures/table-v1.ts, written to the real
 * `wrangler kv --local`): status and diff read it, and push republishes it in the current schema.
 */
import { describe, expect, it } from "vitest";
import { parseShard, type Pointer, shardKey, type TableIndex } from "../../../worker/core/index.ts";
import { TABLE_V1 } from "../../fixtures/table-v1.ts";
import { kvGet, kvJson, kvPut, routes, tempDir } from "../helpers.ts";

describe("a live table of the previous schema (v1)", () => {
  it("is read by status and diff, and push writes the same routes in schema v2", async () => {
    const kv = await tempDir();
    const index = JSON.parse(TABLE_V1.index) as TableIndex;
    await kvPut(kv, `routes:table:${TABLE_V1.version}`, TABLE_V1.index);
    await kvPut(kv, `routes:table:${TABLE_V1.version}:0`, TABLE_V1.shards[0] as string);
    const pointer: Pointer = {
      version: TABLE_V1.version,
      schema: index.schema,
      notFound: index.notFound,
      publishedAt: "2026-12-01T00:00:00.000Z",
      publishedBy: "previous-cli@ci",
      routeCount: index.routeCount,
      hostCount: index.hostCount,
      shardCount: index.shardCount,
      shardHashes: index.shardHashes,
    };
    await kvPut(kv, "routes:current", JSON.stringify(pointer));
    await kvPut(kv, "routes:history", JSON.stringify([pointer]));
    const inputs = [
      "--local",
      "--resolve",
      "router-default.apps.east.example.com=127.0.0.1:8083",
      "routes-config",
      "test/golden/gateway.in.yaml",
    ];

    const status = await routes(["status", "--persist-to", kv]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(TABLE_V1.version);
    const diff = await routes(["diff", ...inputs, "--persist-to", kv]);
    expect(diff.code, diff.stderr).toBe(0);
    // The v1 table holds exactly what these manifests compile to: only the encoding differs.
    expect(diff.stdout).toBe(
      `against live version ${TABLE_V1.version} (published 2026-12-01T00:00:00.000Z by previous-cli@ci)\nno route changes\n`,
    );

    const push = await routes(["push", ...inputs, "--persist-to", kv]);
    expect(push.code, push.stderr).toBe(0);
    const current = await kvJson<Pointer>(kv, "routes:current");
    expect(current.schema).toBe("edgeroute/route-table/v2");
    expect(current.version).not.toBe(TABLE_V1.version);
    const republished = parseShard((await kvGet(kv, shardKey(current.version, current, 0))) ?? "");
    const previous = parseShard(TABLE_V1.shards[0] as string);
    if ("error" in republished || "error" in previous) throw new Error("a shard does not parse");
    expect(republished.shard).toEqual(previous.shard);
  });
});
