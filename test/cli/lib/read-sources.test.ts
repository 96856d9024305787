import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseInputs, parseManifests, readSources, STDIN_NAME } from "../../../scripts/lib/read-sources.ts";
import { UserError } from "../../../scripts/lib/errors.ts";
import { tempDir } from "../helpers.ts";

const noStdin = async (): Promise<string> => "";

// As `oc get route web -n shop -o yaml` prints it (managedFields included).
const ROUTE = `apiVersion: route.openshift.io/v1
kind: Route
metadata:
  annotations:
    haproxy.router.openshift.io/timeout: 5s
  creationTimestamp: "2026-11-20T09:12:44Z"
  managedFields:
  - apiVersion: route.openshift.io/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:to:
          .: {}
          f:weight: {}
    manager: oc
    operation: Update
  name: web
  namespace: shop
spec:
  alternateBackends:
  - kind: Service
    name: web-green
    weight: 10
  host: shop.example.com
  to:
    kind: Service
    name: web-blue
    weight: 90
status:
  ingress: []
`;

describe("parseManifests", () => {
  it("reads an object as oc prints it, with its line and the line of any field path", () => {
    const { objects, diagnostics } = parseManifests(ROUTE, "web.yaml");
    expect(diagnostics).toEqual([]);
    expect(objects).toHaveLength(1);
    const [web] = objects;
    expect(web?.source).toEqual({ file: "web.yaml", doc: 0, line: 1 });
    expect(((web?.object ?? {}) as { spec?: { to?: { weight?: number } } }).spec?.to?.weight).toBe(90);
    expect(web?.lineOf?.("spec.to.weight")).toBe(28);
    expect(web?.lineOf?.('metadata.annotations["haproxy.router.openshift.io/timeout"]')).toBe(5);
    expect(web?.lineOf?.("spec.alternateBackends[0].weight")).toBe(23);
    expect(web?.lineOf?.("spec.alternateBackends[0]")).toBe(21);
    // A missing field points at its deepest existing parent: where it should be added.
    expect(web?.lineOf?.("spec.tls.termination")).toBe(19);
    expect(web?.lineOf?.("")).toBe(1);
  });

  it("reads every document of a multi-document file and skips empty ones", () => {
    const text = `${ROUTE}---\n---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-blue\n  namespace: shop\n`;
    const { objects } = parseManifests(text, "all.yaml");
    expect(objects.map((object) => object.source)).toEqual([
      { file: "all.yaml", doc: 0, line: 1 },
      { file: "all.yaml", doc: 3, line: 35 },
    ]);
    expect(objects[1]?.lineOf?.("metadata.name")).toBe(38);
  });

  it("unpacks kind: List, as `oc get a b -o yaml` prints it, numbering the items", () => {
    const indented = ROUTE.trimEnd()
      .split("\n")
      .map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))
      .join("\n");
    const text = `apiVersion: v1\nitems:\n${indented}\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: web-blue\nkind: List\nmetadata:\n  resourceVersion: ""\n`;
    const { objects } = parseManifests(text, "list.yaml");
    expect(objects.map((object) => object.source)).toEqual([
      { file: "list.yaml", doc: 0, item: 0, line: 3 },
      { file: "list.yaml", doc: 0, item: 1, line: 33 },
    ]);
    expect(((objects[0]?.object ?? {}) as { kind: string }).kind).toBe("Route");
    expect(objects[0]?.lineOf?.("spec.to.weight")).toBe(30);
    expect(objects[1]?.lineOf?.("metadata.name")).toBe(36);
  });

  it("gives the items of a typed list (RouteList, from the API) their kind and apiVersion", () => {
    const text = JSON.stringify({
      apiVersion: "route.openshift.io/v1",
      kind: "RouteList",
      items: [{ metadata: { name: "a" } }],
    });
    const { objects } = parseManifests(text, "routes.json");
    expect(objects[0]?.object).toEqual({ apiVersion: "route.openshift.io/v1", kind: "Route", metadata: { name: "a" } });
  });

  it("reads JSON as `oc get -o json` prints it, and finds field lines on demand", () => {
    const text = JSON.stringify(
      {
        apiVersion: "v1",
        kind: "List",
        items: [{ kind: "Route", spec: { host: "a.example.com" } }, { kind: "Service" }],
      },
      null,
      4,
    );
    const { objects, diagnostics } = parseManifests(text, "list.json");
    expect(diagnostics).toEqual([]);
    expect(objects.map((object) => object.source)).toEqual([
      { file: "list.json", doc: 0, item: 0 },
      { file: "list.json", doc: 0, item: 1 },
    ]);
    expect(objects[0]?.lineOf?.("spec.host")).toBe(8);
    expect(objects[1]?.lineOf?.("")).toBe(11);
    const single = parseManifests(`\n\n${JSON.stringify({ kind: "Route" })}`, "one.json");
    expect(single.objects[0]?.source).toEqual({ file: "one.json", doc: 0, line: 3 });
  });

  it("reports malformed YAML as a MalformedYAML error with line and column, and keeps the other documents", () => {
    const text =
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\nkind: Route\nspec:\n  host: [a, b\n---\nkind: Service\n";
    const { objects, diagnostics } = parseManifests(text, "bad.yaml");
    expect(objects.map((object) => object.source.doc)).toEqual([0, 2]);
    expect(diagnostics).toHaveLength(1);
    const [bad] = diagnostics;
    expect(bad).toMatchObject({ severity: "error", code: "MalformedYAML", source: { file: "bad.yaml", doc: 1 } });
    expect(bad?.source.line).toBe(9);
    expect(bad?.message).toMatch(/^line 9, column 1: .*\]/);
  });

  it("reports a tab-indented document with the line and column of the tab", () => {
    const { diagnostics } = parseManifests("kind: Route\nspec:\n\thost: a\n", "tab.yaml");
    expect(diagnostics[0]).toMatchObject({ code: "MalformedYAML", source: { line: 3 } });
    expect(diagnostics[0]?.message).toMatch(/^line 3, column 1: /);
  });

  it("reports invalid JSON through the YAML parser, with its position", () => {
    const { objects, diagnostics } = parseManifests('{\n  "kind": "Route",\n  "spec": {"host": "a"\n', "bad.json");
    expect(objects).toEqual([]);
    expect(diagnostics[0]).toMatchObject({ code: "MalformedYAML", source: { file: "bad.json", line: 4 } });
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    const { objects, diagnostics } = parseManifests(bomb, "bomb.yaml");
    expect(objects).toEqual([]);
    expect(diagnostics[0]?.code).toBe("MalformedYAML");
  });
});

