/**
 * @module The output funnel: data to stdout, progress and diagnostics to stderr, and with `--output json` exactly
 * one JSON document on stdout. Commands never write to the streams themselves.
 */
import type { Diagnostic } from "../../worker/core/compile/index.ts";
import type { Io } from "./io.ts";

export type OutputFormat = "text" | "json";

export interface Output {
  readonly format: OutputFormat;
  readonly debug: boolean;
  /**
   * The command's result: `json` is printed as the one JSON document, or `text()` (lines ending in `\n`) in text
   * mode. Call it once.
   */
  result(json: unknown, text: () => string): void;
  /** A progress or status line on stderr (both formats: stdout stays clean for the data). */
  progress(line: string): void;
  /** Diagnostics on stderr in text mode; in json mode they belong in the result document. */
  diagnostics(lines: readonly string[]): void;
  /** Only with `--debug`. */
  debugLine(line: string): void;
}

export function createOutput(io: Io, format: OutputFormat, debug: boolean): Output {
  let printed = false;
  return {
    format,
    debug,
    result(json, text) {
      if (printed) throw new Error("a command printed two results");
      printed = true;
      io.stdout(format === "json" ? `${JSON.stringify(json, null, 2)}\n` : text());
    },
    progress: (line) => io.stderr(`${line}\n`),
    diagnostics(lines) {
      if (format === "text" && lines.length > 0) io.stderr(lines.map((line) => `${line}\n`).join(""));
    },
    debugLine(line) {
      if (debug) io.stderr(`debug: ${line}\n`);
    },
  };
}

/** A diagnostic as printed and as put in JSON: the contract's fields plus the line of the field. */
export interface LocatedDiagnostic extends Diagnostic {
  line?: number;
}

/**
 * One diagnostic on one line, columns separated by two spaces, `-` for an empty column.
 * @example "routes-config/shop/web.yaml:12  error  HostAlreadyClaimed  Route shop/web  spec.host  host … is claimed by …"
 */
export function formatDiagnostic(diagnostic: LocatedDiagnostic): string {
  const where = diagnostic.line === undefined ? diagnostic.source.file : `${diagnostic.source.file}:${diagnostic.line}`;
  const columns = [
    where,
    diagnostic.severity,
    diagnostic.code,
    diagnostic.object,
    diagnostic.field,
    diagnostic.message,
  ];
  return columns.map((column) => (column === "" ? "-" : column)).join("  ");
}

/** Left-aligned columns padded to the widest cell, two spaces apart, no trailing spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((text) => `${text}\n`).join("");
}

/** The one pluraliser of the CLI's messages. @example plural(1, "route") === "1 route"; plural(2, "route") === "2 routes" */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
