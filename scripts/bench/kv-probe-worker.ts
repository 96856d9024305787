/**
 * @module The KV-only probe for the cold-start decomposition: on its first request it reads from ROUTES exactly
 * the values the gateway reads before answering a cold request (the pointer, which carries the shard count, then
 * the shards of the request host and of its wildcard suffix: worker/table/load.ts `TableCache.get` and
 * `LiveTable.prepare`), as text,
 * without parsing the shards; later requests read nothing. Its cold − warm time is what the local KV costs,
 * which the gateway's cold − warm time also contains. (The gateway then reads the other shards in `waitUntil`,
 * after its response: not part of the first request's time.)
 */
import { CURRENT_KEY, type Pointer, shardKey, shardsForHost } from "../../worker/core/index.ts";

/** The part of the KV binding the probe uses. */
interface TextKv {
  get(key: string, type: "text"): Promise<string | null>;
}

interface ProbeEnv {
  ROUTES: TextKv;
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
    bytesRead ??= await readLikeTheGateway(env.ROUTES, new URL(request.url).hostname);
    return new Response(`read ${bytesRead} characters from KV\n`);
  },
};
