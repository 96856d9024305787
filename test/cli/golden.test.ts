/**
 * Golden tests for the compiler, the way Envoy Gateway keeps `testdata/*.in.yaml` beside `*.out.yaml`: each input
 * under test/golden/ (and the example routes-config/) is run through `routes validate --output json` in-process, and
 * the whole answer (exit code, diagnostics, admitted and rejected routes) is compared with the committed
 * `*.out.json`. A change to the compiler shows up as a diff a reviewer can read.
 *
 * Regenerate after an intended change, then review the diff:
 *   UPDATE_GOLDEN=1 npx vitest run test/cli/golden.test.ts
 * An input's first line may be `# args: …` with extra CLI arguments for that case.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../scripts/cli.ts";
import { captureIo, ROOT } from "./helpers.ts";

const DIR = "test/golden";
const UPDATE = process.env.UPDATE_GOLDEN === "1";

interface GoldenCase {
  name: string;
  /** Input path relative to the repository root, as diagnostics print it. */
  input: string;
  args: string[];
}

async function cases(): Promise<GoldenCase[]> {
  const inputs = (await readdir(join(ROOT, DIR))).filter((f) => f.endsWith(".in.yaml")).sort();
  const found: GoldenCase[] = [{ name: "example", input: "routes-config", args: ["--local"] }];
  for (const file of inputs) {
    const first = (await readFile(join(ROOT, DIR, file), "utf8")).split("\n", 1)[0] ?? "";
    const args = first.startsWith("# args:") ? first.slice("# args:".length).trim().split(/\s+/) : [];
    found.push({ name: file.replace(/\.in\.yaml$/, ""), input: `${DIR}/${file}`, args });
  }
  return found;
}

async function answer(golden: GoldenCase): Promise<string> {
  const { io, stdout } = captureIo();
  const code = await main(["validate", "--output", "json", ...golden.args, golden.input], io);
  return `${JSON.stringify({ code, ...JSON.parse(stdout()) }, null, 2)}\n`;
}

describe("compiler golden files (test/golden)", async () => {
  for (const golden of await cases()) {
    it(`${golden.name}: validate --output json is ${DIR}/${golden.name}.out.json`, async () => {
      const actual = await answer(golden);
      const expectedFile = join(ROOT, DIR, `${golden.name}.out.json`);
      if (UPDATE) await writeFile(expectedFile, actual);
      const expected = await readFile(expectedFile, "utf8").catch(() => "(missing: run with UPDATE_GOLDEN=1)");
      expect(
        actual,
        `differs from ${DIR}/${golden.name}.out.json; if intended: UPDATE_GOLDEN=1 npx vitest run test/cli/golden.test.ts`,
      ).toBe(expected);
    });
  }
});
