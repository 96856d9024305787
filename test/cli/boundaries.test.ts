/**
 * The import boundaries `npm run lint` enforces (biome.json overrides): each rule is shown to refuse a crossing
 * import and to accept the allowed one, by linting a two-line module placed at that path in a scratch folder that
 * holds the project's own biome.json, so removing or weakening a rule fails this test.
 */
import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./helpers.ts";

const BIOME = resolve(ROOT, "node_modules/.bin/biome");

async function lint(path: string, source: string): Promise<{ ok: boolean; output: string }> {
  const dir = await tempDir("edgeroute-boundaries-");
  const config = JSON.parse(await readFile(join(ROOT, "biome.json"), "utf8")) as Record<string, unknown>;
  // The scratch folder is no git checkout; the rules under test are the overrides, kept as they are.
  await writeFile(join(dir, "biome.json"), JSON.stringify({ ...config, $schema: undefined, vcs: { enabled: false } }));
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), source);
  const run = spawnSync(BIOME, ["lint", path], { cwd: dir, encoding: "utf8" });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe("import boundaries (biome.json)", () => {
  it.each([
    ["worker/core/x.ts", 'import { a } from "../pipeline/run.ts";\nexport const b = a;\n'],
    ["worker/core/x.ts", 'import { readFile } from "node:fs/promises";\nexport const b = readFile;\n'],
    ["worker/core/compile/x.ts", 'import { a } from "../../table/load.ts";\nexport const b = a;\n'],
    ["worker/core/compile/x.ts", 'import { Hono } from "hono";\nexport const b = Hono;\n'],
    ["worker/pipeline/x.ts", 'import { main } from "../../scripts/cli.ts";\nexport const b = main;\n'],
    ["worker/pipeline/x.ts", 'import { env } from "node:process";\nexport const b = env;\n'],
    ["scripts/lib/x.ts", 'import { ShardLookup } from "../../worker/core/match.ts";\nexport const b = ShardLookup;\n'],
    ["scripts/lib/x.ts", 'import { run } from "../../worker/pipeline/run.ts";\nexport const b = run;\n'],
  ])("refuses %s: %s", async (path, source) => {
    const { ok, output } = await lint(path, source);
    expect(ok).toBe(false);
    expect(output).toContain("noRestrictedImports");
  });

  it.each([
    ["worker/core/x.ts", 'import { normalizeHost } from "./host.ts";\nexport const b = normalizeHost;\n'],
    ["worker/core/compile/x.ts", 'import { normalizeHost } from "../host.ts";\nexport const b = normalizeHost;\n'],
    ["worker/pipeline/x.ts", 'import { normalizeHost } from "../core/host.ts";\nexport const b = normalizeHost;\n'],
    [
      "scripts/lib/x.ts",
      'import { normalizeHost } from "../../worker/core/index.ts";\nexport const b = normalizeHost;\n',
    ],
    ["scripts/lib/x.ts", 'import { compile } from "../../worker/core/compile/index.ts";\nexport const b = compile;\n'],
  ])("accepts %s: %s", async (path, source) => {
    const { ok, output } = await lint(path, source);
    expect(output).not.toContain("noRestrictedImports");
    expect(ok).toBe(true);
  });
});
