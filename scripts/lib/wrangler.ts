/**
 * @module The one way the CLI runs wrangler: the project's pinned wrangler, under the Node that runs the CLI (22;
 * `node_modules/.bin/wrangler` would pick the system Node through its shebang), without telemetry or colours.
 */
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const WRANGLER_JS = resolve(dirname(fileURLToPath(import.meta.url)), "../../node_modules/wrangler/bin/wrangler.js");

/**
 * The command line that runs `wrangler ARGS` with the project's wrangler under the Node running this process: every
 * place that starts wrangler (the CLI's KV transport, `wrangler dev` for npm start and the tests, the tests' own KV
 * reads) goes through it.
 * @example spawn(...wranglerCommand(["dev", "--port", "8787"]))
 */
export function wranglerCommand(args: readonly string[]): [string, string[]] {
  return [process.execPath, [WRANGLER_JS, ...args]];
}

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `wrangler ARGS`; `onOutput` receives stdout and stderr as they arrive (for commands whose output is shown). */
export function runWrangler(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  onOutput?: (text: string) => void,
): Promise<WranglerResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(...wranglerCommand(args), {
      env: { ...env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      onOutput?.(chunk.toString("utf8"));
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.push(chunk);
      onOutput?.(chunk.toString("utf8"));
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolveRun({
        code: code ?? 1,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
  });
}
