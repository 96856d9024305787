/**
 * @module Reads manifests into the compiler's {@link SourceObject}s: files (multi-document YAML, JSON),
 * directories (recursively, sorted), standard input (`-`), and `kind: List` documents unpacked, all exactly as
 * `oc get … -o yaml|json` prints them. Every object keeps its file, document, item and line, and can tell the line
 * of any field path, so diagnostics point at the line to fix. Malformed YAML becomes a `MalformedYAML` error
 * diagnostic (file, line, column), never an exception. An input written `NAME=PATH` is the export of cluster NAME:
 * its objects carry `source.cluster`, so objects of different clusters never collide by name.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import { CLUSTER_NAME_RULE, isClusterName, listItems } from "../../worker/core/compile/index.ts";
import type { Diagnostic, SourceObject, SourceRef } from "../../worker/core/compile/index.ts";
import { UserError } from "./errors.ts";
import { parseFieldPath } from "./field-path.ts";

/** What a directory contributes; any file named explicitly is read whatever its extension. */
export const MANIFEST_EXTENSIONS: readonly string[] = [".yaml", ".yml", ".json"];
/** The file name diagnostics show for `-`. */
export const STDIN_NAME = "<stdin>";

export interface ReadResult {
  objects: SourceObject[];
  /** `MalformedYAML` errors (and `InvalidField` for a List without `items`). */
  diagnostics: Diagnostic[];
  /** The files read, in order, as they are named in messages. */
  files: string[];
  /** The cluster names of labelled inputs, in order of first appearance; empty when the inputs are unlabelled. */
  clusters: string[];
}

/** One command-line input: a path (file, directory or `-`), and the cluster it was exported from when labelled. */
export interface Input {
  path: string;
  cluster?: string;
}

/**
 * Splits `NAME=PATH` inputs. NAME must be a cluster name (./worker/core/compile/clusters.ts); an argument whose part
 * before the first `=` is not one is a plain path when it exists (write `./a=b.yaml` to read a file named that way
 * regardless). Either every input is labelled or none is: an unlabelled input among labelled ones would belong to
 * no cluster. Throws {@link UserError} naming the argument.
 */
