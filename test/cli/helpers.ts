/**
 * Helpers for the CLI tests: run the real CLI as a child process (as `npm run routes` does), read the local KV
 * back with wrangler itself (independently of scripts/lib/kv.ts), capture `main()`'s output in-process, and make
 * temp copies of the example manifests.
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { afterAll } from "vitest";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { processIo, type Io } from "../../scripts/lib/io.ts";
import { wranglerCommand } from "../../scripts/lib/wrangler.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const NODE = resolve(ROOT, "node_modules/.bin/node");
export const EXAMPLE = resolve(ROOT, "routes-config");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input = "", env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", EDGEROUTE_PUBLISHED_BY: "cli-test@ci", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** `node scripts/cli.ts …` from the repository root. */
export function routes(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return run(NODE, [resolve(ROOT, "scripts/cli.ts"), ...args], options.input, options.env);
}

const local = (persistTo: string): string[] => [
  "--binding",
  "ROUTES",
  "--config",
  "wrangler.toml",
  "--local",
  "--persist-to",
  persistTo,
];

/** `wrangler kv key get KEY --local`; `null` for a missing key (wrangler prints "Value not found"). */
export async function kvGet(persistTo: string, key: string): Promise<string | null> {
  const result = await run(...wranglerCommand(["kv", "key", "get", key, ...local(persistTo)]));
  if (result.code !== 0) throw new Error(`wrangler kv key get failed: ${result.stderr}`);
  return result.stdout === "Value not found\n" ? null : result.stdout;
}

/** `wrangler kv key put KEY VALUE --local`: what another writer (the Worker's health objects) would store. */
export async function kvPut(persistTo: string, key: string, value: string): Promise<void> {
  const result = await run(...wranglerCommand(["kv", "key", "put", key, value, ...local(persistTo)]));
  if (result.code !== 0) throw new Error(`wrangler kv key put failed: ${result.stderr}`);
}

export async function kvJson<T>(persistTo: string, key: string): Promise<T> {
  const text = await kvGet(persistTo, key);
  if (text === null) throw new Error(`${key} is not in KV`);
  return JSON.parse(text) as T;
}

/** Every key name in the local namespace, sorted. */
export async function kvKeys(persistTo: string): Promise<string[]> {
  const result = await run(...wranglerCommand(["kv", "key", "list", ...local(persistTo)]));
  if (result.code !== 0) throw new Error(`wrangler kv key list failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { name: string }[]).map((entry) => entry.name).sort();
}

/** Temp folders made by this test file; removed when it ends (a hook at module level joins the importing file). */
const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function tempDir(prefix = "edgeroute-cli-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A temp copy of routes-config/ (the example), to edit. */
export async function exampleCopy(): Promise<string> {
  const dir = await tempDir("edgeroute-manifests-");
  await cp(EXAMPLE, dir, { recursive: true });
  return dir;
}

/** Replaces `from` by `to` in a file, failing loudly when `from` is not there (so tests cannot silently drift). */
export async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  await writeFile(file, text.replace(from, to));
}

/** An Io for `main()` that records stdout and stderr, reads `stdin` and publishes as `cli-test@ci`. */
export function captureIo(overrides: Partial<Io> & { stdin?: string } = {}): {
  io: Io;
  stdout: () => string;
  stderr: () => string;
} {
  let stdout = "";
  let stderr = "";
  const { stdin, ...rest } = overrides;
  const io: Io = {
    ...processIo(),
    cwd: ROOT,
    env: { ...process.env, EDGEROUTE_PUBLISHED_BY: "cli-test@ci" },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => stdin ?? "",
    ...rest,
  };
  return { io, stdout: () => stdout, stderr: () => stderr };
}
