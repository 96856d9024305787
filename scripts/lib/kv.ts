/**
 * @module The only code that talks to Workers KV, always through wrangler itself, so the CLI writes exactly where
 * `wrangler dev` and the deployed Worker read, with the user's own wrangler login, and needs no API token handling
 * of its own:
 * - local ({@link openLocalKv}): wrangler's programmatic `getPlatformProxy`, one local namespace on the same
 *   persistence directory `wrangler kv --local --persist-to` and `wrangler dev` use, started once per command (in
 *   the CLI's process; in a worker thread of it when the command is busy meanwhile, ./local-kv-platform.ts) instead
 *   of one wrangler process per call;
 * - remote ({@link openWranglerKv}): `wrangler kv key …` and `wrangler kv bulk …` processes.
 *
 * Each wrangler call costs about a second (process start-up), whatever it carries, so everything that can be
 * batched is: reads go through `kv bulk get` (100 keys a call, the REST limit), writes of many keys through
 * `kv bulk put` in chunks of at most 10,000 pairs and {@link MAX_BULK_BYTES}. Values travel in temp files, never
 * in argv. Every call is timed ({@link KvStore.calls}) so `--debug` and the push summary can show the cost.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { UserError } from "./errors.ts";
import {
  disposePlatform,
  serve,
  startPlatform,
  UserFault,
  type ThreadReply,
  type ThreadRequest,
} from "./local-kv-platform.ts";
import { runWrangler } from "./wrangler.ts";

/** Where the namespace lives. Paths are absolute. */
export interface KvTarget {
  mode: "local" | "remote";
  /** The wrangler configuration that declares the binding. */
  config: string;
  /** Local persistence directory (`--persist-to`); ignored for `remote`. */
  persistTo: string;
  binding: string;
}

export interface KvPair {
  key: string;
  value: string;
}

/** One timed wrangler invocation. */
export interface KvCall {
  command: string;
  ms: number;
}

export interface KvStore {
  /** For messages: `local KV ROUTES (/path/.wrangler/state)` or `remote KV ROUTES`. */
  readonly description: string;
  /** Every wrangler call made so far, in order. */
  readonly calls: readonly KvCall[];
  /** Values of `keys`; a missing key maps to `null`. */
  getMany(keys: readonly string[]): Promise<Map<string, string | null>>;
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  /** Writes in order, chunk by chunk: a pair is only sent after every pair before it was written. */
  putMany(pairs: readonly KvPair[], progress?: (written: number, total: number) => void): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every key name that starts with `prefix`, in KV's order (sorted). */
  list(prefix: string): Promise<string[]>;
  /** Releases what the store holds (the local namespace); the CLI calls it once the command is done. */
  close(): Promise<void>;
}

/** The store a command uses: in-process for the local namespace, wrangler processes for the remote one. */
export function openKv(
  target: KvTarget,
  env: Readonly<Record<string, string | undefined>>,
  options: OpenKvOptions = {},
): KvStore {
  return target.mode === "local" ? openLocalKv(target, options) : openWranglerKv(target, env);
}

/** KV's own limits (docs/design-notes.md#workers). */
export const MAX_VALUE_BYTES = 25 * 1024 * 1024;
export const MAX_KEY_BYTES = 512;
export const MAX_BULK_PAIRS = 10_000;
/** Half of the 100 MB request limit: JSON escaping and multipart overhead must never push a chunk over it. */
export const MAX_BULK_BYTES = 50 * 1024 * 1024;
/** `kv bulk get` is one REST request of at most 100 keys. */
export const MAX_BULK_GET_KEYS = 100;

