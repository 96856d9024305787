import { describe, expect, it } from "vitest";
import { parseFieldPath } from "../../../scripts/lib/field-path.ts";

describe("parseFieldPath", () => {
  it("splits names, indexes and quoted keys", () => {
    expect(parseFieldPath("spec.to.weight")).toEqual(["spec", "to", "weight"]);
    expect(parseFieldPath("spec.rules[0].http.paths[1].path")).toEqual([
      "spec",
      "rules",
      0,
      "http",
      "paths",
      1,
      "path",
    ]);
    expect(parseFieldPath('metadata.annotations["haproxy.router.openshift.io/timeout"]')).toEqual([
      "metadata",
      "annotations",
      "haproxy.router.openshift.io/timeout",
    ]);
    expect(parseFieldPath('a["say \\"hi\\""]')).toEqual(["a", 'say "hi"']);
    expect(parseFieldPath("")).toEqual([]);
  });

  it("returns null for text that is not a field path", () => {
    expect(parseFieldPath("spec..host")).toBeNull();
    expect(parseFieldPath("spec[x]")).toBeNull();
    expect(parseFieldPath("spec[0]host")).toBeNull();
    expect(parseFieldPath("a b")).toBeNull();
  });
});
