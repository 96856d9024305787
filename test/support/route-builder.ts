/**
 * Builders for CompiledRoute / TableShard values in tests, so each case states only what it is about.
 */
import { contentHashOf, fnv1aHex } from "../../worker/core/index.ts";
import { shardOf } from "../../worker/core/index.ts";
import { TABLE_SCHEMA } from "../../worker/core/index.ts";
import type { Backend, CompiledRoute, Endpoint, TableShard } from "../../worker/core/index.ts";

export function backend(service: string, weight: number, endpoints: Endpoint[] = []): Backend {
  return { service, weight, id: fnv1aHex(service), endpoints };
}

export function route(partial: Partial<CompiledRoute> & { id: string; host: string }): CompiledRoute {
  return {
    kind: "Route",
    path: "",
    match: "prefix",
    tls: null,
    backends: [backend(`${partial.id.split("/")[0]}/svc`, 100)],
    balance: "random",
    cookie: null,
    timeoutMs: 30_000,
    retryOn: "conn-failure empty-response",
    retries: 3,
    healthIntervalMs: 5_000,
    healthPath: "/",
    healthExpect: "200-399",
    forwarded: "append",
    rewriteTarget: null,
    requestHeaders: [],
    responseHeaders: [],
    hsts: null,
    ipAllowlist: null,
    rateLimit: null,
    jwt: null,
    tokenCheck: null,
    clientCert: null,
    ...partial,
  };
}

/** Group routes into `shardCount` shards the way the compiler does (exact hosts, and wildcards by suffix). */
export function shardsOf(routes: CompiledRoute[], shardCount = 1): TableShard[] {
  const shards: TableShard[] = Array.from({ length: shardCount }, () => ({
    schema: TABLE_SCHEMA,
    hosts: {},
    wildcards: {},
  }));
  for (const r of routes) {
    const wildcard = r.host.startsWith("*.");
    const key = wildcard ? r.host.slice(2) : r.host;
    const shard = shards[shardOf(key, shardCount)] as TableShard;
    const group = wildcard ? shard.wildcards : shard.hosts;
    (group[key] ??= []).push(r);
  }
  return shards;
}

/** The content hash the CLI records for a published text (index `shardHashes`), with WebCrypto as the Worker uses it. */
export async function publishedHash(text: string): Promise<string> {
  return contentHashOf(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
