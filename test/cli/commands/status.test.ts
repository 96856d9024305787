/** `routes status` end to end against the real local KV. */
import { describe, expect, it } from "vitest";
import type { Pointer } from "../../../worker/core/index.ts";
import { EXAMPLE, routes, tempDir } from "../helpers.ts";

describe("status", { timeout: 180_000 }, () => {
  it("says when nothing is published, then shows the live version, who published it, counts and history", async () => {
    const kv = await tempDir("edgeroute-kv-");
    const empty = await routes(["status", "--persist-to", kv]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^no route table is published in local KV ROUTES \(/);

    expect((await routes(["push", EXAMPLE, "--persist-to", kv])).code).toBe(0);
    const text = await routes(["status", "--persist-to", kv]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^live version {3}([0-9a-f]{16})\npublished {6}\S+Z by cli-test@ci \(\d+ seconds? ago\)\ntable {10}6 routes, 3 hosts, 1 shard\nkv {13}local KV ROUTES/,
    );
    expect(text.stdout).toMatch(
      /History \(newest first, \* = live\):\n {3}VERSION {11}PUBLISHED {17}BY {11}ROUTES {2}HOSTS {2}SHARDS\n\* {2}[0-9a-f]{16} {2}\S+Z {2}cli-test@ci {2}6 {7}3 {6}1\n$/,
    );

    const json = await routes(["status", "--persist-to", kv, "--output", "json"]);
    const document = JSON.parse(json.stdout) as { live: Pointer; history: Pointer[] };
    expect(document.live).toMatchObject({ publishedBy: "cli-test@ci", routeCount: 6, hostCount: 3, shardCount: 1 });
    expect(document.history).toEqual([document.live]);
  });
});
