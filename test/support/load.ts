/**
 * Load for failover tests: `total` requests through the gateway, `concurrency` at a time, with a hook after each
 * answer so a test can break a backend at a given point of the run.
 */
import { type Sent, send } from "./harness.ts";

export interface LoadResult {
  statuses: number[];
  /** `X-Backend` of each answer (`""` when the gateway answered itself). */
  backends: string[];
  /** Answers that were not 2xx, with their body. */
  failures: Sent[];
}

export async function load(
  gatewayUrl: string,
  host: string,
  options: {
    total: number;
    concurrency: number;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: (i: number) => string;
    afterAnswer?: (answered: number) => Promise<void> | void;
  },
): Promise<LoadResult> {
  const result: LoadResult = { statuses: [], backends: [], failures: [] };
  let next = 0;
  let answered = 0;
  const worker = async (): Promise<void> => {
    while (next < options.total) {
      const i = next++;
      const sent = await send(gatewayUrl, host, options.path ?? "/", {
        method: options.method ?? "GET",
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.body ? { body: options.body(i) } : {}),
      });
      result.statuses.push(sent.status);
      result.backends.push(String(sent.headers["x-backend"] ?? ""));
      if (sent.status >= 300) result.failures.push(sent);
      answered++;
      await options.afterAnswer?.(answered);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return result;
}

/** Resolve once `check` is true, polling; throw with `what` after `limitMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not after ${limitMs / 1000} s`);
}
