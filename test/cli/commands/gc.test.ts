/**
 * Incremental publication and garbage collection, end to end: the real CLI process writing a table of several
 * shards to the real local KV, and wrangler itself (`wrangler kv key list/get --local`) reading back which keys
 * exist. A one-route change writes one shard and the index; gc keeps every key a kept version uses; rollback
 * works after gc.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseShard, shardOf, versionKeys } from "../../../worker/core/index.ts";
import type { Pointer } from "../../../worker/core/index.ts";
import { edit, kvGet, kvJson, kvKeys, kvPut, routes, tempDir } from "../helpers.ts";

const ROUTES = 6_000;
const SERVICES = 20;

/** A table of several 512 KiB shards: ROUTES Routes over SERVICES LoadBalancer Services. */
function manifests(): string {
  const docs: string[] = [];
  for (let s = 0; s < SERVICES; s++) {
    docs.push(
      `apiVersion: v1\nkind: Service\nmetadata: {name: svc-${s}, namespace: big}\n` +
        `spec: {type: LoadBalancer, ports: [{name: http, port: 80, protocol: TCP}]}\n` +
        `status: {loadBalancer: {ingress: [{ip: 203.0.113.${s + 1}}]}}\n`,
    );
  }
  for (let i = 0; i < ROUTES; i++) {
    docs.push(
      `apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: r${i}, namespace: big}\n` +
        `spec: {host: app-${i}.example.com, path: /api/v${i % 3}, to: {kind: Service, name: svc-${i % SERVICES}, weight: 100}}\n`,
    );
  }
  return docs.join("---\n");
}

interface PushResult {
  pointer: Pointer;
  written: string[];
  keysWritten: number;
  deleted: string[];
}

describe("incremental push, gc and rollback", { timeout: 300_000 }, () => {
  let kv: string;
  let file: string;
  const on = (): string[] => ["--persist-to", kv];
  const push = async (): Promise<PushResult> => {
    const run = await routes(["push", file, ...on(), "--output", "json"]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as PushResult;
  };
  let v1: Pointer;
  let v2: Pointer;
  let v3: Pointer;

  beforeAll(async () => {
    kv = await tempDir("edgeroute-kv-");
    file = join(await tempDir(), "big.yaml");
    await writeFile(file, manifests());
  });

  it("a one-route change writes only that route's shard and the index", async () => {
    v1 = (await push()).pointer;
    expect(v1.shardCount).toBeGreaterThan(1);
    const before = await kvKeys(kv);
    expect(before).toHaveLength(v1.shardCount + 3);

    await edit(
      file,
      "name: r0, namespace: big}\nspec: {host: app-0.example.com, path: /api/v0, to: {kind: Service, name: svc-0",
      "name: r0, namespace: big}\nspec: {host: app-0.example.com, path: /api/v0, to: {kind: Service, name: svc-7",
    );
    const second = await push();
    v2 = second.pointer;
    expect(v2.shardCount).toBe(v1.shardCount);
    const changed = shardOf("app-0.example.com", v2.shardCount);
    expect(second.keysWritten).toBe(2);
    expect(second.written).toEqual([`routes:shard:${v2.shardHashes?.[changed]}`, `routes:table:${v2.version}`]);
    // Counted in KV by wrangler itself: exactly the two new keys.
    const after = await kvKeys(kv);
    expect(after.filter((key) => !before.includes(key)).sort()).toEqual([...second.written].sort());
    // The other shards are the first version's, shared by key.
    v2.shardHashes?.forEach((hash, i) => {
      if (i !== changed) expect(hash).toBe(v1.shardHashes?.[i]);
    });
    const shard = parseShard((await kvGet(kv, second.written[0] ?? "")) ?? "");
    if ("error" in shard) throw new Error(shard.error);
    expect(shard.shard.hosts["app-0.example.com"]?.[0]?.backends[0]?.service).toBe("big/svc-7");
  });

  it("gc --keep keeps every key a kept version uses and deletes the rest, leftovers included", async () => {
    await edit(file, "host: app-1.example.com, path: /api/v1", "host: app-1.example.com, path: /api/v9");
    v3 = (await push()).pointer;
    // What an interrupted push leaves: a shard no version names.
    await kvPut(kv, "routes:shard:00000000deadbeef", "{}");

    const dry = await routes(["gc", "--keep", "2", "--dry-run", ...on(), "--output", "json"]);
    expect(dry.code).toBe(0);
    const keysBefore = await kvKeys(kv);
    const run = await routes(["gc", "--keep", "2", ...on(), "--output", "json"]);
    expect(run.code).toBe(0);
    const outcome = JSON.parse(run.stdout) as { kept: Pointer[]; retired: Pointer[]; garbage: string[] };
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, garbage: outcome.garbage });
    expect(outcome.kept.map((entry) => entry.version)).toEqual([v3.version, v2.version]);
    expect(outcome.retired.map((entry) => entry.version)).toEqual([v1.version]);
    // v1's index, v1's own shard of app-0 (v2 and v3 have another) and the leftover; nothing any kept version uses.
    const changed = shardOf("app-0.example.com", v1.shardCount);
    expect(outcome.garbage[0]).toBe(`routes:table:${v1.version}`);
    expect(outcome.garbage.slice(1).sort()).toEqual(
      [`routes:shard:${v1.shardHashes?.[changed]}`, "routes:shard:00000000deadbeef"].sort(),
    );
    const left = await kvKeys(kv);
    expect(left).toEqual(keysBefore.filter((key) => !outcome.garbage.includes(key)));
    for (const version of [v2, v3]) {
      for (const key of versionKeys(version.version, version)) expect(left).toContain(key);
    }
    expect((await kvJson<Pointer[]>(kv, "routes:history")).map((entry) => entry.version)).toEqual([
      v3.version,
      v2.version,
    ]);
  });

  it("rollback works after gc, to every kept version and to none that was collected", async () => {
    const back = await routes(["rollback", ...on()]);
    expect(back.code).toBe(0);
    expect((await kvJson<Pointer>(kv, "routes:current")).version).toBe(v2.version);
    const gone = await routes(["rollback", "--to", v1.version, ...on()]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`version ${v1.version} is not in the history`);
    const again = await routes(["rollback", "--to", v3.version, ...on()]);
    expect(again.code).toBe(0);
    expect((await kvJson<Pointer>(kv, "routes:current")).version).toBe(v3.version);
    // Pushing v2's content again after the rollback writes nothing but the pointer and the history.
    await edit(file, "host: app-1.example.com, path: /api/v9", "host: app-1.example.com, path: /api/v1");
    const repush = await push();
    expect(repush.pointer.version).toBe(v2.version);
    expect(repush.keysWritten).toBe(0);
  });

  it("gc refuses an empty namespace without touching it", async () => {
    const empty = await tempDir("edgeroute-kv-");
    const run = await routes(["gc", "--persist-to", empty]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: nothing is published in local KV ROUTES/);
    expect(await kvKeys(empty)).toEqual([]);
  });
});