export async function parseInputs(args: readonly string[], cwd: string): Promise<Input[]> {
  const inputs: Input[] = [];
  for (const arg of args) {
    const labelled = /^([^=/\\]+)=(.*)$/s.exec(arg);
    if (labelled === null) {
      inputs.push({ path: arg });
      continue;
    }
    const [, cluster = "", path = ""] = labelled;
    if (!isClusterName(cluster)) {
      if (await exists(resolve(cwd, arg))) {
        inputs.push({ path: arg });
        continue;
      }
      throw new UserError(
        `${arg}: ${JSON.stringify(cluster)} is not a valid cluster name in NAME=PATH (${CLUSTER_NAME_RULE}); to read a file whose name contains "=", write it as ./${arg}`,
      );
    }
    if (path === "") throw new UserError(`${arg}: no FILE, DIR or - after ${cluster}=; write ${cluster}=PATH`);
    inputs.push({ path, cluster });
  }
  const unlabelled = inputs.filter((input) => input.cluster === undefined);
  if (unlabelled.length > 0 && unlabelled.length < inputs.length) {
    throw new UserError(
      `${unlabelled.map((input) => input.path).join(", ")}: no cluster named, but other inputs are labelled NAME=PATH; label every input with its cluster (e.g. east=east.yaml west=west.yaml), or none for a single cluster`,
    );
  }
  return inputs;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/**
 * Reads every input (a file, a directory or `-`) in order. Throws {@link UserError} when an input does not
 * exist or a directory holds no manifest file.
 */
export async function readSources(
  args: readonly string[],
  cwd: string,
  readStdin: () => Promise<string>,
): Promise<ReadResult> {
  const inputs = await parseInputs(args, cwd);
  const clusters = [...new Set(inputs.flatMap((input) => (input.cluster === undefined ? [] : [input.cluster])))];
  const result: ReadResult = { objects: [], diagnostics: [], files: [], clusters };
  if (inputs.filter((input) => input.path === "-").length > 1)
    throw new UserError("`-` (stdin) can be given only once");
  for (const { path, cluster } of inputs) {
    const files = path === "-" ? [STDIN_NAME] : await manifestFiles(path, cwd);
    for (const file of files) {
      const text = file === STDIN_NAME ? await readStdin() : await readFile(resolve(cwd, file), "utf8");
      const parsed = parseManifests(text, file, cluster);
      // A loop, not push(...spread): one file of an `oc get -A` export can hold 100,000+ objects, more arguments
      // than a call may take.
      for (const object of parsed.objects) result.objects.push(object);
      for (const diagnostic of parsed.diagnostics) result.diagnostics.push(diagnostic);
      result.files.push(file);
    }
  }
  return result;
}

/**
 * The bytes of the manifests `args` names, as {@link readSources} would read them, without reading them;
 * `Infinity` with standard input, whose size is known only once it is read. Throws {@link UserError} as readSources
 * does for an input that does not exist.
 */
export async function inputBytes(args: readonly string[], cwd: string): Promise<number> {
  let bytes = 0;
  for (const { path } of await parseInputs(args, cwd)) {
    if (path === "-") return Number.POSITIVE_INFINITY;
    for (const file of await manifestFiles(path, cwd)) bytes += (await stat(resolve(cwd, file))).size;
  }
  return bytes;
}

/** The manifest files of one command-line input, named relative to how the user wrote the input. */
async function manifestFiles(input: string, cwd: string): Promise<string[]> {
  const info = await stat(resolve(cwd, input)).catch(() => null);
  if (info === null) throw new UserError(`${input}: no such file or directory`);
  if (!info.isDirectory()) return [input];
  const files = await walk(input, cwd);
  if (files.length === 0) {
    throw new UserError(`${input}: no manifest files (${MANIFEST_EXTENSIONS.join(" ")}) in this directory`);
  }
  return files;
}

/**
 * Depth-first, entries sorted by code point so the same tree always gives the same order (and the same table).
 * Hidden entries (`.git`, Kubernetes `..data` mounts) are skipped; symlinked directories are not followed.
 */
async function walk(dir: string, cwd: string): Promise<string[]> {
  const entries = (await readdir(resolve(cwd, dir), { withFileTypes: true }))
    .filter((entry) => !entry.name.startsWith("."))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path, cwd)));
    else if (MANIFEST_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
      const target = entry.isSymbolicLink() ? await stat(resolve(cwd, path)).catch(() => null) : entry;
      if (target?.isFile()) files.push(path);
    }
  }
  return files;
}

/** Parses one file's text (YAML or JSON, any number of documents); `cluster` labels every object and diagnostic. */
export function parseManifests(
  text: string,
  file: string,
  cluster?: string,
): { objects: SourceObject[]; diagnostics: Diagnostic[] } {
  const parsed =
    (text.trimStart().startsWith("{") ? parseJsonManifest(text, file) : null) ?? parseYamlManifests(text, file);
  if (cluster !== undefined) {
    for (const object of parsed.objects) object.source.cluster = cluster;
    for (const diagnostic of parsed.diagnostics) diagnostic.source.cluster = cluster;
  }
  return parsed;
}

/**
 * JSON (`oc get … -o json`) through `JSON.parse`, which is about a hundred times faster than the YAML parser on
 * large lists. Lines are only needed for diagnostics, so the YAML parse that finds them runs on the first
 * `lineOf` call. `null` when the text is not valid JSON: the YAML parser then reports where it breaks.
 */
