import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHstsPolicies, readHstsPolicies } from "../../../scripts/lib/hsts-policy.ts";
import { tempDir } from "../helpers.ts";

describe("readHstsPolicies", () => {
  it("reads a YAML list of policies in the contract's spelling", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "hsts.yaml"),
      "- domainPatterns: ['*.Example.com']\n  minAgeSeconds: 600\n  maxAgeSeconds: 31536000\n  preload: RequirePreload\n  includeSubDomains: NoOpinion\n",
    );
    expect(await readHstsPolicies("hsts.yaml", dir)).toEqual([
      {
        domainPatterns: ["*.example.com"],
        minAgeSeconds: 600,
        maxAgeSeconds: 31536000,
        preload: "RequirePreload",
        includeSubDomains: "NoOpinion",
      },
    ]);
  });

  it("reads the cluster ingress config as `oc get ingresses.config.openshift.io cluster -o yaml` prints it", () => {
    const document = {
      apiVersion: "config.openshift.io/v1",
      kind: "Ingress",
      metadata: { name: "cluster" },
      spec: {
        domain: "apps.example.com",
        requiredHSTSPolicies: [
          {
            domainPatterns: ["*.apps.example.com"],
            maxAge: { smallestMaxAge: 1, largestMaxAge: 31536000 },
            preloadPolicy: "RequireNoPreload",
            includeSubDomainsPolicy: "RequireIncludeSubDomains",
          },
        ],
      },
    };
    expect(parseHstsPolicies(document, "ingress.yaml")).toEqual([
      {
        domainPatterns: ["*.apps.example.com"],
        minAgeSeconds: 1,
        maxAgeSeconds: 31536000,
        preload: "RequireNoPreload",
        includeSubDomains: "RequireIncludeSubDomains",
      },
    ]);
  });

  it("names the file and field and says what is allowed", async () => {
    expect(() => parseHstsPolicies({ a: 1 }, "h.yaml")).toThrow(
      "--hsts-policy h.yaml: (document): expected a list of policies",
    );
    expect(() => parseHstsPolicies([{ domainPatterns: [] }], "h.yaml")).toThrow(
      "--hsts-policy h.yaml: [0].domainPatterns: must be a non-empty list",
    );
    expect(() => parseHstsPolicies([{ domainPatterns: ["a"], preload: "Yes" }], "h.yaml")).toThrow(
      "[0].preload: must be one of RequirePreload, RequireNoPreload, NoOpinion",
    );
    expect(() => parseHstsPolicies([{ domainPatterns: ["a"], minAgeSeconds: -1 }], "h.yaml")).toThrow(
      "[0].minAgeSeconds: must be a whole number",
    );
    expect(() => parseHstsPolicies([{ domainPatterns: ["a"], minAgeSeconds: 10, maxAgeSeconds: 5 }], "h.yaml")).toThrow(
      "minimum age 10 is greater than maximum age 5",
    );
    expect(() =>
      parseHstsPolicies(
        { spec: { requiredHSTSPolicies: [{ domainPatterns: ["a"], namespaceSelector: {} }] } },
        "h.yaml",
      ),
    ).toThrow("spec.requiredHSTSPolicies[0].namespaceSelector: namespace selectors are not supported");
    const dir = await tempDir();
    await expect(readHstsPolicies("missing.yaml", dir)).rejects.toThrow(
      "--hsts-policy missing.yaml: cannot read the file",
    );
    await writeFile(join(dir, "bad.yaml"), "- domainPatterns: [a\n");
    await expect(readHstsPolicies("bad.yaml", dir)).rejects.toThrow(/--hsts-policy bad.yaml: malformed YAML/);
  });
});