/** A {@link KvStore} backed by wrangler processes. `env` is passed to wrangler (auth, account id). */
export function openWranglerKv(target: KvTarget, env: Readonly<Record<string, string | undefined>>): KvStore {
  const calls: KvCall[] = [];
  const where = target.mode === "local" ? ["--local", "--persist-to", target.persistTo] : ["--remote"];

  async function wrangler(args: string[]): Promise<string> {
    const started = performance.now();
    const full = ["kv", ...args, "--binding", target.binding, "--config", target.config, ...where];
    const result = await runWrangler(full, env);
    calls.push({ command: `wrangler ${args.slice(0, 2).join(" ")}`, ms: performance.now() - started });
    if (result.code !== 0) {
      const output = tail(`${result.stderr}\n${result.stdout}`);
      throw new UserError(
        `wrangler kv ${args.slice(0, 2).join(" ")} failed (exit ${result.code}) on ${describe(target)}:\n${output}`,
      );
    }
    return result.stdout;
  }

  async function withTempFile<T>(name: string, content: string, use: (file: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), "edgeroute-kv-"));
    try {
      const file = join(dir, name);
      await writeFile(file, content);
      return await use(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const store: KvStore = {
    description: describe(target),
    calls,
    async getMany(keys) {
      const values = new Map<string, string | null>();
      for (let i = 0; i < keys.length; i += MAX_BULK_GET_KEYS) {
        const chunk = keys.slice(i, i + MAX_BULK_GET_KEYS);
        const stdout = await withTempFile("keys.json", JSON.stringify(chunk), (file) =>
          wrangler(["bulk", "get", file]),
        );
        const parsed = parseBulkGet(stdout);
        for (const key of chunk) values.set(key, parsed.get(key) ?? null);
      }
      return values;
    },
    async get(key) {
      return (await store.getMany([key])).get(key) ?? null;
    },
    async put(key, value) {
      checkPair({ key, value });
      await withTempFile("value", value, (file) => wrangler(["key", "put", key, "--path", file]));
    },
    async putMany(pairs, progress) {
      pairs.forEach(checkPair);
      const chunks = bulkChunks(pairs);
      let written = 0;
      for (const chunk of chunks) {
        await withTempFile("pairs.json", JSON.stringify(chunk), (file) => wrangler(["bulk", "put", file]));
        written += chunk.length;
        progress?.(written, pairs.length);
      }
    },
    async deleteMany(keys) {
      for (let i = 0; i < keys.length; i += MAX_BULK_PAIRS) {
        const chunk = keys.slice(i, i + MAX_BULK_PAIRS);
        await withTempFile("keys.json", JSON.stringify(chunk), (file) => wrangler(["bulk", "delete", file, "--force"]));
      }
    },
    async list(prefix) {
      // `kv key list` follows KV's list cursor itself and prints every key as one JSON array.
      const listed = parseJson(await wrangler(["key", "list", "--prefix", prefix]), "wrangler kv key list");
      if (!Array.isArray(listed)) throw new UserError("wrangler kv key list printed something other than a list");
      return listed.map((entry: { name?: unknown }) => String(entry.name));
    },
    close: async () => {},
  };
  return store;
}

/** How a command opens its store. */
export interface OpenKvOptions {
  /**
   * The command has long synchronous work to do before its first KV call (reading and compiling a large input): the
   * local platform then starts in a worker thread, on the other core, instead of after that work
   * (./local-kv-platform.ts). Without it, the platform starts on the command's own thread, which saves starting a
   * thread (about 60 ms).
   */
  busy?: boolean;
}

/**
 * A {@link KvStore} on the local namespace through wrangler's own `getPlatformProxy`
 * (https://developers.cloudflare.com/workers/wrangler/api/#getplatformproxy): the same Miniflare KV, namespace id
 * and `<persistTo>/v3` directory as `wrangler kv --local --persist-to` and `wrangler dev --persist-to`. It is given a
 * configuration of its own holding only the KV binding, so that starting it does not load the Worker's other
 * bindings. Started when opened, so that it overlaps with what the command does before its first read; in a worker
 * thread when the command says it is `busy` meanwhile ({@link OpenKvOptions}). {@link KvStore.calls} lists that
 * start as the one wrangler call.
 */
export function openLocalKv(target: KvTarget, options: OpenKvOptions = {}): KvStore {
  const calls: KvCall[] = [];
  const transport = options.busy === true ? threadTransport(target, calls) : inProcessTransport(target, calls);
  const { send } = transport;
  let closed: Promise<void> | undefined;

  const store: KvStore = {
    description: describe(target),
    calls,
    async getMany(keys) {
      const { values = [] } = await send({ op: "get", keys: [...keys] });
      return new Map(keys.map((key, i) => [key, values[i] ?? null]));
    },
    async get(key) {
      return (await store.getMany([key])).get(key) ?? null;
    },
    async put(key, value) {
      checkPair({ key, value });
      await send({ op: "put", pairs: [{ key, value }] });
    },
    async putMany(pairs, progress) {
      pairs.forEach(checkPair);
      // In order, as the bulk transport does: a chunk is sent only once every pair before it was written.
      let written = 0;
      for (const chunk of bulkChunks(pairs)) {
        await send({ op: "put", pairs: chunk });
        written += chunk.length;
        progress?.(written, pairs.length);
      }
    },
    async deleteMany(keys) {
      await send({ op: "delete", keys: [...keys] });
    },
    async list(prefix) {
      const { names = [] } = await send({ op: "list", prefix });
      return names;
    },
    close() {
      closed ??= transport.close();
      return closed;
    },
  };
  return store;
}

/** A request of the store: every one but `close`, without the id a thread matches replies by. */
type Request = DistributiveOmit<Exclude<ThreadRequest, { op: "close" }>, "id">;
type Done = Extract<ThreadReply, { kind: "done" }>;

/** How the store reaches the platform: on this thread, or in a worker thread. */
interface Transport {
  send(request: Request): Promise<Done>;
  /** Disposes the platform (stops workerd); the store is unusable after. */
  close(): Promise<void>;
}

/** A platform error as the store throws it: the user's as a {@link UserError}, anything else as it is. */
function storeError(error: unknown): unknown {
  return error instanceof UserFault ? new UserError(error.message) : error;
}

function inProcessTransport(target: KvTarget, calls: KvCall[]): Transport {
  const began = performance.now();
  const platform = startPlatform(target).then((started) => {
    calls.push({ command: "wrangler getPlatformProxy", ms: performance.now() - began });
    return started;
  });
  // A failure surfaces at the first request; the catch only keeps it from being unhandled meanwhile.
  platform.catch(() => {});
  let open = true;
  return {
    async send(request) {
      if (!open) throw new Error("the local KV store is closed");
      try {
        return (await serve((await platform).kv, { ...request, id: 0 })) as Done;
      } catch (error) {
        throw storeError(error);
      }
    },
    async close() {
      open = false;
      const started = await platform.catch(() => null);
      if (started !== null) await disposePlatform(started);
    },
  };
}

function threadTransport(target: KvTarget, calls: KvCall[]): Transport {
  const thread = new Worker(new URL("./local-kv-thread.ts", import.meta.url), { workerData: target });
  const pending = new Map<number, { resolve: (reply: Done) => void; reject: (error: unknown) => void }>();
  let nextId = 0;
  /** Set once the start failed, or the thread stopped: every later request fails with it. */
  let broken: unknown;

  const fail = (error: unknown): void => {
    broken ??= error;
    for (const request of pending.values()) request.reject(broken);
    pending.clear();
  };
  thread.on("message", (reply: ThreadReply) => {
    if (reply.kind === "started") {
      calls.push({ command: "wrangler getPlatformProxy", ms: reply.ms });
      return;
    }
    if (reply.kind === "failed") {
      // Surfaces at the first request (or at once for those already waiting), as the start's own error would.
      fail(reply.user ? new UserError(reply.message) : new Error(reply.message));
      return;
    }
    const request = pending.get(reply.id);
    if (request === undefined) return;
    pending.delete(reply.id);
    if (reply.kind === "error") request.reject(reply.user ? new UserError(reply.message) : new Error(reply.message));
    else request.resolve(reply);
  });
  thread.on("error", (error) => fail(error));
  thread.on("exit", (code) => fail(new Error(`the local KV thread stopped (exit ${code})`)));

  function post(request: DistributiveOmit<ThreadRequest, "id">): Promise<Done> {
    if (broken !== undefined) return Promise.reject(broken);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread.postMessage({ ...request, id });
    });
  }

  return {
    send: post,
    async close() {
      // The thread disposes the platform (stops workerd) and removes its configuration, then ends by itself (its
      // port closed): the process need not wait for that (about 20 ms). A thread that failed is stopped.
      const disposed =
        broken === undefined &&
        (await post({ op: "close" }).then(
          () => true,
          () => false,
        ));
      if (disposed) thread.unref();
      else await thread.terminate();
    },
  };
}

