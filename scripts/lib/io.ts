/**
 * @module Everything a command touches from the outside world, passed in (no module singletons), so tests can
 * run `main(argv, io)` with captured output and a fixed clock while still using the real wrangler for KV.
 */
import { hostname, userInfo } from "node:os";
import { openKv, type KvStore, type KvTarget, type OpenKvOptions } from "./kv.ts";

export interface Io {
  /** Data: what the command is asked for (tables, JSON). */
  stdout: (text: string) => void;
  /** Progress and diagnostics. */
  stderr: (text: string) => void;
  /** The whole of standard input, for the `-` argument. */
  readStdin: () => Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line are relative to this. */
  cwd: string;
  now: () => Date;
  /** `user@host`, the default `publishedBy`. */
  whoami: () => string;
  /** The KV namespace of the table, reached through wrangler (see kv.ts); main() closes it after the command. */
  openKv: (target: KvTarget, options?: OpenKvOptions) => KvStore;
}

/** The real process: stdio, environment, clock and wrangler. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    whoami: () => `${process.env.USER ?? userInfo().username}@${hostname()}`,
    openKv: (target, options) => openKv(target, process.env, options),
  };
}
