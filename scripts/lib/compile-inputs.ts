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
  /** Reader and compiler diagnostics, warnings already raised to errors under `--strict`, in file/line order. */
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
  const result = compile(read.objects, options);
  const strict = flag(args, "strict");
  const raised = [...read.diagnostics, ...result.diagnostics].map(
    (diagnostic): Diagnostic =>
      strict && diagnostic.severity === "warning" ? { ...diagnostic, severity: "error" } : diagnostic,
  );
  const fileOrder = new Map(read.files.map((file, index) => [file, index]));
  // The compiler and the reader put each diagnostic's line (its field's, else its object's) in source.line.
  const diagnostics = raised
    .map((diagnostic, index): { diagnostic: LocatedDiagnostic; index: number } => ({
      diagnostic:
        diagnostic.source.line === undefined ? { ...diagnostic } : { ...diagnostic, line: diagnostic.source.line },
      index,
    }))
    .sort(
      (a, b) =>
        (fileOrder.get(a.diagnostic.source.file) ?? 0) - (fileOrder.get(b.diagnostic.source.file) ?? 0) ||
        (a.diagnostic.line ?? 0) - (b.diagnostic.line ?? 0) ||
        a.index - b.index,
    )
    .map(({ diagnostic }) => diagnostic);
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
