/**
 * @module The diagnostics funnel of the compiler: every stage pushes problems here as values (never throws for bad
 * input), each naming the file, the object, the field and what is allowed.
 */
import type { Diagnostic, DiagnosticCode, Severity, SourceRef } from "./types.ts";

/** The object a diagnostic is about: where it came from and how messages name it (`Route shop/web`). */
export interface Subject {
  source: SourceRef;
  /** `Route shop/web`, `Ingress shop/api`, `Service shop/blue`; empty when the document has no identity. */
  object: string;
  /** Line lookup for a field path of this object, when the reader can tell. */
  lineOf?: (fieldPath: string) => number | undefined;
}

/** Collects the diagnostics of one compile run. */
export interface Report {
  readonly diagnostics: Diagnostic[];
  add(subject: Subject, severity: Severity, code: DiagnosticCode, field: string, message: string): void;
  error(subject: Subject, code: DiagnosticCode, field: string, message: string): void;
  warning(subject: Subject, code: DiagnosticCode, field: string, message: string): void;
  notice(subject: Subject, code: DiagnosticCode, field: string, message: string): void;
  /**
   * Number of errors reported so far, repeats included: a stage compares it before/after an object to decide
   * whether to drop it.
   */
  errorCount(): number;
}

/**
 * A report that keeps each distinct diagnostic once: the routes of one Ingress share its annotations, and a
 * problem with one of them is one problem, however many paths the Ingress has.
 */
export function createReport(): Report {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  let errors = 0;
  const add = (subject: Subject, severity: Severity, code: DiagnosticCode, field: string, message: string): void => {
    if (severity === "error") errors++;
    const key = JSON.stringify([
      subject.source.cluster,
      subject.source.file,
      subject.source.doc,
      subject.source.item,
      subject.object,
      severity,
      code,
      field,
      message,
    ]);
    if (seen.has(key)) return;
    seen.add(key);
    const line = (field !== "" ? subject.lineOf?.(field) : undefined) ?? subject.source.line;
    const source: SourceRef = { ...subject.source };
    if (line !== undefined) source.line = line;
    diagnostics.push({ severity, code, source, object: subject.object, field, message });
  };
  return {
    diagnostics,
    add,
    error: (s, c, f, m) => add(s, "error", c, f, m),
    warning: (s, c, f, m) => add(s, "warning", c, f, m),
    notice: (s, c, f, m) => add(s, "notice", c, f, m),
    errorCount: () => errors,
  };
}

/** The field path of an annotation, as diagnostics print it. */
export function annotationField(name: string): string {
  return `metadata.annotations[${JSON.stringify(name)}]`;
}

/**
 * Orders diagnostics by where they come from (cluster, file, document, list item), keeping each object's own order.
 * Unlabelled sources (no cluster) come first; one file may be read as the export of two clusters.
 */
export function compareSources(a: SourceRef, b: SourceRef): number {
  if (a.cluster !== b.cluster) return (a.cluster ?? "") < (b.cluster ?? "") ? -1 : 1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.doc !== b.doc) return a.doc - b.doc;
  return (a.item ?? -1) - (b.item ?? -1);
}
