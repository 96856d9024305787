/**
 * @module The CLI's local namespace (./kv.ts `openLocalKv`): wrangler imported and its `getPlatformProxy` started
 * on the local persistence, and the requests the store makes of it, served one at a time. It runs on the command's
 * own thread, or in a worker thread (./local-kv-thread.ts) when the command is busy meanwhile.
 *
 * Why a thread at all: importing wrangler's 15 MB bundle and starting the platform cost about a second of
 * JavaScript on the thread that runs them. On the command's own thread that second comes on top of reading,
 * compiling and serialising a large input (a synchronous 3 s at 100,000 routes, during which the start cannot
 * progress either); on a thread of its own it runs meanwhile, on the other core. Starting a thread costs about 60 ms,
 * so a small input is better served without one.
 *
 * Requests and replies are plain data ({@link ThreadRequest}, {@link ThreadReply}), so that they can cross to a
 * thread (structured clone); errors cross as text plus whether they are the user's (`UserError` on the other side).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where the platform keeps the namespace (a thread gets it as `workerData`). */
export interface ThreadStart {
  /** The wrangler configuration that declares the binding (absolute). */
  config: string;
  /** Local persistence directory (`--persist-to`, absolute). */
  persistTo: string;
  binding: string;
}

export type ThreadRequest =
  | { id: number; op: "get"; keys: string[] }
  | { id: number; op: "put"; pairs: { key: string; value: string }[] }
  | { id: number; op: "delete"; keys: string[] }
  | { id: number; op: "list"; prefix: string }
  | { id: number; op: "close" };

export type ThreadReply =
  | { kind: "started"; ms: number }
  | { kind: "failed"; message: string; user: boolean }
  | { kind: "done"; id: number; values?: (string | null)[]; names?: string[] }
  | { kind: "error"; id: number; message: string; user: boolean };

/** The part of a KV binding (KVNamespace, as getPlatformProxy returns it) the local store uses. */
interface LocalNamespace {
  get(key: string, type: "text"): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; cursor?: string }): Promise<{
    keys: { name: string }[];
    list_complete: boolean;
    cursor?: string;
  }>;
}

/** A failure the user can fix (the store throws it as a `UserError`). */
export class UserFault extends Error {}

export interface Platform {
  kv: LocalNamespace;
  dispose: () => Promise<void>;
  dir: string;
}

/**
 * Starts the platform with a configuration of its own holding only the KV binding (its id read from the project's
 * configuration by wrangler's `unstable_readConfig`), so that starting it does not load the Worker's other bindings
 * (its Durable Objects, rate limits).
 */
export async function startPlatform(target: ThreadStart): Promise<Platform> {
  const wrangler = await import("wrangler");
  const config = wrangler.unstable_readConfig({ config: target.config });
  const binding = config.kv_namespaces.find((namespace: { binding: string }) => namespace.binding === target.binding);
  if (binding === undefined) {
    throw new UserFault(`${target.config} declares no KV namespace with binding ${target.binding} ([[kv_namespaces]])`);
  }
  const dir = await mkdtemp(join(tmpdir(), "edgeroute-kv-"));
  const own = join(dir, "wrangler.json");
  await writeFile(
    own,
    JSON.stringify({
      name: "edgeroute-routes-cli",
      compatibility_date: config.compatibility_date,
      kv_namespaces: [{ binding: target.binding, id: binding.id }],
    }),
  );
  try {
    const proxy = await wrangler.getPlatformProxy<Record<string, LocalNamespace>>({
      configPath: own,
      persist: { path: join(target.persistTo, "v3") },
      envFiles: [],
      remoteBindings: false,
    });
    const kv = proxy.env[target.binding];
    if (kv === undefined) {
      await proxy.dispose();
      throw new UserFault(`wrangler's local platform has no binding ${target.binding}`);
    }
    return { kv, dispose: () => proxy.dispose(), dir };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function serve(
  kv: LocalNamespace,
  request: Exclude<ThreadRequest, { op: "close" }>,
): Promise<ThreadReply> {
  switch (request.op) {
    case "get":
      return {
        kind: "done",
        id: request.id,
        values: await Promise.all(request.keys.map((key) => kv.get(key, "text"))),
      };
    case "put":
      // In order: a pair is written only after every pair before it (the caller relies on it, ./publish.ts).
      for (const pair of request.pairs) await kv.put(pair.key, pair.value);
      return { kind: "done", id: request.id };
    case "delete":
      for (const key of request.keys) await kv.delete(key);
      return { kind: "done", id: request.id };
    case "list": {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list({ prefix: request.prefix, ...(cursor ? { cursor } : {}) });
        for (const key of page.keys) names.push(key.name);
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor !== undefined);
      return { kind: "done", id: request.id, names };
    }
  }
}

/** Stops workerd and removes the platform's own configuration. */
export async function disposePlatform(platform: Platform): Promise<void> {
  await platform.dispose();
  await rm(platform.dir, { recursive: true, force: true });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