/** `Omit` over each member of a union (the plain one would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Splits pairs into bulk requests of at most {@link MAX_BULK_PAIRS} pairs and {@link MAX_BULK_BYTES} of JSON,
 * keeping their order.
 * @example bulkChunks(25,000 small pairs) has 3 chunks: 10,000 + 10,000 + 5,000
 */
export function bulkChunks(pairs: readonly KvPair[]): KvPair[][] {
  const chunks: KvPair[][] = [];
  let current: KvPair[] = [];
  let bytes = 2;
  for (const pair of pairs) {
    const size = Buffer.byteLength(JSON.stringify(pair)) + 1;
    if (current.length > 0 && (current.length === MAX_BULK_PAIRS || bytes + size > MAX_BULK_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 2;
    }
    current.push(pair);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function checkPair(pair: KvPair): void {
  if (Buffer.byteLength(pair.key) > MAX_KEY_BYTES) {
    throw new UserError(`KV key ${pair.key.slice(0, 40)}… is longer than ${MAX_KEY_BYTES} bytes`);
  }
  const size = Buffer.byteLength(pair.value);
  if (size > MAX_VALUE_BYTES) {
    throw new UserError(
      `KV value of ${pair.key} is ${(size / 1024 / 1024).toFixed(1)} MiB; Workers KV allows at most 25 MiB per value`,
    );
  }
}

/**
 * `kv bulk get` prints `{ key: { value } }` locally and the REST API's `{ key: value }` remotely; a missing key is
 * `null` in both (unlike `kv key get`, which prints "Value not found" for a missing key locally).
 */
function parseBulkGet(stdout: string): Map<string, string | null> {
  const parsed = parseJson(stdout, "wrangler kv bulk get") as Record<string, unknown>;
  const values = new Map<string, string | null>();
  for (const [key, entry] of Object.entries(parsed)) {
    const value = entry !== null && typeof entry === "object" ? (entry as { value?: unknown }).value : entry;
    values.set(key, typeof value === "string" ? value : value == null ? null : JSON.stringify(value));
  }
  return values;
}

function parseJson(stdout: string, what: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new UserError(`${what} printed something that is not JSON:\n${tail(stdout)}`);
  }
}

function describe(target: KvTarget): string {
  return target.mode === "local"
    ? `local KV ${target.binding} (${target.persistTo})`
    : `remote KV ${target.binding} (${target.config})`;
}

/** The last lines of wrangler's output, without colours, banner and beta notices: enough to show why it failed. */
function tail(output: string): string {
  const lines = output
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.trimEnd())
    .filter(
      (line) => line !== "" && !/^(\s*⛅️ wrangler|─+$|Resource location:|Use --remote|▲ \[WARNING\] 🚧)/.test(line),
    );
  return lines.slice(-15).join("\n");
}