function parseJsonManifest(text: string, file: string): { objects: SourceObject[]; diagnostics: Diagnostic[] } | null {
  let object: unknown;
  try {
    object = JSON.parse(text);
  } catch {
    return null;
  }
  let located: SourceObject[] | undefined;
  const lineOf = (source: SourceRef, fieldPath: string): number | undefined => {
    located ??= parseYamlManifests(text, file).objects;
    const match = located.find(
      (candidate) => candidate.source.doc === source.doc && candidate.source.item === source.item,
    );
    return match?.lineOf?.(fieldPath);
  };
  const items = listItems(object);
  const sources: { source: SourceRef; value: unknown }[] =
    items === null
      ? [{ source: { file, doc: 0, line: lineAt(text, text.indexOf("{")) }, value: object }]
      : items.map((value, item) => ({ source: { file, doc: 0, item }, value }));
  const objects = sources.map(({ source, value }) => ({
    source,
    object: value,
    lineOf: (path: string) => lineOf(source, path),
  }));
  return { objects, diagnostics: [] };
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at >= 0 && at < offset; at = text.indexOf("\n", at + 1)) line++;
  return line;
}

function parseYamlManifests(text: string, file: string): { objects: SourceObject[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
  const objects: SourceObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const list = Array.isArray(docs) ? docs : [];
  for (const [doc, document] of list.entries()) {
    const error = document.errors[0];
    if (error !== undefined) {
      const at = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
      diagnostics.push(malformed(file, doc, at.line, at.col, error.message));
      continue;
    }
    let object: unknown;
    try {
      // The alias limit stops "billion laughs" documents from exhausting memory.
      object = document.toJS({ maxAliasCount: 100 });
    } catch (thrown) {
      const at = lines.linePos(document.contents?.range[0] ?? 0);
      diagnostics.push(
        malformed(file, doc, at.line, at.col, thrown instanceof Error ? thrown.message : String(thrown)),
      );
      continue;
    }
    // An empty document (`---` with nothing but comments after it) is nothing, not a null object.
    if (object === null || object === undefined || document.contents === null) continue;
    const root = document.contents;
    const start = lineOfNode(root, lines);
    const items = listItems(object);
    if (items === null) {
      objects.push(sourceObject({ file, doc, line: start }, object, root, lines));
      continue;
    }
    const itemNodes = isMap(root) ? root.get("items", true) : undefined;
    for (const [item, value] of items.entries()) {
      const node = isSeq(itemNodes) ? (itemNodes.items[item] as Node | undefined) : undefined;
      const line = node === undefined ? start : lineOfNode(node, lines);
      objects.push(sourceObject({ file, doc, item, line }, value, node ?? null, lines));
    }
  }
  return { objects, diagnostics };
}

function sourceObject(source: SourceRef, object: unknown, root: Node | null, lines: LineCounter): SourceObject {
  return {
    source,
    object,
    lineOf: (fieldPath) => {
      const path = parseFieldPath(fieldPath);
      return path === null || root === null ? source.line : lineOfPath(root, path, lines);
    },
  };
}

/**
 * The line of `path` under `root`: of the map key for a map field (where the user looks), of the item for a
 * sequence index. A path that does not exist gives the line of its deepest existing ancestor, e.g. a missing
 * `spec.host` points at `spec:`.
 */
function lineOfPath(root: Node, path: readonly (string | number)[], lines: LineCounter): number | undefined {
  let node: unknown = root;
  let line = lineOfNode(root, lines);
  for (const segment of path) {
    if (isMap(node) && typeof segment === "string") {
      const pair = node.items.find((candidate) => isScalar(candidate.key) && String(candidate.key.value) === segment);
      if (pair === undefined) break;
      line = lineOfNode(pair.key as Node, lines) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) break;
      line = lineOfNode(item, lines) ?? line;
      node = item;
    } else break;
  }
  return line;
}

function lineOfNode(node: Node, lines: LineCounter): number | undefined {
  const offset = node.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function malformed(file: string, doc: number, line: number, col: number, message: string): Diagnostic {
  // yaml's pretty message ends with " at line L, column C:" and a code excerpt; we print our own position.
  const first = (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
  return {
    severity: "error",
    code: "MalformedYAML",
    source: { file, doc, line },
    object: "",
    field: "",
    message: `line ${line}, column ${col}: ${first}; fix the syntax (nothing is published while a file does not parse)`,
  };
}
