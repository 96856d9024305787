/**
 * @module Command-line parsing: a thin wrapper over `node:util` `parseArgs` (no dependency) that turns its
 * errors into {@link UserError}s naming the command, and renders option tables for `--help`.
 */
import { parseArgs } from "node:util";
import { UserError } from "./errors.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  /** Placeholder in help, e.g. `DIR`. */
  value?: string;
  /** May be given more than once (string options only); read with {@link stringOptions}. */
  multiple?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  positionals: string[];
  values: Readonly<Record<string, string | boolean | string[] | undefined>>;
}

/** Parses `argv` (after the command name) against `options`; `--` ends the options. */
export function parseCommandArgs(argv: readonly string[], options: OptionTable, command: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [name, { type: spec.type, multiple: spec.multiple === true }]),
      ),
      allowPositionals: true,
      strict: true,
    });
    return { positionals, values: values as Record<string, string | boolean | string[] | undefined> };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const option = /'(-[^' ]+)/.exec((error as Error).message)?.[1] ?? "";
    const help = `see \`npm run routes -- ${command} --help\``;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
      throw new UserError(`unknown option ${option} for ${command}; ${help}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      throw new UserError(
        `option ${option} ${(error as Error).message.includes("argument missing") ? "needs a value" : "takes no value"}; ${help}`,
      );
    }
    throw error;
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/** Every value of an option that may be repeated, in command-line order. */
export function stringOptions(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** `  --persist-to DIR   Local KV directory …` lines, aligned. */
export function formatOptions(options: OptionTable): string {
  const rows = Object.entries(options).map(([name, spec]) => [
    `--${name}${spec.value === undefined ? "" : ` ${spec.value}`}${spec.multiple === true ? " …" : ""}`,
    spec.description,
  ]);
  const width = Math.max(...rows.map(([left]) => (left ?? "").length));
  return rows.map(([left, right]) => `  ${(left ?? "").padEnd(width)}  ${right}\n`).join("");
}
