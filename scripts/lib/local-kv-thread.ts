/**
 * @module The worker thread behind the CLI's local namespace when the command is busy meanwhile (./kv.ts
 * `openLocalKv`, ./local-kv-platform.ts says why): it starts the platform at once, reports the start as a `started`
 * reply, and serves the requests the store posts, one at a time, matched by `id`.
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  disposePlatform,
  messageOf,
  serve,
  startPlatform,
  UserFault,
  type ThreadReply,
  type ThreadRequest,
  type ThreadStart,
} from "./local-kv-platform.ts";

if (parentPort !== null) {
  const port = parentPort;
  const began = performance.now();
  const platform = startPlatform(workerData as ThreadStart);
  platform.then(
    () => port.postMessage({ kind: "started", ms: performance.now() - began } satisfies ThreadReply),
    (error: unknown) =>
      port.postMessage({
        kind: "failed",
        message: messageOf(error),
        user: error instanceof UserFault,
      } satisfies ThreadReply),
  );
  // Requests are served one at a time, in the order sent (the store's writes must keep their order).
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (request: ThreadRequest) => {
    queue = queue.then(async () => {
      if (request.op === "close") {
        const started = await platform.catch(() => null);
        if (started !== null) await disposePlatform(started);
        port.postMessage({ kind: "done", id: request.id } satisfies ThreadReply);
        port.close();
        return;
      }
      let reply: ThreadReply;
      try {
        reply = await serve((await platform).kv, request);
      } catch (error) {
        reply = { kind: "error", id: request.id, message: messageOf(error), user: error instanceof UserFault };
      }
      port.postMessage(reply);
    });
  });
}
