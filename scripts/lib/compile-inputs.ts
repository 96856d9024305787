/**
 * @module Read manifests and compile them: the first half of validate, push, diff and explain. Prints the
 * diagnostics (stderr, text mode) with the line of each field, applies `--strict`, and counts errors.
 */
import { compile } from "../../worker/core/compile/index.ts";
import type {
  CompileOptions,
  CompileResult,
  Diagnostic,
  Severity,
  SourceObject,
} from "../../worker/core/compile/index.ts";
import { flag } from "./args.ts";
import type { CommandContext } from "./define-command.ts";
import { UserError } from "./errors.ts";
import { compileOptionsOf } from "./options.ts";
import { formatDiagnostic, type LocatedDiagnostic, plural } from "./output.ts";
import { readSources } from "./read-sources.ts";

export interface CompiledInputs {
  result: CompileResult;
  objects: SourceObject[];
  files: string[];
  /** Cluster names of `NAME=PATH` inputs, in order; empty for unlabelled inputs. */
  clusters: string[];
  /** Reader and compiler diagnostics in compile()'s order, warnings already raised to errors under `--strict`. */
  diagnostics: LocatedDiagnostic[];
  counts: Record<Severity, number>;
}

/** `overrides`: compile options a command fixes whatever its arguments say (`routes dns` compiles for remote). */
export async function compileInputs(
  inputs: readonly string[],
  context: CommandContext,
  overrides: Partial<CompileOptions> = {},
): Promise<CompiledInputs> {
  const { args, io, out } = context;
  if (inputs.length === 0) throw new UserError("no manifests given: pass FILE, DIR or - (stdin)");
  const options = { ...(await compileOptionsOf(args, io.cwd)), ...overrides };
  const read = await readSources(inputs, io.cwd, io.readStdin);
  for (const cluster of Object.keys(options.clusterRouters))
    if (cluster !== "" && !read.clusters.includes(cluster))
      throw new UserError(
        `--cluster-router ${cluster}=${options.clusterRouters[cluster]}: no input is labelled ${cluster}; name that cluster's manifests as ${cluster}=PATH`,
      );
  const result = compile(read.objects, options, read.diagnostics);
  const strict = flag(args, "strict");
  // Already in their one order (compile() sorts the reader's and its own); the line is repeated for JSON output.
  const diagnostics = result.diagnostics.map((diagnostic): LocatedDiagnostic => {
    const raised: Diagnostic =
      strict && diagnostic.severity === "warning" ? { ...diagnostic, severity: "error" } : diagnostic;
    return raised.source.line === undefined ? { ...raised } : { ...raised, line: raised.source.line };
  });
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  for (const diagnostic of diagnostics) counts[diagnostic.severity]++;
  out.diagnostics(diagnostics.map(formatDiagnostic));
  if (out.format === "text") {
    const clusters =
      read.clusters.length === 0 ? "" : `${plural(read.clusters.length, "cluster")} (${read.clusters.join(", ")}), `;
    out.progress(
      `${clusters}${plural(read.files.length, "file")}, ${plural(read.objects.length, "object")}: ` +
        `${plural(result.admitted.length, "route")} admitted, ${result.rejected.length} rejected; ` +
        `${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${plural(counts.notice, "notice")}`,
    );
  }
  return { result, objects: read.objects, files: read.files, clusters: read.clusters, diagnostics, counts };
}
