/** `routes validate` as a real process: stdin, exit codes, streams (in-process cases are in ../cli.test.ts). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLE, routes } from "../helpers.ts";

describe("validate (process)", { timeout: 60_000 }, () => {
  it("reads a kind: List from stdin as `oc get … -o yaml |` pipes it; data on stdout, summary on stderr", async () => {
    const files = ["web-route.yaml", "web-blue-service.yaml", "web-green-service.yaml"];
    const items = await Promise.all(files.map((file) => readFile(join(EXAMPLE, "shop", file), "utf8")));
    const list = `apiVersion: v1\nitems:\n${items
      .map((item) =>
        item
          .trimEnd()
          .split("\n")
          .map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))
          .join("\n"),
      )
      .join("\n")}\nkind: List\nmetadata:\n  resourceVersion: ""\n`;
    const run = await routes(["validate", "-"], { input: list });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "shop.example.com  (all paths)  shop/web  edge/Redirect  edge      web-blue 90 (90%), web-green 10 (10%)",
    );
    expect(run.stderr).toBe("1 file, 3 objects: 1 route admitted, 0 rejected; 0 errors, 0 warnings, 0 notices\n");
  });

  it("exits 1 with the diagnostic on stderr when stdin has an error", async () => {
    const route = (await readFile(join(EXAMPLE, "shop", "web-route.yaml"), "utf8")).replace("weight: 10", "weight: -1");
    const run = await routes(["validate", "-"], { input: route });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^<stdin>:\d+ {2}error {2}WeightOutOfRange {2}Route shop\/web {2}spec\.alternateBackends\[0\]\.weight {2}/m,
    );
  });
});
