/**
 * @module The baseline probe for the cold-start decomposition. On its first request it reads from ROUTES exactly
 * the values the gateway reads before answering a cold request (the pointer, which carries the shard count, then
 * the shards its host can need: worker/table/load.ts `TableCache.get` and `LiveTable.prepare`, `shardsForHost`), as
 * text, without parsing the shards; later requests read nothing. Then, on every request, it forwards the request to
 * the benchmark's backend as the forward-only Worker does (./forward-worker.ts). Its cold − warm time is what the
 * local KV and the runtime's first subrequest (a new connection to the backend) cost, which the gateway's cold −
 * warm time also contains; what is left is the gateway's own work. (The gateway then reads the other shards in
 * `waitUntil`, after its response: not part of the first request's time.)
 */
import { CURRENT_KEY, type Pointer, shardKey, shardsForHost } from "../../worker/core/index.ts";

/** The part of the KV binding the probe uses. */
interface TextKv {
  get(key: string, type: "text"): Promise<string | null>;
}

interface ProbeEnv {
  ROUTES: TextKv;
  /** e.g. `http://127.0.0.1:8080`: the backend the gateway's routes forward to. */
  BACKEND_ORIGIN: string;
}

let bytesRead: number | undefined;

async function readLikeTheGateway(kv: TextKv, host: string): Promise<number> {
  const pointer = await kv.get(CURRENT_KEY, "text");
  if (pointer === null) throw new Error("routes:current is missing");
  const parsed = JSON.parse(pointer) as Pointer;
  const wanted = shardsForHost(host, parsed);
  let bytes = pointer.length;
  for (const shard of wanted) bytes += (await kv.get(shardKey(parsed.version, parsed, shard), "text"))?.length ?? 0;
  return bytes;
}

export default {
  async fetch(request: Request, env: ProbeEnv): Promise<Response> {
    const url = new URL(request.url);
    bytesRead ??= await readLikeTheGateway(env.ROUTES, url.hostname);
    return fetch(new Request(new URL(`${url.pathname}${url.search}`, env.BACKEND_ORIGIN), request));
  },
};