describe("readSources", () => {
  it("reads directories recursively in code-point order, only manifest files, skipping hidden entries", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "b"));
    await mkdir(join(dir, "a", "deep"), { recursive: true });
    await mkdir(join(dir, ".git"));
    const doc = (name: string): string => `kind: Service\nmetadata:\n  name: ${name}\n`;
    await writeFile(join(dir, "b", "z.yml"), doc("bz"));
    await writeFile(join(dir, "a", "deep", "x.json"), JSON.stringify({ kind: "Service", metadata: { name: "adx" } }));
    await writeFile(join(dir, "a", "B.yaml"), doc("aB"));
    await writeFile(join(dir, "a", "notes.txt"), "not a manifest");
    await writeFile(join(dir, ".git", "hidden.yaml"), doc("hidden"));
    await writeFile(join(dir, "top.YAML"), doc("top"));
    await symlink(join(dir, "top.YAML"), join(dir, "link.yaml"));
    const read = await readSources([dir], "/", noStdin);
    expect(read.files).toEqual([
      join(dir, "a", "B.yaml"),
      join(dir, "a", "deep", "x.json"),
      join(dir, "b", "z.yml"),
      join(dir, "link.yaml"),
      join(dir, "top.YAML"),
    ]);
    expect(read.objects.map((object) => (object.object as { metadata: { name: string } }).metadata.name)).toEqual([
      "aB",
      "adx",
      "bz",
      "top",
      "top",
    ]);
  });

  it("names files as the user wrote the path, relative to the working directory", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "cfg"));
    await writeFile(join(dir, "cfg", "a.yaml"), "kind: Service\n");
    const read = await readSources(["cfg"], dir, noStdin);
    expect(read.files).toEqual(["cfg/a.yaml"]);
    expect(read.objects[0]?.source.file).toBe("cfg/a.yaml");
  });

  it("reads standard input for -", async () => {
    const read = await readSources(["-"], "/", async () => ROUTE);
    expect(read.files).toEqual([STDIN_NAME]);
    expect(read.objects[0]?.source).toEqual({ file: STDIN_NAME, doc: 0, line: 1 });
  });

  it("fails clearly for a missing path, an empty directory and a second -", async () => {
    const dir = await tempDir();
    await expect(readSources([join(dir, "nope.yaml")], "/", noStdin)).rejects.toThrow(UserError);
    await expect(readSources([join(dir, "nope.yaml")], "/", noStdin)).rejects.toThrow(
      /nope\.yaml: no such file or directory/,
    );
    await expect(readSources([dir], "/", noStdin)).rejects.toThrow(/no manifest files \(\.yaml \.yml \.json\)/);
    await expect(readSources(["-", "-"], "/", noStdin)).rejects.toThrow(/only once/);
  });
});

