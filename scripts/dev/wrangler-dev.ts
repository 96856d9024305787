/**
 * @module Start the gateway locally with `wrangler dev` (the real workerd), wired for local development:
 * forwarding straight to endpoint addresses (cf.resolveOverride does nothing locally), loopback targets allowed
 * (the demo backends), and a short table refresh so a `routes push` shows within 2 seconds.
 * Used by `npm start`, `npm run dev` and the end-to-end tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { wranglerCommand } from "../lib/wrangler.ts";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface GatewayOptions {
  port: number;
  persistTo: string;
  protocol?: "http" | "https";
  /** Extra `--var` values (override wrangler.toml [vars]). */
  vars?: Record<string, string>;
  /**
   * dotenv files of Worker secrets (`--env-file`), like `.dev.vars` (which wrangler reads by itself when no file is
   * given). Locally a secret is an environment value of the Worker; deployed, `wrangler secret put NAME` sets it.
   */
  envFiles?: string[];
  /** Where wrangler's output goes: inherited (npm start) or collected (tests). */
  stdio?: "inherit" | "collect";
}

export interface RunningGateway {
  url: string;
  process: ChildProcess;
  /** Collected stdout+stderr when `stdio: "collect"`. */
  output: () => string;
  stop(): Promise<void>;
}

export const LOCAL_VARS: Record<string, string> = {
  FORWARD_MODE: "direct",
  ALLOW_LOOPBACK_TARGETS: "true",
  ROUTES_REFRESH_SECONDS: "1",
  HEALTH_REFRESH_SECONDS: "1",
  HEALTH_OBJECTS: "2",
  ACCESS_LOG: "true",
  // `curl http://127.0.0.1:8787/__edgeroute/health` locally; route hosts are DNS names, so never 127.0.0.1.
  ADMIN_HOST: "127.0.0.1",
};

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const protocol = options.protocol ?? "http";
  const vars = { ...LOCAL_VARS, ...options.vars };
  const args = [
    "dev",
    "--config",
    resolve(PROJECT_ROOT, "wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--inspector-port",
    "0",
    "--persist-to",
    options.persistTo,
    "--local-protocol",
    protocol,
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
    ...(options.envFiles ?? []).flatMap((file) => ["--env-file", file]),
  ];
  const collect = options.stdio === "collect";
  const child = spawn(...wranglerCommand(args), {
    cwd: PROJECT_ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: collect ? ["ignore", "pipe", "pipe"] : "inherit",
    detached: process.platform !== "win32",
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `${protocol}://127.0.0.1:${options.port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }
  };
  try {
    await waitUntilServing(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, process: child, output: () => output, stop };
}

/** True when the URL answers at all. wrangler's local HTTPS certificate is self-signed, so it is not verified. */
async function answers(url: string): Promise<boolean> {
  const { request } = url.startsWith("https:") ? await import("node:https") : await import("node:http");
  return new Promise((resolvePromise) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolvePromise(true);
    });
    req.on("error", () => resolvePromise(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    if (await answers(`${url}/__edgeroute/health`)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not start serving ${url} within 60 s:\n${output()}`);
}
