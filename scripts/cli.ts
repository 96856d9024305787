/**
 * @module The routes CLI (`npm run routes -- <command> [options]`): the COMMANDS table, help, and exit codes by
 * fault: 0 ok; 1 the user's input or environment is wrong (error diagnostics, bad options, a failed wrangler
 * call), never with a stack trace; 2 a bug in edgeroute (stack trace with --debug). docs/cli.md is the manual.
 */
import { enableCompileCache } from "node:module";
import { parseCommandArgs, flag } from "./lib/args.ts";
import { commandHelp, type Command } from "./lib/define-command.ts";
import { UserError, messageOf } from "./lib/errors.ts";
import { processIo, type Io } from "./lib/io.ts";
import type { KvStore } from "./lib/kv.ts";
import { outputFormatOf } from "./lib/options.ts";
import { createOutput } from "./lib/output.ts";
import { diff } from "./commands/diff.ts";
import { dns } from "./commands/dns.ts";
import { domains } from "./commands/domains.ts";
import { explain } from "./commands/explain.ts";
import { gc } from "./commands/gc.ts";
import { push } from "./commands/push.ts";
import { rollback } from "./commands/rollback.ts";
import { status } from "./commands/status.ts";
import { validate } from "./commands/validate.ts";

/** Every command; adding one is one line here plus its file in commands/. */
export const COMMANDS: readonly Command[] = [validate, diff, push, status, rollback, gc, explain, domains, dns];

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = COMMANDS.find((command) => command.name === rest[0]);
    io.stdout(topic === undefined ? usage() : commandHelp(topic));
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr(`error: unknown command ${name}\n\n${usage()}`);
    return 1;
  }
  const debug = rest.includes("--debug");
  // Every store the command opens is closed when it is done (the local one holds a workerd process).
  const opened: KvStore[] = [];
  const tracked: Io = {
    ...io,
    openKv: (target, options) => {
      const kv = io.openKv(target, options);
      opened.push(kv);
      return kv;
    },
  };
  try {
    const args = parseCommandArgs(rest, command.options, command.name);
    if (flag(args, "help")) {
      io.stdout(commandHelp(command));
      return 0;
    }
    const out = createOutput(io, outputFormatOf(args), debug);
    return await command.run({ args, io: tracked, out });
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`error: ${error.message}\n`);
      return 1;
    }
    io.stderr(
      debug && error instanceof Error
        ? `internal error (a bug in edgeroute): ${error.stack ?? error.message}\n`
        : `internal error (a bug in edgeroute): ${messageOf(error)}\nrun again with --debug for the stack trace\n`,
    );
    return 2;
  } finally {
    await Promise.all(opened.map((kv) => kv.close()));
  }
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    "Usage: npm run routes -- <command> [options]\n\n",
    "Compile OpenShift Routes, Ingresses and Services into the edge route table and publish it to Workers KV.\n\n",
    "Commands:\n",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}\n`),
    "\nRun `npm run routes -- <command> --help` for a command's options. Manual: docs/cli.md\n",
  ].join("");
}

if (import.meta.main) {
  // V8's compiled code of the modules this process loads, kept on disk between runs
  // (https://nodejs.org/api/module.html#module-compile-cache): wrangler's bundle, imported by every local push,
  // is about a second of JavaScript to compile otherwise.
  enableCompileCache();
  process.exitCode = await main(process.argv.slice(2), processIo());
}