describe("cluster-labelled inputs (NAME=PATH)", () => {
  it("labels every object (and every parse error) of NAME=PATH with its cluster; the same file may be two clusters", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "west"));
    await writeFile(join(dir, "east.yaml"), ROUTE);
    await writeFile(join(dir, "west", "a.yaml"), `${ROUTE}---\nkind: [\n`);
    const read = await readSources(["east=east.yaml", "west=west", "south=-"], dir, async () => ROUTE);
    expect(read.clusters).toEqual(["east", "west", "south"]);
    expect(read.files).toEqual(["east.yaml", "west/a.yaml", STDIN_NAME]);
    expect(read.objects.map((object) => [object.source.cluster, object.source.file])).toEqual([
      ["east", "east.yaml"],
      ["west", "west/a.yaml"],
      ["south", STDIN_NAME],
    ]);
    expect(read.diagnostics.map((d) => [d.code, d.source.cluster, d.source.file])).toEqual([
      ["MalformedYAML", "west", "west/a.yaml"],
    ]);
    const twice = await readSources(["east=east.yaml", "west=east.yaml"], dir, noStdin);
    expect(twice.objects.map((object) => object.source.cluster)).toEqual(["east", "west"]);
  });

  it("keeps today's meaning for unlabelled inputs, and reads a path containing = when it is not a cluster name", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "A=b.yaml"), ROUTE);
    await writeFile(join(dir, "x=y.yaml"), ROUTE);
    const plain = await readSources(["A=b.yaml", "./x=y.yaml"], dir, noStdin);
    expect(plain.clusters).toEqual([]);
    expect(plain.objects.map((object) => object.source.cluster)).toEqual([undefined, undefined]);
    expect(await parseInputs(["east=a.yaml", "west=dir/", "north=-"], dir)).toEqual([
      { path: "a.yaml", cluster: "east" },
      { path: "dir/", cluster: "west" },
      { path: "-", cluster: "north" },
    ]);
  });

  it("refuses a bad cluster name, an empty path and a mix of labelled and unlabelled inputs, saying what is allowed", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "a.yaml"), ROUTE);
    await expect(parseInputs(["East=a.yaml"], dir)).rejects.toThrow(
      /^East=a\.yaml: "East" is not a valid cluster name in NAME=PATH \(a cluster name is a DNS label: at most 63 lowercase letters, digits and '-'/,
    );
    await expect(parseInputs(["east="], dir)).rejects.toThrow(
      /^east=: no FILE, DIR or - after east=; write east=PATH$/,
    );
    await expect(parseInputs(["east=a.yaml", "a.yaml"], dir)).rejects.toThrow(
      /^a\.yaml: no cluster named, but other inputs are labelled NAME=PATH; label every input with its cluster/,
    );
    await expect(readSources(["east=-", "west=-"], dir, noStdin)).rejects.toThrow(/only once/);
  });
});
