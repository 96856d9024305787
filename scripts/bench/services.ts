/**
 * @module The processes the end-to-end and cold-start sections talk to, all on 127.0.0.1: the backend, a Worker
 * in workerd (through {@link ./serve-worker.ts}) and HAProxy. Each is started pinned to its core, waited for,
 * and stopped by its own pid only.
 */
import { freePort } from "../dev/free-port.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import { childPid } from "./load.ts";
import { REPO_ROOT } from "./machine.ts";
import { LOAD_CORE, pinned, SUT_CORE } from "./pin.ts";
import type { ServeConfig } from "./serve-worker.ts";

export interface Service {
  port: number;
  /** The process doing the work (workerd for a Worker). */
  pid: number;
  /** Other processes of the service whose CPU is reported alongside (Miniflare's Node host). */
  helpers: Record<string, number>;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

/** Starts `command` and waits for a stdout line matching `ready` (or fails after `timeoutMs`). */
function startAndWait(
  command: string,
  args: string[],
  ready: RegExp,
  timeoutMs: number,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ").slice(0, 120)} not ready after ${timeoutMs / 1000} s: ${output.slice(-300)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve({ child, match });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready: ${output.slice(-400)}`));
    });
  });
}

/** The 1 KiB keep-alive backend, on the load core. */
export async function startBackend(): Promise<Service> {
  const [command, args] = pinned(LOAD_CORE, process.execPath, [`${REPO_ROOT}scripts/bench/backend.ts`, "0"]);
  const { child, match } = await startAndWait(command, args, /listening (\d+)/, 15_000);
  return { port: Number(match[1]), pid: child.pid as number, helpers: {}, stop: stopper(child) };
}

/** A bundled Worker in workerd via Miniflare, on the system-under-test core. */
export async function startWorker(config: Omit<ServeConfig, "port">, workDir: string): Promise<Service> {
  mkdirSync(workDir, { recursive: true });
  const port = await freePort();
  const file = join(workDir, `serve-${port}.json`);
  writeFileSync(file, JSON.stringify({ ...config, port }));
  const [command, args] = pinned(SUT_CORE, process.execPath, [`${REPO_ROOT}scripts/bench/serve-worker.ts`, file]);
  const { child } = await startAndWait(command, args, /ready (\d+)/, 60_000);
  // taskset execs its command, so the child's pid is Miniflare's Node process; workerd is its child.
  const host = child.pid as number;
  const workerd = childPid(host, "workerd");
  if (workerd === undefined) throw new Error("workerd process not found under the Miniflare host");
  return { port, pid: workerd, helpers: { "miniflare-node": host }, stop: stopper(child) };
}

/** HAProxy in the foreground with `configFile`, on the system-under-test core. */
export async function startHaproxy(configFile: string, port: number): Promise<Service> {
  const [command, args] = pinned(SUT_CORE, "haproxy", ["-db", "-f", configFile]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  child.stderr.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${output.slice(-400)}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`haproxy not listening after 60 s: ${output.slice(-400)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, pid: child.pid as number, helpers: {}, stop: stopper(child) };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}
