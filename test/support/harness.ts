/**
 * End-to-end harness: real echo backends on 127.0.0.1, manifests written to a temp folder and published with the
 * real routes CLI into a temp local KV, and the real gateway (`wrangler dev`, workerd) serving that KV.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EchoBackend, startEchoBackend } from "../../scripts/dev/echo-backend.ts";
import { type RunningGateway, startGateway } from "../../scripts/dev/wrangler-dev.ts";
import { type Run, routes } from "../cli/helpers.ts";
import { freePort } from "../../scripts/dev/free-port.ts";

export { freePort };

export interface Harness {
  dir: string;
  persistTo: string;
  backends: Record<string, EchoBackend>;
  gateway: RunningGateway;
  /**
   * Write `manifests` (YAML text) as the only file of the config folder and push it; throws when push fails. A
   * record is one export per cluster, pushed as `NAME=PATH` inputs.
   */
  push(manifests: Manifests): Promise<Run>;
  /** Stop backend NAME: its address then refuses connections. */
  kill(name: string): Promise<void>;
  /** Start backend NAME again on the same address and port (its `received` list starts empty). */
  restart(name: string): Promise<EchoBackend>;
  /** The table version the gateway serves now. */
  version(): Promise<string | null>;
  /** Wait until the gateway serves a version other than `previous` (it re-reads the pointer every second here). */
  waitForChange(previous: string | null): Promise<string>;
  stop(): Promise<void>;
}

/** A backend on another loopback address with the same port as backend `samePortAs`: a second endpoint of one Service. */
export interface ExtraEndpoint {
  name: string;
  host: string;
  samePortAs: string;
}
/** One YAML text, or each cluster's export by cluster name. */
export type Manifests = string | Record<string, string>;

export interface HarnessOptions {
  backends: (string | ExtraEndpoint)[];
  /** Extra `--var`s for the gateway. */
  vars?: Record<string, string>;
  /** Initial manifests; `{{port:NAME}}` is replaced by backend NAME's port. */
  manifests: Manifests;
  protocol?: "http" | "https";
  /** Extra `routes push` options for every push (e.g. `--resolve NAME=127.0.0.1:PORT` for a router stand-in). */
  pushArgs?: string[];
  /** Worker secrets, written to a dotenv file the gateway reads (`wrangler dev --env-file`, like `.dev.vars`). */
  secrets?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "edgeroute-e2e-"));
  const persistTo = join(dir, "state");
  const configDir = join(dir, "routes");
  const backends: Record<string, EchoBackend> = {};
  for (const spec of options.backends) {
    if (typeof spec === "string") backends[spec] = await startEchoBackend(spec);
    else {
      const twin = backends[spec.samePortAs];
      if (!twin) throw new Error(`backend ${spec.name} names unknown backend ${spec.samePortAs}`);
      backends[spec.name] = await startEchoBackend(spec.name, twin.port, spec.host);
    }
  }
  const render = (text: string): string =>
    text.replace(/\{\{port:([\w-]+)\}\}/g, (_, name: string) => {
      const backend = backends[name];
      if (!backend) throw new Error(`manifest names unknown backend ${name}`);
      return String(backend.port);
    });
  const push = async (manifests: Manifests): Promise<Run> => {
    await rm(configDir, { recursive: true, force: true });
    await mkdir(configDir);
    const inputs: string[] = [];
    if (typeof manifests === "string") {
      await writeFile(join(configDir, "manifests.yaml"), render(manifests));
      inputs.push(configDir);
    } else {
      for (const [cluster, text] of Object.entries(manifests)) {
        await writeFile(join(configDir, `${cluster}.yaml`), render(text));
        inputs.push(`${cluster}=${join(configDir, `${cluster}.yaml`)}`);
      }
    }
    const args = ["push", "--local", "--persist-to", persistTo, "--output", "json", ...(options.pushArgs ?? [])];
    const run = await routes([...args, ...inputs], {
      env: { EDGEROUTE_PUBLISHED_BY: "e2e-test" },
    });
    if (run.code !== 0) throw new Error(`routes push failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    return run;
  };
  await push(options.manifests);
  const envFiles: string[] = [];
  if (options.secrets !== undefined) {
    const file = join(dir, "secrets.env");
    const lines = Object.entries(options.secrets).map(([name, value]) => `${name}=${JSON.stringify(value)}\n`);
    await writeFile(file, lines.join(""));
    envFiles.push(file);
  }
  const gateway = await startGateway({
    port: await freePort(),
    persistTo,
    protocol: options.protocol,
    stdio: "collect",
    ...(options.vars ? { vars: options.vars } : {}),
    envFiles,
  });
  const harness: Harness = {
    dir,
    persistTo,
    backends,
    gateway,
    push,
    async kill(name) {
      await backends[name]?.close();
    },
    async restart(name) {
      const old = backends[name];
      if (!old) throw new Error(`no backend ${name}`);
      const fresh = await startEchoBackend(name, old.port, old.host);
      backends[name] = fresh;
      return fresh;
    },
    async version() {
      const res = await fetch(`${gateway.url}/__edgeroute/health`);
      return ((await res.json()) as { version: string | null }).version;
    },
    async waitForChange(previous) {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const current = await harness.version();
        if (current !== null && current !== previous) return current;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`gateway still serves ${previous} after 15 s:\n${gateway.output()}`);
    },
    async stop() {
      await gateway.stop();
      await Promise.all(Object.values(backends).map((b) => b.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Send one request through the gateway with full control of the Host and of hop-by-hop headers (which fetch
 * would not let a test set). `host` is the Host header; the connection goes to the gateway.
 */
export async function send(
  gatewayUrl: string,
  host: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Sent> {
  const target = new URL(gatewayUrl);
  // wrangler dev's HTTPS listener uses a self-signed certificate.
  const { request } = target.protocol === "https:" ? await import("node:https") : await import("node:http");
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? "GET",
        path,
        headers: { Host: host, "CF-Connecting-IP": "203.0.113.7", ...options.headers },
        agent: false,
        rejectUnauthorized: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
