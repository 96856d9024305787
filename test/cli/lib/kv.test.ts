import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../scripts/lib/errors.ts";
import {
  bulkChunks,
  MAX_BULK_BYTES,
  MAX_BULK_PAIRS,
  MAX_VALUE_BYTES,
  openLocalKv,
  openWranglerKv,
  type KvPair,
} from "../../../scripts/lib/kv.ts";
import { kvGet, kvKeys, kvPut, ROOT, tempDir } from "../helpers.ts";

describe("bulkChunks", () => {
  it("cuts at 10,000 pairs and keeps the order", () => {
    const pairs: KvPair[] = Array.from({ length: 25_000 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const chunks = bulkChunks(pairs);
    expect(chunks.map((chunk) => chunk.length)).toEqual([MAX_BULK_PAIRS, MAX_BULK_PAIRS, 5_000]);
    expect(chunks.flat()).toEqual(pairs);
  });

  it("cuts before a chunk would pass the byte budget (well under the 100 MB request limit)", () => {
    const big = "x".repeat(20 * 1024 * 1024);
    const chunks = bulkChunks([1, 2, 3, 4, 5].map((i) => ({ key: `shard${i}`, value: big })));
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 2, 1]);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThan(MAX_BULK_BYTES);
  });
});

describe("openWranglerKv (real wrangler, local)", () => {
  it("puts, bulk-puts, reads and deletes; a missing key reads as null", async () => {
    const persistTo = await tempDir();
    const kv = openWranglerKv(
      { mode: "local", config: resolve(ROOT, "wrangler.toml"), persistTo, binding: "ROUTES" },
      process.env,
    );
    // Quotes, newlines, non-ASCII and a leading dash: all must survive, since values travel in files, not argv.
    const awkward = '-{"a": "ü\\n"}\nline 2\n';
    await kv.put("t:awkward", awkward);
    const progress: number[] = [];
    await kv.putMany(
      [
        { key: "t:a", value: "1" },
        { key: "t:b", value: "Value not found" },
      ],
      (written) => progress.push(written),
    );
    expect(progress).toEqual([2]);
    const values = await kv.getMany(["t:awkward", "t:a", "t:b", "t:missing"]);
    expect([...values]).toEqual([
      ["t:awkward", awkward],
      ["t:a", "1"],
      ["t:b", "Value not found"],
      ["t:missing", null],
    ]);
    expect(await kvGet(persistTo, "t:awkward")).toBe(awkward);
    expect(await kvKeys(persistTo)).toEqual(["t:a", "t:awkward", "t:b"]);
    await kv.deleteMany(["t:a", "t:b"]);
    expect(await kvKeys(persistTo)).toEqual(["t:awkward"]);
    expect(await kv.list("t:a")).toEqual(["t:awkward"]);
    expect(await kv.list("u:")).toEqual([]);
    expect(kv.calls.map((call) => call.command)).toEqual([
      "wrangler key put",
      "wrangler bulk put",
      "wrangler bulk get",
      "wrangler bulk delete",
      "wrangler key list",
      "wrangler key list",
    ]);
    for (const call of kv.calls) expect(call.ms).toBeGreaterThan(0);
  });

  it("refuses values over 25 MiB before calling wrangler", async () => {
    const kv = openWranglerKv(
      { mode: "local", config: resolve(ROOT, "wrangler.toml"), persistTo: await tempDir(), binding: "ROUTES" },
      process.env,
    );
    await expect(kv.putMany([{ key: "big", value: "x".repeat(MAX_VALUE_BYTES + 1) }])).rejects.toThrow(
      /Workers KV allows at most 25 MiB/,
    );
    expect(kv.calls).toEqual([]);
  });

  it("turns a failing wrangler call into a UserError with wrangler's reason", async () => {
    const dir = await tempDir();
    const config = join(dir, "wrangler.toml");
    await writeFile(config, 'name = "x"\nmain = "index.js"\ncompatibility_date = "2026-11-01"\n');
    const kv = openWranglerKv({ mode: "local", config, persistTo: dir, binding: "ROUTES" }, process.env);
    const failure = kv.get("routes:current");
    await expect(failure).rejects.toThrow(UserError);
    await expect(kv.get("routes:current")).rejects.toThrow(/wrangler kv bulk get failed \(exit 1\)[\s\S]*ROUTES/);
  });
});

describe.each([
  { busy: false, where: "on this thread" },
  { busy: true, where: "in a worker thread" },
])("openLocalKv (wrangler's getPlatformProxy on the local persistence, $where)", ({ busy }) => {
  it("writes where `wrangler kv --local` reads, and reads what it wrote; lists by prefix; one wrangler start", async () => {
    const persistTo = await tempDir();
    await kvPut(persistTo, "t:from-wrangler", "written by wrangler kv key put");
    const kv = openLocalKv(
      { mode: "local", config: resolve(ROOT, "wrangler.toml"), persistTo, binding: "ROUTES" },
      { busy },
    );
    const awkward = '-{"a": "ü\\n"}\nline 2\n';
    try {
      await kv.put("t:awkward", awkward);
      const progress: number[] = [];
      await kv.putMany(
        [
          { key: "t:a", value: "1" },
          { key: "u:b", value: "Value not found" },
        ],
        (written) => progress.push(written),
      );
      expect(progress).toEqual([2]);
      const values = await kv.getMany(["t:from-wrangler", "t:awkward", "t:a", "t:missing"]);
      expect([...values]).toEqual([
        ["t:from-wrangler", "written by wrangler kv key put"],
        ["t:awkward", awkward],
        ["t:a", "1"],
        ["t:missing", null],
      ]);
      expect(await kv.list("t:")).toEqual(["t:a", "t:awkward", "t:from-wrangler"]);
      await kv.deleteMany(["t:a", "t:from-wrangler"]);
    } finally {
      await kv.close();
    }
    expect(await kvGet(persistTo, "t:awkward")).toBe(awkward);
    expect(await kvKeys(persistTo)).toEqual(["t:awkward", "u:b"]);
    expect(kv.calls.map((call) => call.command)).toEqual(["wrangler getPlatformProxy"]);
  });

  it("names the configuration when it declares no such binding", async () => {
    const dir = await tempDir();
    const config = join(dir, "wrangler.toml");
    await writeFile(config, 'name = "x"\nmain = "index.js"\ncompatibility_date = "2026-11-01"\n');
    const kv = openLocalKv({ mode: "local", config, persistTo: dir, binding: "ROUTES" }, { busy });
    try {
      await expect(kv.get("routes:current")).rejects.toThrow(
        new UserError(`${config} declares no KV namespace with binding ROUTES ([[kv_namespaces]])`),
      );
    } finally {
      await kv.close();
    }
  });
});
