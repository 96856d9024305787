/**
 * @module Work a request starts but must not wait for, nor slow down: it runs in a later turn of the event loop
 * (after the response has been handed to the runtime) and the invocation is kept alive until it ends (`waitUntil`,
 * https://developers.cloudflare.com/workers/runtime-apis/context/#waituntil). A promise passed to `waitUntil`
 * directly would start at once, on the same thread as the request that is still being answered: on a cold isolate
 * that is the health registration and the local production check running before the first response goes out.
 */
export function afterResponse(waitUntil: (promise: Promise<unknown>) => void, work: () => unknown): void {
  waitUntil(new Promise((resolve) => setTimeout(resolve, 0)).then(work));
}
