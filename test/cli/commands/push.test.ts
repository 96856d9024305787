/**
 * `routes push` end to end: the real CLI process writing to the real local KV through wrangler, and wrangler
 * itself reading back what was published.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseShard } from "../../../worker/core/index.ts";
import type { Pointer, TableIndex } from "../../../worker/core/index.ts";
import { generateRouteSet } from "../../../scripts/bench/routeset.ts";
import { edit, exampleCopy, kvGet, kvJson, kvKeys, routes, tempDir } from "../helpers.ts";

describe("push", { timeout: 180_000 }, () => {
  let kv: string;
  let manifests: string;
  let first: Pointer;
  const on = (): string[] => ["--persist-to", kv];

  beforeAll(async () => {
    kv = await tempDir("edgeroute-kv-");
    manifests = await exampleCopy();
  });

  it("--dry-run compiles and lists the keys, and writes nothing", async () => {
    const run = await routes(["push", "--dry-run", manifests, ...on()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^dry run: would write 2 keys \(\d+\.\d KiB\):\n {2}routes:shard:[0-9a-f]{16} {2}\d+ bytes\n {2}routes:table:[0-9a-f]{16} {2}\d+ bytes\n/,
    );
    expect(run.stdout).toContain("nothing was written");
    expect(await kvKeys(kv)).toEqual([]);
  });

  it("publishes the table, then the pointer and the history; wrangler reads back exactly that", async () => {
    const run = await routes(["push", manifests, ...on()]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/writing version [0-9a-f]{16}: 2 keys, .* to local KV ROUTES/);
    first = await kvJson<Pointer>(kv, "routes:current");
    expect(first).toEqual({
      version: expect.stringMatching(/^[0-9a-f]{16}$/),
      schema: "edgeroute/route-table/v2",
      notFound: 503,
      publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      publishedBy: "cli-test@ci",
      routeCount: 6,
      hostCount: 3,
      shardCount: 1,
      shardHashes: [expect.stringMatching(/^[0-9a-f]{16}$/)],
      layout: "content",
      wildcardLabels: [],
      catchAll: false,
    });
    expect(run.stdout).toMatch(
      new RegExp(
        `^published version ${first.version}: 6 routes, 3 hosts, 1 shard\nroutes:current → ${first.version} \\(first publish\\)\n`,
      ),
    );
    expect(await kvJson<Pointer[]>(kv, "routes:history")).toEqual([first]);
    const index = await kvJson<TableIndex>(kv, `routes:table:${first.version}`);
    expect(index).toMatchObject({
      schema: "edgeroute/route-table/v2",
      shardCount: 1,
      routeCount: 6,
      hostCount: 3,
      notFound: 503,
      // The pointer repeats the shard hashes, so a cold Worker checks the shard it reads without the index.
      shardHashes: first.shardHashes,
    });
    // The shard is in the compact published form; read it with the core's reader, as the Worker does.
    const parsed = parseShard((await kvGet(kv, `routes:shard:${first.shardHashes?.[0]}`)) ?? "");
    if ("error" in parsed) throw new Error(parsed.error);
    const shard = parsed.shard;
    expect(Object.keys(shard.hosts).sort()).toEqual([
      "api.example.com",
      "frontend-store.apps.east.example.com",
      "shop.example.com",
    ]);
    const [web] = shard.hosts["shop.example.com"] ?? [];
    expect(web?.id).toBe("shop/web");
    expect(web?.tls).toEqual({ termination: "edge", insecure: "Redirect" });
    expect(
      web?.backends.map((backend) => [
        backend.service,
        backend.weight,
        backend.endpoints.map((e) => `${e.host}:${e.port}`),
      ]),
    ).toEqual([
      ["shop/web-blue", 90, ["127.0.0.1:8081"]],
      ["shop/web-green", 10, ["127.0.0.1:8082", "127.0.0.2:8082"]],
    ]);
    expect(await kvKeys(kv)).toEqual([
      "routes:current",
      "routes:history",
      `routes:shard:${first.shardHashes?.[0]}`,
      `routes:table:${first.version}`,
    ]);
  });

  it("pushing the same content again changes nothing and says so", async () => {
    const run = await routes(["push", manifests, ...on()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^version ${first.version} is already live \\(published ${first.publishedAt} by cli-test@ci\\); nothing changed\n`,
      ),
    );
    expect(run.stderr).not.toContain("writing version");
    expect(await kvJson<Pointer>(kv, "routes:current")).toEqual(first);
  });

  it("refuses manifests with an error: exit 1, the diagnostic names file, line and field, KV untouched", async () => {
    const broken = await exampleCopy();
    await edit(join(broken, "shop", "web-route.yaml"), "weight: 90", "weight: 900");
    const before = await kvKeys(kv);
    const run = await routes(["push", broken, ...on()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /shop\/web-route\.yaml:\d+ {2}error {2}WeightOutOfRange {2}Route shop\/web {2}spec\.to\.weight {2}weight 900 must be/,
    );
    expect(run.stderr).toContain("not published: 1 error; nothing was written to KV");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await kvKeys(kv)).toEqual(before);
    expect(await kvJson<Pointer>(kv, "routes:current")).toEqual(first);
  });

  it("refuses malformed YAML with its line and column, KV untouched", async () => {
    const broken = await exampleCopy();
    await edit(join(broken, "shop", "api-ingress.yaml"), "  - host: api.example.com", "  - host: [api.example.com");
    const run = await routes(["push", broken, ...on()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /shop\/api-ingress\.yaml:\d+ {2}error {2}MalformedYAML {2}- {2}- {2}line \d+, column \d+: /,
    );
    expect(await kvJson<Pointer>(kv, "routes:current")).toEqual(first);
  });

  it("refuses a table without any route unless --allow-empty", async () => {
    const only = join(await tempDir(), "svc.yaml");
    await writeFile(
      only,
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  type: LoadBalancer\n",
    );
    const run = await routes(["push", only, ...on()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "no route would be admitted: publishing this table would take every host offline; pass --allow-empty",
    );
    expect(await kvJson<Pointer>(kv, "routes:current")).toEqual(first);
  });

  it("publishes a change, keeps --keep versions and deletes the keys of versions that fall out", async () => {
    await edit(join(manifests, "shop", "web-route.yaml"), "weight: 90", "weight: 50");
    const second = await routes(["push", manifests, ...on(), "--output", "json"]);
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout) as {
      published: boolean;
      pointer: Pointer;
      previous: Pointer;
      history: Pointer[];
      wranglerCalls: number;
      keysWritten: number;
    };
    // The local namespace is wrangler's getPlatformProxy, started once for the whole push.
    expect(result).toMatchObject({ published: true, previous: first, wranglerCalls: 1, keysWritten: 2 });
    expect(result.history.map((entry) => entry.version)).toEqual([result.pointer.version, first.version]);
    expect(await kvJson<Pointer>(kv, "routes:current")).toEqual(result.pointer);

    await edit(join(manifests, "shop", "web-route.yaml"), "weight: 50", "weight: 40");
    const third = await routes(["push", manifests, ...on(), "--keep", "2"]);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain(`routes:history: 2 versions kept for rollback; deleted ${first.version}\n`);
    const pointer = await kvJson<Pointer>(kv, "routes:current");
    expect((await kvJson<Pointer[]>(kv, "routes:history")).map((entry) => entry.version)).toEqual([
      pointer.version,
      result.pointer.version,
    ]);
    expect(await kvGet(kv, `routes:table:${first.version}`)).toBeNull();
    expect(await kvGet(kv, `routes:shard:${first.shardHashes?.[0]}`)).toBeNull();
    expect(await kvKeys(kv)).toEqual(
      [
        "routes:current",
        "routes:history",
        `routes:table:${pointer.version}`,
        `routes:shard:${pointer.shardHashes?.[0]}`,
        `routes:table:${result.pointer.version}`,
        `routes:shard:${result.pointer.shardHashes?.[0]}`,
      ].sort(),
    );
  });

  it("publishes an export of over 1 MiB, with the local platform started in a worker thread meanwhile", async () => {
    // 3,000 generated routes as one JSON List: about 1.4 MB, over push's threshold for starting the thread.
    const set = generateRouteSet(3_000, { ip: "127.0.0.1", port: 8080 });
    const dir = await tempDir("edgeroute-large-");
    const file = join(dir, "export.json");
    const text = JSON.stringify({ apiVersion: "v1", kind: "List", items: set.objects });
    expect(Buffer.byteLength(text)).toBeGreaterThan(1024 * 1024);
    await writeFile(file, text);
    const large = await tempDir("edgeroute-kv-");
    const run = await routes(["push", file, "--persist-to", large, "--allow-wildcards", "--output", "json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { published: boolean; pointer: Pointer; wranglerCalls: number };
    expect(result).toMatchObject({ published: true, wranglerCalls: 1, pointer: { routeCount: 3_000 } });
    expect(await kvJson<Pointer>(large, "routes:current")).toEqual(result.pointer);
  });
});
