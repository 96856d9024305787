/**
 * @module The shape of a CLI command: a declaration (name, usage, options, examples) plus `run`. scripts/cli.ts
 * lists them in one table; help, parsing and exit codes are handled there, once.
 */
import { formatOptions, type OptionTable, type ParsedArgs } from "./args.ts";
import type { Io } from "./io.ts";
import type { Output } from "./output.ts";

export interface CommandContext {
  args: ParsedArgs;
  io: Io;
  out: Output;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Arguments after the command name, e.g. `FILE|DIR|- [options]`. */
  usage: string;
  /** What it does, in a few lines (for `--help`). */
  description: string;
  options: OptionTable;
  examples: readonly string[];
  /** Returns the exit code: 0 ok, 1 the user's input has errors. Throws UserError for bad options or input. */
  run(context: CommandContext): Promise<number>;
}

/** Identity, for the declaration's types and to mark a command module's one export. */
export function defineCommand(command: Command): Command {
  return command;
}

export function commandHelp(command: Command): string {
  return [
    `Usage: npm run routes -- ${command.name} ${command.usage}\n\n`,
    `${command.description.trim()}\n\n`,
    "Options:\n",
    formatOptions(command.options),
    "\nExamples:\n",
    ...command.examples.map((example) => `  ${example}\n`),
  ].join("");
}
