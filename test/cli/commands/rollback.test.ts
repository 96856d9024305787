/** `routes rollback` end to end against the real local KV; the pointer is read back with wrangler. */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Pointer } from "../../../worker/core/index.ts";
import { edit, exampleCopy, kvJson, routes, tempDir } from "../helpers.ts";

describe("rollback", { timeout: 180_000 }, () => {
  let kv: string;
  let v1: string;
  let v2: string;
  const on = (): string[] => ["--persist-to", kv];

  beforeAll(async () => {
    kv = await tempDir("edgeroute-kv-");
    const manifests = await exampleCopy();
    const empty = await routes(["rollback", ...on()]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: nothing is published in local KV ROUTES \(.*\): push a table first\n$/);
    expect((await routes(["push", manifests, ...on()])).code).toBe(0);
    v1 = (await kvJson<Pointer>(kv, "routes:current")).version;
    await edit(join(manifests, "shop", "web-route.yaml"), "weight: 90", "weight: 50");
    expect((await routes(["push", manifests, ...on()])).code).toBe(0);
    v2 = (await kvJson<Pointer>(kv, "routes:current")).version;
  }, 180_000);

  it("flips the pointer back to the previous version; a second rollback returns", async () => {
    const back = await routes(["rollback", ...on()]);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(
      new RegExp(`^rolled back to version ${v1}: 6 routes, 3 hosts, 1 shard\nroutes:current → ${v1} \\(was ${v2}\\)\n`),
    );
    const pointer = await kvJson<Pointer>(kv, "routes:current");
    expect(pointer).toMatchObject({
      version: v1,
      publishedBy: "cli-test@ci",
      routeCount: 6,
      hostCount: 3,
      shardCount: 1,
    });
    expect((await kvJson<Pointer[]>(kv, "routes:history")).map((entry) => entry.version)).toEqual([v1, v2]);

    const forth = await routes(["rollback", ...on(), "--output", "json"]);
    expect(forth.code).toBe(0);
    expect(JSON.parse(forth.stdout)).toMatchObject({
      rolledBack: true,
      pointer: { version: v2 },
      previous: { version: v1 },
    });
    expect((await kvJson<Pointer>(kv, "routes:current")).version).toBe(v2);
  });

  it("--to takes a unique prefix; the live version is a no-op; an unknown one is refused", async () => {
    const to = await routes(["rollback", "--to", v1.slice(0, 6), ...on()]);
    expect(to.code).toBe(0);
    expect((await kvJson<Pointer>(kv, "routes:current")).version).toBe(v1);

    const same = await routes(["rollback", "--to", v1, ...on()]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(new RegExp(`^version ${v1} is already live`));

    const unknown = await routes(["rollback", "--to", "ffffffffffffffff", ...on()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^error: version ffffffffffffffff is not in the history \(.*\); older versions are deleted from KV\n$/,
    );
    expect((await kvJson<Pointer>(kv, "routes:current")).version).toBe(v1);
  });
});
