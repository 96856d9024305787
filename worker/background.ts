/**
 * @module Work a request starts but must not wait for, nor slow down: the phases queue it while the request is
 * served, and `run` starts it once the response is ready, in a later turn of the event loop, with the invocation
 * kept alive until it ends (`waitUntil`, https://developers.cloudflare.com/workers/runtime-apis/context/#waituntil).
 * Started at once, it would share the thread with the request still being answered (while it waits for the
 * backend, for example): on a cold isolate that is the health registration and the local production check running
 * before the first response goes out.
 */
import { logEvent } from "./answers.ts";

export class AfterResponse {
  private work: (() => unknown)[] | undefined;

  /** Queues `work`; a throw or rejection is logged (`background-failed`) and affects nothing else. */
  add(work: () => unknown): void {
    (this.work ??= []).push(work);
  }

  /** Starts the queued work after the current turn; called once, when the response is returned. */
  start(waitUntil: (promise: Promise<unknown>) => void): void {
    const queued = this.work;
    if (queued === undefined) return;
    this.work = undefined;
    const later = new Promise((resolve) => setTimeout(resolve, 0));
    for (const work of queued) {
      waitUntil(
        later.then(work).catch((error: unknown) => {
          logEvent("error", "background-failed", { reason: error instanceof Error ? error.message : String(error) });
        }),
      );
    }
  }
}
